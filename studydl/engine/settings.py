"""Review settings kept in the store: the shared ones as SettingRows (JSON values), the rest in presets.

The values themselves (the dataclass, labels, checks of typed text) are in
engine/setting_values.py, which needs no database; they are re-exported here.
"""

from __future__ import annotations

from typing import Any

from studydl.domain.errors import StudyError
from studydl.engine.setting_checks import (  # noqa: F401  (re-exported: the settings API)
    BadValue,
    SettingsInvalid,
    coerce,
    convert_fields,
    parse_setting,
    parse_value,
    parse_values,
    settings_from_rows,
)
from studydl.engine.setting_values import (  # noqa: F401  (re-exported: the settings API)
    ALIASES,
    DEFAULT_PRESET,
    DEFAULTS,
    FIELD_NAMES,
    FIELDS,
    GLOBAL_FIELDS,
    PRESET_FIELDS,
    RECOMPUTE_PENDING,
    PresetOptions,
    Settings,
    canonical_key,
    changed_fields,
    display_value,
    form_text,
    to_json,
    with_value,
)
from studydl.store.db import Database
from studydl.store.models import SettingRow
from studydl.store.portable_sql import upsert

PRESETS_KEY, DECKS_KEY = "presets", "decks"
"""`save_changes` keys for other presets' fields ({preset: {field: value}}) and decks'
choices ({deck: {"preset": name | None, "retention": value | None}}; None: back to Default,
or to the preset's retention)."""


def load_settings(db: Database) -> Settings:
    """The stored settings, read afresh (finishing a pending upgrade of the memory states first)."""
    from studydl.engine.presets import read_settings

    with db.raw_read() as con:
        settings, pending = read_settings(con)
    if pending:
        from studydl.engine.recompute import finish_upgrade

        finish_upgrade(db, settings)
    return settings


def save_changes(db: Database, changes: dict[str, Any], preset: str = DEFAULT_PRESET) -> Settings:
    """Write only these fields (one transaction), leaving every other stored value as it is.

    Field by field, so a screen that changed the theme never writes back parameters it
    read earlier (another process may have optimized them since). Preset fields go to
    `preset`; `changes[PRESETS_KEY]` changes other presets' fields and
    `changes[DECKS_KEY]` decks' presets and retention overrides. Returns the settings as
    stored afterwards.
    """
    from studydl.engine.presets import write_deck_options, write_preset_fields

    changes = dict(changes)
    others = {name: convert_fields(fields, coerce) for name, fields in changes.pop(PRESETS_KEY, {}).items()}
    decks = {deck: _deck_choice(choice) for deck, choice in changes.pop(DECKS_KEY, {}).items()}
    values = convert_fields(changes, coerce)
    own = {name: value for name, value in values.items() if name not in GLOBAL_FIELDS}
    if values or others or decks:
        with db.write() as s:
            for name, value in values.items():
                if name in GLOBAL_FIELDS:
                    upsert_setting(s, name, to_json(name, value))
            if own:
                write_preset_fields(s, preset, own)
            for name, fields in others.items():
                if fields:
                    write_preset_fields(s, name, fields)
            for deck, choice in decks.items():
                write_deck_options(s, deck, **choice)
    return load_settings(db)


def _deck_choice(choice: dict[str, Any]) -> dict[str, Any]:
    """A deck's choices checked: a retention override in range (None: the preset's)."""
    out = {key: choice[key] for key in ("preset", "retention") if key in choice}
    if out.get("retention") is not None:
        try:
            out["retention"] = coerce("desired_retention", out["retention"])
        except BadValue as exc:
            raise SettingsInvalid({"desired_retention": str(exc)}) from exc
    return out


def upsert_setting(s: Any, key: str, value: str) -> None:
    """Insert or replace one stored setting (a JSON value) inside a write session."""
    upsert(s, SettingRow, {"key": key, "value": value}, [SettingRow.key])


def save_setting(db: Database, name: str, value: Any, preset: str = DEFAULT_PRESET) -> Settings:
    """Change one setting (of `preset`, for a preset field); returns the result."""
    name = canonical_key(name)
    try:
        value = coerce(name, value)
    except BadValue as exc:
        raise StudyError(f"{name}: {exc}") from exc
    return save_changes(db, {name: value}, preset)
