"""A review session's undo stack and its undoable card actions (suspend, bury, flag).

A mixin of ReviewSession (engine/session.py): it uses the session's lock, store, queue
and undo stack, and recounts the queue after every action.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from studydl.domain.cards import CardView
from studydl.domain.errors import StudyError
from studydl.domain.review import DueCard
from studydl.engine import card_sql
from studydl.engine import undo as undo_data
from studydl.engine.answer import NoSuchCard
from studydl.engine.queue import Queue
from studydl.store.db import Database


class CardActions:
    """Undo and the undoable card actions of a review session."""

    db: Database
    _lock: threading.RLock
    _undo: list[undo_data.UndoEntry]
    _reviewed: int
    _queue: Queue
    _now: Callable[[], datetime]
    _load: Callable[[datetime], Queue]
    _today: Callable[[datetime], Queue]
    due_card: Callable[[int], DueCard]

    def can_undo(self) -> bool:
        return bool(self._undo)


    def undo_action(self) -> str | None:
        """What `undo` would take back (`answer`, `suspend`, `bury`, `flag`...), None when nothing."""
        return self._undo[-1].action if self._undo else None


    def undo(self) -> CardView | None:
        """Undo this session's newest remaining action; the card, to show it again.

        A refused undo (the card changed since, e.g. in another window) raises
        StudyError and stays on the stack; an answer already undone elsewhere is skipped.
        """
        with self._lock:
            while self._undo:
                entry = self._undo[-1]
                try:
                    with self.db.raw_write() as con:
                        undo_data.undo(con, entry)
                except undo_data.AlreadyUndone:
                    self._undo.pop()
                    continue
                self._undo.pop()
                if entry.action == "answer":
                    self._reviewed = max(0, self._reviewed - 1)
                self._queue = self._load(self._now())
                return self.due_card(entry.card_id).card
            return None


    # -- card actions (each undoable) ------------------------------------------------

    def _act(self, action: str, card_id: int, values: dict[str, object]) -> undo_data.UndoEntry:
        """Set columns on one card as an undoable action; recount the queue."""
        with self._lock:
            with self.db.raw_write() as con:
                if card_sql.card_row(con, card_id) is None:
                    raise NoSuchCard(f"no card with id {card_id}")
                entry = undo_data.UndoEntry(action, card_id, (undo_data.change(con, card_id, values),))
            self._undo.append(entry)
            self._queue = self._load(self._now())
            return entry

    def suspend(self, card_id: int) -> None:
        """Take the card out of every queue until unsuspended."""
        self._act("suspend", card_id, {"suspended": True})

    def unsuspend(self, card_id: int) -> None:
        self._act("unsuspend", card_id, {"suspended": False})

    def bury(self, card_id: int) -> None:
        """Hide the card until the next study day begins."""
        with self._lock:
            day_end = self._today(self._now()).day_end
        self._act("bury", card_id, {"buried_until": day_end})

    def set_flag(self, card_id: int, flag: int) -> None:
        """Flag a card with colour 1-4, or clear it with 0."""
        if flag not in range(5):
            raise StudyError(f"flag must be 0-4, not {flag}")
        self._act("flag", card_id, {"flag": flag})
