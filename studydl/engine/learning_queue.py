"""The session's learning cards due today, kept in memory while the store does not change.

Picking the learning card due first was a query per card (`PickSQL.learning`). Anki keeps
its intraday learning queue in memory, built once and updated by each answer; so does a
session here, on SQLite: the scope's live learning and relearning cards due before the
day's end (plus the learn-ahead window) are read once, and each of the session's own
answers moves its card in or out. The list is current at a change mark
(`HotSQL.change_mark`: SQLite's `data_version` and the connection's changed rows); when
the store's mark is another (another connection wrote, or this one did outside the
session's answers) it is read again. PostgreSQL has no such mark: the query runs per card.

Entries are kept in the database's own form of a time (text on SQLite), compared as the
query compares them, in the query's order: by due, learning before relearning, then id.
"""

from __future__ import annotations

from bisect import insort
from typing import Any

LEARNING_STATES = (1, 3)


class LearningQueue:
    """(due, state, id, buried_until) of each learning card in scope, due first; valid at `mark`."""

    __slots__ = ("mark", "_cards", "_due")

    def __init__(self, rows: list[tuple[Any, int, int, Any]], mark: tuple[Any, ...]) -> None:
        self.mark: tuple[Any, ...] | None = mark
        self._cards = sorted(rows)
        self._due = {card_id: (due, state, card_id, buried) for due, state, card_id, buried in self._cards}

    def first(self, now: Any, until: Any, skip: int | None = None) -> tuple[int, int] | None:
        """(id, state) of the card due first by `until` and not buried at `now` (times in the database's form);
        `skip`: a card left out (the one shown, when guessing the card after it)."""
        for due, state, card_id, buried in self._cards:
            if due > until:
                return None
            if (buried is None or buried <= now) and card_id != skip:
                return card_id, state
        return None

    def move(self, card_id: int, state: int, due: Any, buried: Any, listed: bool) -> None:
        """An answer's card: out of the list, and back at its new due when `listed` (still learning, in scope, live)."""
        old = self._due.pop(card_id, None)
        if old is not None:
            self._cards.remove(old)
        if listed and state in LEARNING_STATES and due is not None:
            entry = (due, state, card_id, buried)
            self._due[card_id] = entry
            insort(self._cards, entry)
