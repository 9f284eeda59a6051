"""The notes SQLite's triggers keep for the shared log (store/sync_triggers.py): one per key, the newest time.

Every writer goes through them, whether the device ever syncs or not, so a second change
of one setting, preset or deck option (an upsert: `INSERT ... ON CONFLICT DO UPDATE`,
whose conflict policy SQLite also applies to a trigger's own `INSERT OR REPLACE`) must
never fail on the note of the first.
"""

from __future__ import annotations

from pathlib import Path

from studydl.engine.settings import save_changes
from studydl.home import Home


def test_a_setting_changed_twice_before_a_sync_is_one_note(tmp_path: Path) -> None:
    db = Home(tmp_path / "home").ensure().open_db()
    try:
        save_changes(db, {"timezone": "UTC"})
        save_changes(db, {"timezone": "Asia/Tokyo"})
        save_changes(db, {"desired_retention": 0.85})  # a preset's field: an upsert of its row too
        save_changes(db, {"timezone": "Asia/Tokyo", "desired_retention": 0.8})
        with db.raw_read() as con:
            notes = con.execute("SELECT key FROM sync_marks WHERE key IN ('s:timezone', 'p:Default') ORDER BY key").fetchall()
            value = con.execute("SELECT value FROM settings WHERE key = 'timezone'").fetchone()[0]
    finally:
        db.dispose()
    assert [key for (key,) in notes] == ["p:Default", "s:timezone"]
    assert value == '"Asia/Tokyo"'
