"""Review settings kept in the store: one SettingRow per field, its value as JSON.

The values themselves (the dataclass, labels, checks of typed text) are in
engine/setting_values.py, which needs no database; they are re-exported here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
    DEFAULTS,
    FIELD_NAMES,
    FIELDS,
    RECOMPUTE_PENDING,
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


def load_settings(db: Database) -> Settings:
    """The stored settings, read afresh (finishing a pending upgrade of the memory states first)."""
    with db.read() as s:
        rows = dict(s.execute(select(SettingRow.key, SettingRow.value)).all())
    settings = settings_from_rows(rows)
    if RECOMPUTE_PENDING in rows:
        from studydl.engine.recompute import finish_upgrade

        finish_upgrade(db, settings)
    return settings


def save_changes(db: Database, changes: dict[str, Any]) -> Settings:
    """Write only these fields (one transaction), leaving every other stored value as it is.

    Field by field, so a screen that changed the theme never writes back parameters it
    read earlier (another process may have optimized them since). Returns the settings
    as stored afterwards.
    """
    values = convert_fields(changes, coerce)
    if values:
        with db.write() as s:
            for name, value in values.items():
                upsert_setting(s, name, to_json(name, value))
    return load_settings(db)


def upsert_setting(s: Any, key: str, value: str) -> None:
    """Insert or replace one stored setting (a JSON value) inside a write session."""
    upsert(s, SettingRow, {"key": key, "value": value}, [SettingRow.key])


def save_setting(db: Database, name: str, value: Any) -> Settings:
    """Change one setting (read-modify-write inside one write transaction); returns the result."""
    name = canonical_key(name)
    try:
        value = coerce(name, value)
    except BadValue as exc:
        raise StudyError(f"{name}: {exc}") from exc
    with db.write() as s:
        upsert_setting(s, name, to_json(name, value))
    return load_settings(db)
