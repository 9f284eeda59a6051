"""Whether the stored settings changed since a session last read them, at little cost per card.

A session that follows the store compares the stored settings with those it runs on
before each card. Reading them (every settings, preset and deck-option row) is one of
the dearer statements of a card; on SQLite it is skipped while the connection's change
mark (`HotSQL.change_mark`: SQLite's `data_version`, which moves when another connection
commits, and the connection's own count of changed rows) is the one taken when the
settings were last read, or last carried over the session's own writes. PostgreSQL has
no such mark: there the settings are read for every card, as before.
"""

from __future__ import annotations

from typing import Any

from studydl.engine.presets import settings_from_snapshot, store_snapshot
from studydl.engine.settings import Settings
from studydl.store.hot import HotSQL


class SettingsFollower:
    """The stored settings as last read, and the change mark they are known current at."""

    def __init__(self) -> None:
        self._rows: tuple[Any, ...] | None = None
        self._mark: tuple[Any, ...] | None = None

    def changed(self, con: HotSQL) -> Settings | None:
        """The stored settings if they changed since last read (the first call: if read at all), else None."""
        mark = con.change_mark()  # taken before the read: a change after it moves the mark
        if mark is not None and mark == self._mark:
            return None
        rows = store_snapshot(con)
        self._mark = mark
        if rows == self._rows:
            return None
        self._rows = rows
        return settings_from_snapshot(rows)[0]

    def unchanged(self, con: HotSQL) -> bool:
        """The settings are known current without reading them (False where the store has no change mark)."""
        mark = con.change_mark()
        return mark is not None and mark == self._mark

    def before_own_write(self, con: HotSQL) -> tuple[Any, ...] | None:
        """Inside a write transaction, before the session's own statements: the mark to hand to `after_own_write`."""
        mark = con.change_mark()
        return mark if mark is not None and mark == self._mark else None

    def after_own_write(self, con: HotSQL, before: tuple[Any, ...] | None) -> None:
        """The session's own write (no settings in it) leaves the settings current: carry the mark over it."""
        if before is not None:  # (its data_version holds: nobody else commits while the session writes)
            self._mark = con.change_mark(before[1])
