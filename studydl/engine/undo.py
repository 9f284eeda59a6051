"""Undo as data (Anki's `scheduler/answering/undo.rs`, `scheduler/queue/undo.rs`).

Every scheduling action (answer, suspend, bury, flag) returns an `UndoEntry`: the
columns it changed on each card, before and after, and the review-log row it wrote.
Undoing restores the "before" values and deletes that row, the same mechanism for
all four actions. An undo is refused (and its entry kept) when a card no longer
holds the "after" values: someone changed it since, and restoring would lose that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studydl.domain.errors import StudyError
from studydl.engine import card_sql
from studydl.store.hot import HotSQL


@dataclass(frozen=True)
class CardChange:
    """The columns one action changed on one card."""

    card_id: int
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class UndoEntry:
    """One undoable action."""

    action: str
    """`answer`, `suspend`, `unsuspend`, `bury` or `flag`."""
    card_id: int
    """The card the action was taken on (shown again after the undo)."""
    changes: tuple[CardChange, ...]
    review_id: int | None = None
    """The review-log row the action wrote (answers)."""


class AlreadyUndone(StudyError):
    """The action's log row is gone: it was undone elsewhere."""


def set_columns(con: HotSQL, card_id: int, values: dict[str, Any]) -> None:
    card_sql.write_memory(con, card_id, values)


def change(con: HotSQL, card_id: int, after: dict[str, Any]) -> CardChange:
    """Set columns on a card and return the change (reads the old values first)."""
    row = card_sql.card_row(con, card_id)
    if row is None:
        raise StudyError(f"no card with id {card_id}")
    before = {name: getattr(row, name) for name in after}
    set_columns(con, card_id, after)
    return CardChange(card_id, before, dict(after))


def undo(con: HotSQL, entry: UndoEntry) -> None:
    """Restore the cards as before the action and delete its log row, or refuse (nothing written)."""
    if entry.review_id is not None:
        newest = con.execute("SELECT max(id) FROM review_log WHERE card_id = ?", (entry.card_id,)).fetchone()[0]
        exists = con.execute("SELECT 1 FROM review_log WHERE id = ?", (entry.review_id,)).fetchone()
        if exists is None:
            raise AlreadyUndone(f"answer {entry.review_id} was already undone")
        if newest != entry.review_id:
            raise StudyError("cannot undo: that card was answered again since (in another window?)")
    for item in entry.changes:
        row = card_sql.card_row(con, item.card_id)
        if row is None:
            raise StudyError(f"cannot undo {entry.action}: card {item.card_id} is gone")
        current = {name: getattr(row, name) for name in item.after}
        if current != item.after:
            raise StudyError(f"cannot undo {entry.action}: card {item.card_id} was changed since (in another window?)")
    for item in entry.changes:
        set_columns(con, item.card_id, item.before)
    if entry.review_id is not None:
        con.execute("DELETE FROM review_log WHERE id = ?", (entry.review_id,))
