"""Settings as fields the shared log can carry, each decided on its own (the later change wins).

A document is a settings row (`s:NAME`), a preset (`p:NAME`) or a deck's options
(`d:DECK`); its fields are what two devices may change apart: a setting's `value`; a
preset's `exists`, each of its options (`o.NAME`), its parameters, model version and
count, and the set a fit replaced; a deck's `preset` (by name: ids differ between
devices) and `retention`. A field's event is named `DOCUMENT<TAB>FIELD`. So a retention
changed on the laptop and parameters fitted on the desktop, in one preset, both stay.
"""

from __future__ import annotations

import json
from typing import Any

from studydl.engine.setting_values import FSRS_VERSION
from studydl.store.hot import HotSQL

SEPARATOR = "\t"
PRESET_COLUMNS = ("parameters", "fsrs_version", "parameter_count", "previous_parameters")
ORDER = {"s:": 0, "p:": 1, "d:": 2}
"""Documents are written presets before the decks that name them."""


def target(document: str, field: str) -> str:
    return f"{document}{SEPARATOR}{field}"


def split(name: str) -> tuple[str, str]:
    document, _, field = name.partition(SEPARATOR)
    return document, field


def every_document(con: HotSQL) -> list[str]:
    """Every document this store holds."""
    keys = [f"s:{k}" for (k,) in con.execute("SELECT key FROM settings WHERE key <> 'recompute_memory_states'")]
    keys += [f"p:{name}" for (name,) in con.execute("SELECT name FROM presets")]
    return keys + [f"d:{deck}" for (deck,) in con.execute("SELECT deck FROM deck_options")]


def fields(con: HotSQL, document: str) -> dict[str, Any]:
    """The document's fields as stored now (a document that is gone: its fields are None, a preset's `exists` False)."""
    kind, name = document[:2], document[2:]
    if kind == "s:":
        found = con.execute("SELECT value FROM settings WHERE key = ?", (name,)).fetchone()
        return {"value": found[0] if found else None}
    if kind == "p:":
        found = con.execute(f"SELECT options, {', '.join(PRESET_COLUMNS)} FROM presets WHERE name = ?", (name,)).fetchone()
        if found is None:
            return {"exists": False}
        options = _object(found[0])
        return {"exists": True, **{f"o.{k}": v for k, v in options.items()}, **dict(zip(PRESET_COLUMNS, found[1:], strict=True))}
    if kind == "d:":
        found = con.execute(
            "SELECT presets.name, deck_options.desired_retention FROM deck_options"
            " LEFT JOIN presets ON presets.id = deck_options.preset_id WHERE deck_options.deck = ?",
            (name,),
        ).fetchone()
        return {"preset": found[0] if found else None, "retention": found[1] if found else None}
    return {}


def write(con: HotSQL, document: str, values: dict[str, Any]) -> None:
    """Make the store hold these fields of the document (fields not given: as stored)."""
    kind, name = document[:2], document[2:]
    current = fields(con, document)
    merged = {**current, **values}
    if merged == current:
        return
    if kind == "s:":
        con.execute("DELETE FROM settings WHERE key = ?", (name,))
        if merged["value"] is not None:
            con.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (name, merged["value"]))
    elif kind == "p:":
        _write_preset(con, name, merged)
    elif kind == "d:":
        con.execute("DELETE FROM deck_options WHERE deck = ?", (name,))
        found = con.execute("SELECT id FROM presets WHERE name = ?", (merged["preset"],)).fetchone() if merged["preset"] else None
        if found is not None or merged["retention"] is not None:
            con.execute(
                "INSERT INTO deck_options (deck, preset_id, desired_retention) VALUES (?, ?, ?)",
                (name, found[0] if found else None, merged["retention"]),
            )


def _write_preset(con: HotSQL, name: str, merged: dict[str, Any]) -> None:
    found = con.execute("SELECT id FROM presets WHERE name = ?", (name,)).fetchone()
    if not merged.get("exists"):
        if found is not None:
            con.execute("UPDATE deck_options SET preset_id = NULL WHERE preset_id = ?", (found[0],))
            con.execute("DELETE FROM deck_options WHERE preset_id IS NULL AND desired_retention IS NULL")
            con.execute("DELETE FROM presets WHERE id = ?", (found[0],))
        return
    options = json.dumps({k[2:]: v for k, v in sorted(merged.items()) if k.startswith("o.") and v is not None}, sort_keys=True)
    values = (options, merged.get("parameters"), merged.get("fsrs_version") or FSRS_VERSION, merged.get("parameter_count"), merged.get("previous_parameters"))
    if found is None:
        con.execute(f"INSERT INTO presets (name, options, {', '.join(PRESET_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", (name, *values))
    else:
        assignments = ", ".join(f"{column} = ?" for column in ("options", *PRESET_COLUMNS))
        con.execute(f"UPDATE presets SET {assignments} WHERE id = ?", (*values, found[0]))


def _object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
