"""What the queue counts, on the driver's own connection (HotSQL): card states, each deck's
share of its daily limits, today's answers. No SQLAlchemy, so the quick read paths can use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from studydl.domain.review import CardState

if TYPE_CHECKING:
    from studydl.engine.answer import AnswerResult
    from studydl.engine.queue import Queue, Scope
    from studydl.store.hot import HotSQL

NEW, LEARNING, REVIEW, RELEARNING = (int(s) for s in (CardState.NEW, CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING))
LEARN_STATES = (LEARNING, RELEARNING)


def bucket(state: int, due: datetime | None, day_end: datetime) -> str | None:
    """Which count a live, unburied card is in: `new`, `learning`, `review` or none."""
    if state == NEW:
        return "new"
    if due is None or due >= day_end:
        return None
    return "learning" if state in LEARN_STATES else "review"


def count_answer(queue: Queue, scope: Scope, result: AnswerResult, now: datetime) -> None:
    """Move an answered card (of a deck the queue knows) and the siblings it buried in the queue's counts."""
    queue.answered(result.card_id, result.deck_id)
    deck = queue.names[result.deck_id]
    if scope.has_deck(deck):  # limits are per deck, whatever the section
        queue.record_done(result.deck_id, int(result.before.state))
    if scope.contains(deck, result.section) and not result.before.suspended:
        queue.adjust(result.deck_id, bucket(result.before.state, result.before.due, queue.day_end), -1)
        if not result.after.suspended:
            queue.adjust(result.deck_id, bucket(result.after.state, result.after.due, queue.day_end), +1)
    for sib in result.buried:
        name = queue.names.get(sib.deck_id, "?")
        was_hidden = sib.buried_until is not None and sib.buried_until > now
        if not was_hidden and scope.contains(name, sib.section):
            queue.adjust(sib.deck_id, bucket(sib.state, sib.due, queue.day_end), -1)


@dataclass
class DeckQueue:
    """One deck's cards waiting today and what today's answers used of its limits."""

    new_limit: int
    review_limit: int
    new: int = 0
    learning: int = 0
    review: int = 0
    new_done: int = 0
    review_done: int = 0

    @property
    def new_left(self) -> int:
        return max(0, min(self.new, self.new_limit - self.new_done))

    @property
    def review_left(self) -> int:
        return max(0, min(self.review, self.review_limit - self.review_done))


def deck_names(con: HotSQL) -> dict[int, str]:
    return dict(con.execute("SELECT id, name FROM decks").fetchall())


def done_today(con: HotSQL, day_start: datetime) -> dict[tuple[int, int], int]:
    """(deck id, state before) -> answers since the study day began (uses the reviewed_at index).

    Cram answers use no daily limit: they changed nothing.
    """
    query = (
        f"SELECT cards.deck_id, {con.json_int('review_log.state_before', 'state')}, count(*)"
        " FROM review_log JOIN cards ON cards.id = review_log.card_id"
        " WHERE review_log.reviewed_at >= ? AND review_log.kind = 'scheduled' GROUP BY 1, 2"
    )
    return {(deck_id, int(state)): n for deck_id, state, n in con.execute(query, (con.to_db(day_start),))}


@dataclass(frozen=True)
class TodayAnswers:
    """The study day's answers, as every screen counts them: all of them, cram among them."""

    answers: int = 0
    correct: int = 0
    """Of `answers`, those not Again."""
    cram: int = 0
    """Of `answers`, those given in a cram (they changed no schedule)."""


def answers_today(con: HotSQL, day_start: datetime) -> TodayAnswers:
    """Every answer since the study day began, the correct ones and the cram ones (one count for
    the deck list, the statistics and the end of a session; uses the reviewed_at index)."""
    row = con.execute(
        "SELECT count(*), coalesce(sum(CASE WHEN rating > 1 THEN 1 ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN kind = 'cram' THEN 1 ELSE 0 END), 0)"
        " FROM review_log WHERE reviewed_at >= ?",
        (con.to_db(day_start),),
    ).fetchone()
    return TodayAnswers(int(row[0]), int(row[1]), int(row[2]))
