"""What a review session does while the learner reads a card: nothing on the next key's path.

A mixin of ReviewSession (engine/session.py), called by a screen's worker once a card is
on screen: the store's log written out (a few pages now, not ~1,000 at some later
answer's commit), and the card that will most likely come next, so that the screen can
draw it ahead (the answer's own pick still decides which card comes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from studydl.domain.cards import CardView
from studydl.domain.review import QueueCounts
from studydl.engine import card_sql
from studydl.engine.answer import Shown
from studydl.engine.memory_pick import memory_knows, pick_from_memory
from studydl.engine.queue import Queue
from studydl.store.db import Database
from studydl.store.queries import card_view

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
    learn_ahead: timedelta
    _checkpoint_calls = -1

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
        """The card the queue in memory gives after the one shown (already taken from it) when that one
        leaves: a guess, not taken; None where memory cannot tell (a query would pick)."""
        with self._lock:
            queue, now, shown = self._queue, self._now(), self._shown
            shown_id = shown.plan.card_id if shown is not None else None
            if self._offered or not memory_knows(queue, now):
                return None
            with self.db.raw_single() as con:
                picked = pick_from_memory(con, queue, now, self.learn_ahead, self._new_turn, skip=shown_id)
                if picked is None or picked[0] == shown_id:
                    return None
                row, _note_cards = card_sql.card_with_note(con, picked[0])
            if row is None:
                return None
            return card_view(row, queue.names.get(row.deck_id, "?"))
