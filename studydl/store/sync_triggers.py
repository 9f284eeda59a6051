"""SQLite triggers that note what the shared log of the learner's devices must hear of.

Every writer of settings, presets, deck options, a card's suspend, flag or bury, and the
undo of an answer that already has an id in the shared log goes through these tables,
so the triggers see every change whoever makes it (the app, a command, the doctor)
without a hook in each. They only note the key and the time (`sync_marks`, one row per
key, the newest time kept); `studydl.replica.capture` turns the notes into events when
the device next syncs. On a database that never syncs the notes stay a few rows per
changed key. A PostgreSQL collection used directly by every device needs none.
"""

from __future__ import annotations

from typing import Any

NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _mark(key: str) -> str:
    """The statements noting `key` (an SQL expression) as changed now.

    A delete, then a plain insert: a trigger's `INSERT OR REPLACE` takes the conflict
    policy of the statement that fired it instead (an upsert's is ABORT), so it failed
    on the second change of one key.
    """
    return f"DELETE FROM sync_marks WHERE key = {key}; INSERT INTO sync_marks (key, at) VALUES ({key}, {NOW});"


def _card_field(field: str) -> str:
    key = "'c:' || NEW.id || ':" + field + "'"
    return (
        f"CREATE TRIGGER IF NOT EXISTS sync_mark_card_{field} AFTER UPDATE OF {field} ON cards"
        f" WHEN OLD.{field} IS NOT NEW.{field} BEGIN {_mark(key)} END"
    )


def _table(name: str, table: str, prefix: str, column: str, when: str = "") -> list[str]:
    """Triggers noting `prefix || column` on every insert, update and delete of `table` (rows `when` allows)."""
    new, old = f"'{prefix}' || NEW.{column}", f"'{prefix}' || OLD.{column}"
    new_when = f" WHEN {when.format(row='NEW')}" if when else ""
    old_when = f" WHEN {when.format(row='OLD')}" if when else ""
    return [
        f"CREATE TRIGGER IF NOT EXISTS sync_mark_{name}_insert AFTER INSERT ON {table}{new_when} BEGIN {_mark(new)} END",
        f"CREATE TRIGGER IF NOT EXISTS sync_mark_{name}_update AFTER UPDATE ON {table}{new_when} BEGIN {_mark(new)} {_mark(old)} END",
        f"CREATE TRIGGER IF NOT EXISTS sync_mark_{name}_delete AFTER DELETE ON {table}{old_when} BEGIN {_mark(old)} END",
    ]


TRIGGERS = (
    *_table("settings", "settings", "s:", "key", when="{row}.key <> 'recompute_memory_states'"),
    *_table("presets", "presets", "p:", "name"),
    *_table("deck_options", "deck_options", "d:", "deck"),
    *(_card_field(field) for field in ("suspended", "flag", "buried_until")),
    "CREATE TRIGGER IF NOT EXISTS sync_mark_undo AFTER DELETE ON review_log WHEN OLD.event_id IS NOT NULL"
    " BEGIN " + _mark("'u:' || OLD.event_id") + " END",
)
"""The triggers, as SQL (created by migration 0009 and with a new database)."""

NAMES = tuple(sql.split()[5] for sql in TRIGGERS)


def create_triggers(connection: Any) -> None:
    """Create the triggers on a SQLite connection (SQLAlchemy's, inside the schema's transaction)."""
    if connection.dialect.name != "sqlite":
        return
    for sql in TRIGGERS:
        connection.exec_driver_sql(sql)
