"""What a review session does while the learner reads a card: nothing on the next key's path.

A mixin of ReviewSession (engine/session.py), called by a screen's worker once a card is
on screen: the card's four buttons planned (an answer hands the next card over with its
question only: its buttons are needed when the answer is shown), the store's log written
out (a few pages now, not ~1,000 at some later answer's commit), and the card that will
most likely come next, so that the screen can draw it ahead (the answer's own pick still
decides which card comes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

from studydl.domain.cards import CardView
from studydl.domain.review import CardState, QueueCounts, Rating
from studydl.engine import card_sql
from studydl.engine.answer import Shown
from studydl.engine.card_plan import Planned
from studydl.engine.memory_pick import Guessed, Prefetched, memory_knows, pick_from_memory
from studydl.engine.queue import Queue
from studydl.engine.scheduler import CardScheduler, Plan
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.hot import HotSQL
from studydl.store.queries import card_view

if TYPE_CHECKING:
    from studydl.domain.course import PrerequisiteOffer

CHECKPOINT_EVERY = 32
"""Cards between two checkpoints: far below SQLite's own (1,000 pages, ~86 answers), so it never comes."""


class IdleWork:
    """A review session's work between cards."""

    db: Database
    _lock: threading.RLock
    _queue: Queue
    _offered: list[int]
    _now: Callable[[], datetime]
    _new_turn: Callable[[QueueCounts], bool]
    _shown: Shown | None
    _to_plan: tuple[SimpleNamespace, list[tuple]] | None
    _prefetched: Prefetched | None
    _plan: Callable[[HotSQL, int, datetime, tuple], Planned]
    learn_ahead: timedelta
    settings: Settings
    scheduler: CardScheduler
    _checkpoint_calls = -1
    _offer_ahead: tuple[int, int, PrerequisiteOffer | None] | None = None
    """(card id, study day, what Again on it offers) worked out by `prepare`."""
    _guessed: dict[int, Guessed] | None = None
    """The cards `upcoming` guessed may come next, as it read them."""

    def prepare(self) -> None:
        """The next key's work that needs no key: plan the buttons of a card an answer handed over without
        them (the card on screen, `show_next`; else the card read ahead for `next_card`, which then shows it
        as planned), and work out what Again on it would offer (`_offer_for`)."""
        with self._lock:
            pre = self._prefetched
            if self._to_plan is not None:
                self._plan_shown()
            elif pre is not None and pre.planned is None:
                self._prefetched = pre._replace(planned=self._plan_read(pre.row, pre.note_cards))
            up_next = self._up_next()
            now, settings = self._now(), self.settings
            day = self.scheduler.days.day_of(now)
            if up_next is None or up_next.memory.state != CardState.REVIEW or settings.lapse_prerequisite <= 0:
                return  # (Again on a card not in review is no lapse)
            if self._offer_ahead is not None and self._offer_ahead[:2] == (up_next.card_id, day):
                return
        from studydl.course.lapse_offer import lapse_offer

        offer = lapse_offer(self.db, up_next.card_id, now, settings)  # (the lock not held: it reads every section)
        with self._lock:
            if self._up_next() is up_next:  # (not answered meanwhile: that answer worked it out itself)
                self._offer_ahead = (up_next.card_id, day, offer)

    def _up_next(self) -> Plan | None:
        """The plan of the card the next answer is for: the one on screen, else the one read ahead."""
        if self._shown is not None:
            return self._shown.plan
        pre = self._prefetched
        return pre.planned.shown.plan if pre is not None and pre.planned is not None else None

    def _offer_for(self, card_id: int) -> PrerequisiteOffer | None:
        """What Again on this review card offers (studydl.course.lapse_offer): as worked out while it was read
        (`prepare`) on this study day, else now. It reads every section and the deck files' `requires:`
        (tens of ms at 100,000 cards): not on the key that answers, where `prepare` ran first."""
        now = self._now()
        ahead, self._offer_ahead = self._offer_ahead, None  # (taken: the lapse it counted is then logged)
        if ahead is not None and ahead[:2] == (card_id, self.scheduler.days.day_of(now)):
            return ahead[2]
        from studydl.course.lapse_offer import lapse_offer

        return lapse_offer(self.db, card_id, now, self.settings)

    def shown_intervals(self, card_id: int) -> dict[Rating, timedelta] | None:
        """The buttons' intervals of the card on screen, planned now if no one has yet; None if `card_id` is
        not that card (it was answered, skipped or undone meanwhile)."""
        with self._lock:
            if self._to_plan is not None and self._to_plan[0].id == card_id:
                return self._plan_shown()
            shown = self._shown
            if shown is None or shown.plan.card_id != card_id:
                return None
            return shown.scheduler.intervals(shown.plan, self._now())

    def _plan_shown(self) -> dict[Rating, timedelta]:
        assert self._to_plan is not None
        planned = self._plan_read(*self._to_plan)
        self._shown, self._to_plan = planned.shown, None
        return planned.due.intervals

    def _plan_read(self, row: SimpleNamespace, note_cards: list[tuple]) -> Planned:
        """A card read ahead, planned now (its deck's name or the fuzz draws may need a read)."""
        with self.db.raw_single() as con:
            return self._plan(con, row.id, self._now(), (row, note_cards))

    def _up_next_id(self) -> int | None:
        """The card the next answer is for: on screen (planned or not yet), else read ahead."""
        if self._shown is not None:
            return self._shown.plan.card_id
        if self._to_plan is not None:
            return self._to_plan[0].id
        return self._prefetched.card_id if self._prefetched is not None else None

    def wait_for_writes(self) -> None:
        """Return once a write under way (an answer being committed) is done."""
        with self._lock:
            pass

    def checkpoint(self) -> None:
        """Write the store's log of committed answers into the database file (store.db.Database.checkpoint):
        at the first card and then every CHECKPOINT_EVERY cards (~12 pages an answer, ~400 at a time; after
        every answer, each next answer's commit started the log over and took ~0.1 ms more)."""
        self._checkpoint_calls += 1
        if self._checkpoint_calls % CHECKPOINT_EVERY == 0:
            self.db.checkpoint()

    def upcoming(self) -> CardView | None:
        """The card the queue in memory gives after the one up next (shown, or read ahead) when that one
        leaves: a guess, not taken; None where memory cannot tell (a query would pick). It is read, and so
        are the first new and review cards after the one up next (the answer to it may turn the mix of new
        and review cards): the next answer takes the read of the card it picks instead of reading it, if
        nothing changed that card since (memory_pick.guessed_read)."""
        with self._lock:
            queue, now, shown_id = self._queue, self._now(), self._up_next_id()
            self._guessed = {}
            if self._offered or not memory_knows(queue, now):
                return None
            with self.db.raw_single() as con:
                picked = pick_from_memory(con, queue, now, self.learn_ahead, self._new_turn, skip=shown_id)
                if picked is None or picked[0] == shown_id:
                    return None
                ids = [picked[0]]
                for peek in (queue.peek_new, queue.peek_review):
                    got = peek(shown_id)
                    if got and got[0] not in ids:
                        ids.append(got[0])
                for card_id in ids:
                    row, note_cards, version = card_sql.card_with_note_versioned(con, card_id)
                    if row is not None:
                        self._guessed[card_id] = Guessed(card_id, row, note_cards, con.change_mark(version))
            guess = self._guessed.get(picked[0])
            return card_view(guess.row, queue.names.get(guess.row.deck_id, "?")) if guess is not None else None
