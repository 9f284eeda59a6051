"""Cram: go through a deck's cards whether due or not, without touching their schedule.

As Anki's filtered deck with "reschedule cards based on my answers" off (a preview):
each answer is logged with kind `cram`, its state before and after the same, and the
card keeps its due date, stability and difficulty. Replay, the optimizer, retention
and the daily limits leave cram answers out (Anki leaves such revlog entries, type
Filtered with ease 0, out of FSRS, its optimizer and true retention). Like Anki's
preview, Again shows the card again after a minute, Hard after ten, Good and Easy end
it for this session. Cards come in a shuffled order (seeded; a test can name it).
"""

from __future__ import annotations

import json
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from studydl.domain.errors import StudyError
from studydl.domain.review import Answered, DueCard, NextCard, QueueCounts, Rating
from studydl.engine import card_sql
from studydl.engine import undo as undo_data
from studydl.engine.history import CRAM
from studydl.engine.scheduler import Memory
from studydl.engine.session import ReviewSession, utcnow
from studydl.engine.settings import Settings
from studydl.store.db import Database

AGAIN_DELAY = timedelta(minutes=1)
HARD_DELAY = timedelta(minutes=10)
"""Anki's preview delays for Again and Hard; Good and Easy end the card's turn."""


@dataclass
class _CramQueue:
    fresh: deque[int]
    again: list[tuple[datetime, int]] = field(default_factory=list)
    """(when it may come back, card id), for cards answered Again or Hard."""

    def copy(self) -> _CramQueue:
        return _CramQueue(deque(self.fresh), list(self.again))


class CramSession(ReviewSession):
    """A review session over every live card of a deck (or section) that logs answers as cram."""

    def __init__(
        self,
        db: Database,
        deck: str | None,
        clock: Callable[[], datetime] = utcnow,
        settings: Settings | None = None,
        *,
        section: str | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(db, deck, clock, settings, section=section)
        rng = random.Random(seed if seed is not None else int(self._started.timestamp()))
        ids = self._card_ids()
        rng.shuffle(ids)
        self._cram = _CramQueue(deque(ids))
        self._history: list[_CramQueue] = []
        if not ids:
            raise StudyError(f"no cards to cram in {deck or 'any deck'}{' / ' + section if section else ''}")

    def _card_ids(self) -> list[int]:
        """Live cards in scope: not retired, not suspended (buried cards too: cramming is a choice)."""
        deck_ids = sorted(self._queue.deck_ids) if self.scope.deck is not None else None
        sql = "SELECT id FROM cards WHERE retired = FALSE AND suspended = FALSE"
        params: list[object] = []
        if deck_ids is not None:
            sql += f" AND deck_id IN ({', '.join(str(int(i)) for i in deck_ids) or 'NULL'})"
        if self.scope.section:
            sql += " AND (section = ? OR substr(section, 1, ?) = ?)"
            params += [self.scope.section, len(self.scope.section) + 3, self.scope.section + " / "]
        with self.db.raw_read() as con:
            return [row[0] for row in con.execute(sql + " ORDER BY id", params)]

    # -- handing out cards -----------------------------------------------------

    def counts(self) -> QueueCounts:
        """Cards not yet seen (as `review`) and cards coming back (as `learning`)."""
        with self._lock:
            return QueueCounts(new=0, learning=len(self._cram.again), review=len(self._cram.fresh))

    def _next_id(self, now: datetime) -> int | None:
        queue = self._cram
        queue.again.sort()
        if queue.again and queue.again[0][0] <= now:
            return queue.again[0][1]
        if queue.fresh:
            return queue.fresh[0]
        return queue.again[0][1] if queue.again else None

    def next_card(self) -> DueCard | None:
        with self._lock:
            now = self._now()
            while True:
                card_id = self._next_id(now)
                if card_id is None:
                    return None
                with self.db.raw_read() as con:
                    row = card_sql.card_row(con, card_id)
                if row is not None and not row.retired and not row.suspended:
                    return self.due_card(card_id)
                self._take(card_id)  # suspended or gone since the cram began

    def upcoming(self) -> None:
        """No guess: the cram order is its own (engine/session_idle.py)."""
        return None

    def prepare(self) -> None:
        """Nothing ahead: a cram card is planned when shown, and Again in a cram is no lapse."""

    def due_card(self, card_id: int) -> DueCard:
        """The card with the cram buttons: Again 1m, Hard 10m; Good and Easy end its turn (no interval)."""
        due = super().due_card(card_id)
        return DueCard(due.card, {Rating.AGAIN: AGAIN_DELAY, Rating.HARD: HARD_DELAY})

    def _take(self, card_id: int) -> None:
        queue = self._cram
        if queue.fresh and queue.fresh[0] == card_id:
            queue.fresh.popleft()
        else:
            queue.again = [(at, cid) for at, cid in queue.again if cid != card_id]

    # -- answering and undo -----------------------------------------------------

    def answer(
        self, card_id: int, rating: Rating, duration_ms: int | None = None, detail: dict[str, object] | None = None,
        *, show_next: Callable[[NextCard], None] | None = None,
    ) -> Answered:
        """Log the answer as cram (the card's state unchanged) and move the card on in the cram queue.

        `show_next` is never called: a cram's next card is asked for after the commit."""
        rating = Rating(rating)
        with self._lock:
            with self.db.raw_write() as con:
                now = self._now()
                row = card_sql.card_row(con, card_id)
                if row is None:
                    raise StudyError(f"no card with id {card_id}")
                state = Memory.from_row(row).to_json()
                review_id = card_sql.insert_review(
                    con, card_id, now, int(rating), duration_ms, state, state, kind=CRAM,
                    detail=json.dumps(detail, sort_keys=True) if detail else None,
                )
            self._history.append(self._cram.copy())
            self._take(card_id)
            delay = {Rating.AGAIN: AGAIN_DELAY, Rating.HARD: HARD_DELAY}.get(rating)
            if delay is not None:
                self._cram.again.append((now + delay, card_id))
            self._undo.append(undo_data.UndoEntry("answer", card_id, (), review_id))
            self._reviewed += 1
            due = row.due if row.due is not None else now
            return Answered(card_id, rating, due, delay or timedelta(0), review_id=review_id)

    def undo(self):  # noqa: ANN201 - CardView | None, as the base
        """Undo the newest action; an undone cram answer also puts the card back where it was."""
        with self._lock:
            action = self.undo_action()
            card = super().undo()
            if card is not None and action == "answer" and self._history:
                self._cram = self._history.pop()
            return card
