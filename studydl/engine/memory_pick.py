"""The review session's next card from memory, and its answer without reading the card again (SQLite).

Showing a card was a read transaction of about five statements (BEGIN, the change check,
the pick, the card with its note, COMMIT) and answering it read the card again. As Anki's
queue, the session's is built once and kept by its own answers (engine/learning_queue.py,
and the queue's lists of due reviews and new cards); while the store's change mark is the
one it was kept at, the card `_pick` would pick is known without a query. It is then read
in one statement outside a transaction, with the store's change counter of that very read
(`card_sql.card_with_note_versioned`): equal to the queue's, the pick stands; else the
session picks by the queries as before. The answer, just before the card's update,
reads the counter again: unchanged since the card was read, the card as read is the
card now, and is not read again; else the transaction is rolled back and written anew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import NamedTuple

from studydl.domain.review import QueueCounts
from studydl.engine import card_sql
from studydl.engine.answer import AnswerResult
from studydl.engine.card_plan import Planned
from studydl.engine.queue import NEW, REVIEW, Queue, Scope
from studydl.store.hot import HotSQL

Picked = tuple[int, int | None, Callable[[], None]]
"""A card id, the state it must still be in when read (None: the change mark vouches for it), and how
to take it from its list (moving the list's cursor)."""


def _nothing() -> None:
    pass


def memory_knows(queue: Queue, now: datetime) -> bool:
    """Whether the queue in memory can tell the next card: its learning cards read at a change mark
    (SQLite: PostgreSQL has none) on the study day that is still today."""
    learning = queue.learning
    return learning is not None and learning.mark is not None and now < queue.day_end


def pick_from_memory(
    con: HotSQL, queue: Queue, now: datetime, learn_ahead: timedelta, new_turn: Callable[[QueueCounts], bool],
    skip: int | None = None,
) -> Picked | None:
    """`ReviewSession._pick`'s card as far as memory tells; None when only a query can tell. `skip`: a
    card left out (the one shown: the guess of the card after it, engine/session_idle.py)."""
    learning = queue.learning
    assert learning is not None
    at = con.to_db(now)
    found = learning.first(at, at, skip)
    if found is not None:
        return found[0], None, _nothing
    counts = queue.counts()
    if counts.new or counts.review:
        peeks = ((queue.peek_new, NEW), (queue.peek_review, REVIEW))
        for peek, state in peeks if new_turn(counts) else peeks[::-1]:
            got = peek(skip)
            if got is False:
                return None
            if got:
                return got[0], state, got[1]
        return None  # the counts went stale: `_pick` recounts
    found = learning.first(at, con.to_db(now + learn_ahead), skip)
    return (found[0], None, _nothing) if found is not None else None


class StaleRead(Exception):
    """The card as shown is not the store's any more: the answer's transaction is rolled back."""


def mark_check(con: HotSQL, expected: tuple, seen: list[tuple | None]) -> Callable[[object], None]:
    """An `answer.Known.check`: the change mark before this write transaction's first write (the store's
    counter read just before it) goes into `seen`; StaleRead unless it is `expected`, the mark the card was read at."""
    probe = con.change_mark(0)  # the connection's own changes before the write (no statement)

    def check(version: object) -> None:
        seen[0] = mark = (probe[0], version, probe[2])
        if mark != expected:
            raise StaleRead

    return check


def carry_learning(con: HotSQL, queue: Queue, scope: Scope, result: AnswerResult, before: tuple | None) -> None:
    """Move the answered card in the learning cards in memory: current after the write if they were before it."""
    learning = queue.learning
    if learning is None:
        return
    if before is None or learning.mark != before:
        learning.mark = None  # read again before the next pick
        return
    after = result.after
    deck = queue.names.get(result.deck_id)
    listed = deck is not None and scope.contains(deck, result.section) and not result.retired and not after.suspended
    learning.move(result.card_id, int(after.state), con.to_db(after.due), con.to_db(result.buried_until), listed)
    learning.mark = con.change_mark(before[1])


class Prefetched(NamedTuple):
    """The card an answer read ahead: its id, the change mark it was read at, the card and its note as read,
    and its buttons once planned (`ReviewSession.prepare`, while the learner reads; else by `next_card`)."""

    card_id: int
    mark: tuple
    row: SimpleNamespace
    note_cards: list[tuple]
    picked: Picked
    """The pick from memory that gave it (`prefetched_pick`)."""
    planned: Planned | None = None


class Guessed(NamedTuple):
    """The card guessed to come after the one up next, read while that one was (session_idle `upcoming`)."""

    card_id: int
    row: SimpleNamespace
    note_cards: list[tuple]
    mark: tuple | None
    """The change mark of that read (None: PostgreSQL, which has none)."""


def guessed_read(
    guessed: dict[int, Guessed] | None, card_id: int, *, before: tuple | None, written: set[int]
) -> tuple[SimpleNamespace, list[tuple]] | None:
    """`card_id` and its note as read ahead (`guessed`), if that read is the card now: the store was at the
    same mark from that read to this answer's transaction (`before`: nobody wrote in between), and the
    answer wrote none of the note's cards (`written`: the card answered, the siblings it buried)."""
    guess = guessed.get(card_id) if guessed else None
    if guess is None or guess.mark is None or guess.mark != before:
        return None
    if any(card[0] in written for card in guess.note_cards):
        return None
    return guess.row, guess.note_cards


def read_ahead(guessed: dict[int, Guessed] | None, before: tuple | None, result: AnswerResult) -> Callable[[int], tuple | None]:
    """`guessed_read` for the card an answer picks next (`result`: what it wrote)."""
    return partial(guessed_read, guessed, before=before, written={result.card_id, *(sib.id for sib in result.buried)})


PLAN_FRESH = timedelta(seconds=1)
"""How old a plan made ahead may be for its buttons' intervals to be shown as made (older: computed again)."""


def prefetch(
    con: HotSQL, queue: Queue, before: tuple | None, now: datetime, learn_ahead: timedelta,
    new_turn: Callable[[QueueCounts], bool], read_ahead: Callable[[int], tuple | None] = lambda _card_id: None,
) -> Prefetched | None:
    """In an answer's write transaction, before its COMMIT: the card a pick from memory gives now, read with
    its note while the store is warm from the write (or as read ahead, if that read still holds:
    `guessed_read`), at the mark the commit leaves (`before`: the mark the transaction began at; its
    counter stays while it writes). Nothing is taken from the queue: `next_card` picks again and takes
    this read (and its plan) only for the same card at the same mark."""
    if before is None or not memory_knows(queue, now):
        return None
    mark = con.change_mark(before[1])
    picked = pick_from_memory(con, queue, now, learn_ahead, new_turn) if queue.learning.mark == mark else None
    if picked is None:
        return None
    row, note_cards = read_ahead(picked[0]) or card_sql.card_with_note(con, picked[0])
    if row is None:
        return None
    return Prefetched(picked[0], mark, row, note_cards, picked)


def prefetched_pick(con: HotSQL, queue: Queue, pre: Prefetched | None, now: datetime) -> Picked | None:
    """The pick `pre` was read for, when a pick from memory now would give the same (else None: pick again).

    Nothing but time has passed since (the queue's learning cards are at `pre`'s mark): a learning card
    due then is still the first due now, unless one unburied since comes before it; a new or review
    card still comes, unless a learning card came due meanwhile. (A card picked from the learn-ahead
    window is picked again.)"""
    learning = queue.learning
    if pre is None or learning is None or learning.mark != pre.mark:
        return None
    at = con.to_db(now)
    due_now = learning.first(at, at)
    card_id, state, _take = pre.picked
    same = due_now is None if state is not None else due_now is not None and due_now[0] == card_id
    return pre.picked if same else None


def prefetched_read(con: HotSQL, pre: Prefetched | None, card_id: int, mark: tuple) -> tuple[SimpleNamespace, list[tuple], None] | None:
    """`pre`'s card and note (as `card_sql.card_with_note_versioned`, no counter) if it is `card_id` read at
    `mark` and the store is still at that mark (one PRAGMA instead of the card's read); else None."""
    if pre is None or pre.card_id != card_id or pre.mark != mark or con.change_mark() != mark:
        return None
    return pre.row, pre.note_cards, None


def prefetched_plan(pre: Prefetched | None, now: datetime) -> Planned | None:
    """The plan made with `pre`'s read (its card the one `prefetched_read` vouched for) if it is of `now`'s
    study day (as `answer` checks), its buttons' intervals shown as at `now` (those of a learning step
    depend on the time left to the day's end); None if it was not planned."""
    if pre is None or pre.planned is None:
        return None
    planned = pre.planned
    scheduler, plan = planned.shown.scheduler, planned.shown.plan
    if now < planned.at or plan.today != scheduler.days.day_of(now):
        return None
    if now - planned.at <= PLAN_FRESH:
        return planned
    return replace(planned, due=replace(planned.due, intervals=scheduler.intervals(plan, now)), at=now)
