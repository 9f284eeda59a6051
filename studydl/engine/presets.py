"""Presets in the store: named groups of options decks share, and each deck's own choices.

A preset (Anki's deck-options preset) holds the options in `PresetOptions`: retention,
steps, limits, maximum interval, burying, leeches, review and new-card order, Easy
Days and the FSRS parameters, stored with the model version and parameter count they
are for. Every deck uses one, "Default" unless given another; a deck may also override
the desired retention alone (Anki's per-deck retention). The options every preset
shares (fuzz, the load balancer, day start, zone, theme, per-deck limits) stay in the
settings table.

Plain SQL on a transaction already begun (`card_sql.Txn`: a `Database.raw_*`
connection or a SQLAlchemy session), so the review session can look for changes
before each card without the ORM. Writes change only the fields they are given, read
and written in one transaction, so two windows changing different options of one
preset never undo each other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from studydl.domain.errors import StudyError
from studydl.engine.setting_checks import preset_from_row, settings_from_rows
from studydl.engine.setting_values import (
    DEFAULT_PRESET,
    FSRS_VERSION,
    PRESET_FIELDS,
    RECOMPUTE_PENDING,
    PresetOptions,
    Settings,
    to_json,
)

if TYPE_CHECKING:
    from studydl.engine.card_sql import Txn
    from studydl.store.hot import HotSQL

_UNSET: Any = object()
MAX_NAME = 100


def hot(s: Txn) -> HotSQL:
    """The plain-SQL side of a transaction (no ORM import for a raw connection: `studydl due` reads settings too)."""
    if hasattr(s, "to_db"):
        return s  # type: ignore[return-value]
    from studydl.engine.card_sql import hot as hot_of

    return hot_of(s)


_SNAPSHOT = (
    "SELECT 's', key, value, NULL, NULL, NULL FROM settings"
    " UNION ALL SELECT 'p', CAST(id AS TEXT), name, options, parameters, CAST(fsrs_version AS TEXT) FROM presets"
    " UNION ALL SELECT 'd', deck, CAST(preset_id AS TEXT), CAST(desired_retention AS TEXT), NULL, NULL FROM deck_options"
    " ORDER BY 1, 2"
)
"""Every row settings are read from, in one statement (the review session reads it before each card)."""


def store_snapshot(s: Txn) -> tuple[Any, ...]:
    """Every stored row settings are read from: equal snapshots give equal settings."""
    return tuple(hot(s).execute(_SNAPSHOT).fetchall())  # (kind, key) is unique: the order is fixed


def settings_from_snapshot(snapshot: tuple[Any, ...]) -> tuple[Settings, bool]:
    """The settings a snapshot holds, and whether an upgrade still has to finish (see load_settings)."""
    settings_rows = {key: value for kind, key, value, *_ in snapshot if kind == "s"}
    presets_found = [(int(pid), name, options, params, int(version or FSRS_VERSION)) for kind, pid, name, options, params, version in snapshot if kind == "p"]
    names = {pid: name for pid, name, *_ in presets_found}
    presets = {name: preset_from_row(options, parameters, version) for _, name, options, parameters, version in presets_found}
    deck_rows = [(deck, pid, retention) for kind, deck, pid, retention, *_ in snapshot if kind == "d"]
    deck_presets = {deck: names[int(pid)] for deck, pid, _ in deck_rows if pid is not None and int(pid) in names}
    deck_retention = {deck: float(r) for deck, _, r in deck_rows if r is not None}
    settings = settings_from_rows(settings_rows, presets, deck_presets, deck_retention)
    return settings, RECOMPUTE_PENDING in settings_rows


def read_settings(s: Txn) -> tuple[Settings, bool]:
    """The stored settings, and whether an upgrade still has to finish (then use `load_settings`)."""
    return settings_from_snapshot(store_snapshot(s))


# -- writing -------------------------------------------------------------------------------


def check_name(name: str) -> str:
    """A preset name as stored: trimmed, not empty, at most 100 characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise StudyError("a preset needs a name")
    if len(cleaned) > MAX_NAME:
        raise StudyError(f"a preset name has at most {MAX_NAME} characters")
    return cleaned


def preset_id(con: HotSQL, name: str, *, create: bool = False) -> int | None:
    """The preset's id; with `create`, a missing preset is added (with the defaults)."""
    found = con.execute("SELECT id FROM presets WHERE name = ?", (name,)).fetchone()
    if found is not None:
        return int(found[0])
    if not create:
        return None
    return con.insert(
        "INSERT INTO presets (name, options, fsrs_version) VALUES (?, ?, ?)", (check_name(name), "{}", FSRS_VERSION)
    )


def write_preset_fields(s: Txn, preset: str, values: dict[str, Any]) -> None:
    """Set some options of a preset (created if missing); the others stay as stored."""
    con = hot(s)
    pid = preset_id(con, preset, create=True)
    stored = con.execute("SELECT options FROM presets WHERE id = ?", (pid,)).fetchone()[0]
    try:
        options = json.loads(stored) if stored else {}
    except ValueError:
        options = {}
    for name, value in values.items():
        if name == "parameters":
            write_parameters(con, preset, value)
        else:
            options[name] = json.loads(to_json(name, value))
    con.execute("UPDATE presets SET options = ? WHERE id = ?", (json.dumps(options, sort_keys=True), pid))


def _parameter_set(parameters: Sequence[float] | None, version: int = FSRS_VERSION) -> dict[str, Any]:
    values = [float(x) for x in parameters] if parameters is not None else None
    return {"parameters": values, "fsrs_version": version, "parameter_count": len(values) if values else None}


def write_parameters(
    s: Txn, preset: str, parameters: Sequence[float] | None, previous: Sequence[float] | None = _UNSET
) -> None:
    """Store a preset's FSRS parameters with their model version and count; `previous`: the set they replace, kept restorable."""
    con = hot(s)
    pid = preset_id(con, preset, create=True)
    current = _parameter_set(parameters)
    con.execute(
        "UPDATE presets SET parameters = ?, parameter_count = ?, fsrs_version = ? WHERE id = ?",
        (json.dumps(current["parameters"]) if parameters is not None else None, current["parameter_count"], FSRS_VERSION, pid),
    )
    if previous is not _UNSET:
        con.execute("UPDATE presets SET previous_parameters = ? WHERE id = ?", (json.dumps(_parameter_set(previous)), pid))


def read_previous(s: Txn, preset: str) -> tuple[bool, tuple[float, ...] | None]:
    """(whether a replaced set is kept, that set; None = the defaults) of a preset."""
    con = hot(s)
    found = con.execute("SELECT previous_parameters FROM presets WHERE name = ?", (preset,)).fetchone()
    if found is None or found[0] is None:
        return False, None
    values = json.loads(found[0]).get("parameters")
    return True, tuple(float(x) for x in values) if values is not None else None


def parameter_sets(s: Txn) -> dict[str, dict[str, Any]]:
    """Each preset's stored parameter set: {"parameters", "fsrs_version", "parameter_count"}."""
    con = hot(s)
    out = {}
    for name, parameters, version, count in con.execute("SELECT name, parameters, fsrs_version, parameter_count FROM presets"):
        out[name] = {"parameters": json.loads(parameters) if parameters else None, "fsrs_version": version, "parameter_count": count}
    return out


def write_deck_options(s: Txn, deck: str, *, preset: str | None = _UNSET, retention: float | None = _UNSET) -> None:
    """Give a deck a preset (None: Default) and/or its own desired retention (None: the preset's)."""
    con = hot(s)
    found = con.execute("SELECT preset_id, desired_retention FROM deck_options WHERE deck = ?", (deck,)).fetchone()
    pid, kept = found if found is not None else (None, None)
    if preset is not _UNSET:
        if preset is not None and preset != DEFAULT_PRESET and preset_id(con, preset) is None:
            raise StudyError(f"no preset named {preset!r}")
        pid = None if preset in (None, DEFAULT_PRESET) else preset_id(con, preset)
    if retention is not _UNSET:
        kept = retention
    con.execute("DELETE FROM deck_options WHERE deck = ?", (deck,))
    if pid is not None or kept is not None:
        con.execute("INSERT INTO deck_options (deck, preset_id, desired_retention) VALUES (?, ?, ?)", (deck, pid, kept))


def delete_preset(s: Txn, name: str) -> int:
    """Remove a preset; its decks go back to Default. Returns how many decks used it."""
    if name == DEFAULT_PRESET:
        raise StudyError("the Default preset cannot be removed")
    con = hot(s)
    pid = preset_id(con, name)
    if pid is None:
        raise StudyError(f"no preset named {name!r}")
    moved = int(con.execute("SELECT count(*) FROM deck_options WHERE preset_id = ?", (pid,)).fetchone()[0])
    con.execute("UPDATE deck_options SET preset_id = NULL WHERE preset_id = ?", (pid,))
    con.execute("DELETE FROM deck_options WHERE preset_id IS NULL AND desired_retention IS NULL")
    con.execute("DELETE FROM presets WHERE id = ?", (pid,))
    return moved


def copy_preset(s: Txn, name: str, source: PresetOptions) -> None:
    """Add preset `name` with the options of `source` (parameters included)."""
    con = hot(s)
    if preset_id(con, check_name(name)) is not None:
        raise StudyError(f"there is already a preset named {name!r}")
    write_preset_fields(con, check_name(name), {field: getattr(source, field) for field in PRESET_FIELDS})
