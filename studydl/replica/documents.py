"""Settings as documents the shared log can carry: one per setting, preset and deck.

`s:NAME` is a settings row's JSON text; `p:NAME` a preset (its options, parameters,
model version and count, and the set a fit replaced); `d:DECK` a deck's preset (by
name: ids differ between devices) and retention override. None: the document is gone
(a setting back to its default, a preset removed, a deck back to Default). A change on
two devices is decided whole, per document: the later one wins.
"""

from __future__ import annotations

from typing import Any

from studydl.engine.setting_values import FSRS_VERSION
from studydl.store.hot import HotSQL

PRESET_COLUMNS = ("options", "parameters", "fsrs_version", "parameter_count", "previous_parameters")


def every_key(con: HotSQL) -> list[str]:
    """The key of every document this store holds."""
    keys = [f"s:{k}" for (k,) in con.execute("SELECT key FROM settings WHERE key <> 'recompute_memory_states'")]
    keys += [f"p:{name}" for (name,) in con.execute("SELECT name FROM presets")]
    return keys + [f"d:{deck}" for (deck,) in con.execute("SELECT deck FROM deck_options")]


def read(con: HotSQL, key: str) -> Any:
    """The document's value, None when it is gone."""
    kind, name = key[:2], key[2:]
    if kind == "s:":
        found = con.execute("SELECT value FROM settings WHERE key = ?", (name,)).fetchone()
        return found[0] if found else None
    if kind == "p:":
        found = con.execute(f"SELECT {', '.join(PRESET_COLUMNS)} FROM presets WHERE name = ?", (name,)).fetchone()
        return dict(zip(PRESET_COLUMNS, found, strict=True)) if found else None
    if kind == "d:":
        found = con.execute(
            "SELECT presets.name, deck_options.desired_retention FROM deck_options"
            " LEFT JOIN presets ON presets.id = deck_options.preset_id WHERE deck_options.deck = ?",
            (name,),
        ).fetchone()
        return {"preset": found[0], "retention": found[1]} if found else None
    raise ValueError(f"not a settings document: {key!r}")


def write(con: HotSQL, key: str, value: Any) -> None:
    """Make the store hold this value of the document (presets before the decks that use them)."""
    kind, name = key[:2], key[2:]
    if kind == "s:":
        con.execute("DELETE FROM settings WHERE key = ?", (name,))
        if value is not None:
            con.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (name, value))
    elif kind == "p:":
        _write_preset(con, name, value)
    elif kind == "d:":
        con.execute("DELETE FROM deck_options WHERE deck = ?", (name,))
        if value is not None:
            preset = value.get("preset")
            found = con.execute("SELECT id FROM presets WHERE name = ?", (preset,)).fetchone() if preset else None
            retention = value.get("retention")
            if found is not None or retention is not None:
                con.execute(
                    "INSERT INTO deck_options (deck, preset_id, desired_retention) VALUES (?, ?, ?)",
                    (name, found[0] if found else None, retention),
                )


def _write_preset(con: HotSQL, name: str, value: dict[str, Any] | None) -> None:
    found = con.execute("SELECT id FROM presets WHERE name = ?", (name,)).fetchone()
    if value is None:
        if found is not None:
            con.execute("UPDATE deck_options SET preset_id = NULL WHERE preset_id = ?", (found[0],))
            con.execute("DELETE FROM deck_options WHERE preset_id IS NULL AND desired_retention IS NULL")
            con.execute("DELETE FROM presets WHERE id = ?", (found[0],))
        return
    defaults = {"options": "{}", "fsrs_version": FSRS_VERSION}
    values = tuple(value.get(column, defaults.get(column)) or defaults.get(column) for column in PRESET_COLUMNS)
    if found is None:
        con.execute(f"INSERT INTO presets (name, {', '.join(PRESET_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", (name, *values))
    else:
        assignments = ", ".join(f"{column} = ?" for column in PRESET_COLUMNS)
        con.execute(f"UPDATE presets SET {assignments} WHERE id = ?", (*values, found[0]))
