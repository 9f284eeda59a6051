"""Review settings kept in the store: one SettingRow per field, its value as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import select

from studydl.domain.days import StudyDays, local_zone, zone_named
from studydl.domain.errors import StudyError
from studydl.store.db import Database
from studydl.store.models import SettingRow
from studydl.store.portable_sql import upsert


@dataclass
class Settings:
    """Everything the scheduler and the session rules read; defaults follow Anki/FSRS."""

    desired_retention: float = 0.9
    """Target probability of recall when a review card comes due (0.7-0.99)."""
    learning_steps_min: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_min: tuple[float, ...] = (10.0,)
    maximum_interval: int = 36500
    """Days."""
    fuzz: bool = True
    """Spread review intervals a little (reproducibly: see engine.scheduler)."""
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_start_hour: int = 4
    """Local hour at which a study day begins (limits, burying, elapsed days)."""
    timezone: str = ""
    """The learner's IANA zone (e.g. `Europe/Berlin`); empty: the system's zone."""
    bury_siblings: bool = True
    leech_threshold: int = 8
    """Lapses (Again on a review card) that make a card a leech."""
    leech_suspend: bool = True
    theme: str = "textual-dark"
    parameters: tuple[float, ...] | None = None
    """FSRS parameters fitted by `studydl optimize`; None means FSRS-6's defaults."""
    deck_limits: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per-deck (new, review) daily limits overriding the two above, by deck name."""

    def limits_for(self, deck: str) -> tuple[int, int]:
        """The (new, review) daily limits of a deck."""
        return self.deck_limits.get(deck, (self.new_per_day, self.reviews_per_day))

    def study_days(self) -> StudyDays:
        """The owner of "which study day is it" for these settings (zone and day start)."""
        zone = zone_named(self.timezone) if self.timezone else local_zone()
        return StudyDays(zone, self.day_start_hour)


DEFAULTS = Settings()
FIELD_NAMES = tuple(f.name for f in fields(Settings))

ALIASES = {
    "retention": "desired_retention",
    "learning_steps": "learning_steps_min",
    "relearning_steps": "relearning_steps_min",
    "max_interval": "maximum_interval",
    "new": "new_per_day",
    "reviews": "reviews_per_day",
    "day_start": "day_start_hour",
    "bury": "bury_siblings",
    "leech": "leech_threshold",
    "weights": "parameters",
    "zone": "timezone",
    "tz": "timezone",
}


def canonical_key(key: str) -> str:
    """The field name for a key or alias (`retention` -> `desired_retention`)."""
    name = key.strip().lower().replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in FIELD_NAMES:
        known = ", ".join(FIELD_NAMES)
        raise StudyError(f"unknown setting {key!r}; known settings: {known}")
    return name


def _coerce(name: str, value: Any) -> Any:
    """A JSON-decoded value made into the field's type, checked; raises ValueError/TypeError."""
    default = getattr(DEFAULTS, name)
    if name == "parameters":
        if value is None:
            return None
        from studydl.engine.fsrs_model import check_parameters

        return check_parameters(value)
    if name == "deck_limits":
        if not isinstance(value, dict):
            raise TypeError("expected an object {deck: [new, reviews]}")
        limits = {}
        for deck, pair in value.items():
            new, rev = (int(x) for x in pair)
            if new < 0 or rev < 0:
                raise ValueError("limits cannot be negative")
            limits[str(deck)] = (new, rev)
        return limits
    if name == "timezone":
        text = str(value).strip()
        if text:
            zone_named(text)  # raises ValueError for an unknown zone
        return text
    if isinstance(default, bool):
        if isinstance(value, str):
            lowered = value.lower()
            if lowered not in {"true", "false", "on", "off", "yes", "no", "1", "0"}:
                raise ValueError("expected on/off")
            return lowered in {"true", "on", "yes", "1"}
        return bool(value)
    if isinstance(default, tuple):
        steps = tuple(float(x) for x in value)
        if any(s <= 0 for s in steps):
            raise ValueError("steps must be positive minutes")
        return steps
    if isinstance(default, float):
        number = float(value)
        if name == "desired_retention" and not 0.7 <= number <= 0.99:
            raise ValueError("desired retention must be between 0.7 and 0.99")
        return number
    if isinstance(default, int):
        number = int(value)
        if name == "day_start_hour" and not 0 <= number <= 23:
            raise ValueError("day start hour must be 0-23")
        if name == "maximum_interval" and number < 1:
            raise ValueError("maximum interval must be at least 1 day")
        if number < 0:
            raise ValueError("must not be negative")
        return number
    return str(value)


def _to_json(name: str, value: Any) -> str:
    if name == "deck_limits":
        return json.dumps({deck: list(pair) for deck, pair in value.items()}, sort_keys=True)
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def parse_setting(key: str, text: str) -> tuple[str, Any]:
    """Parse a value typed by the user: `0.85`, `on`, `1 10` / `1,10`, JSON, `default`."""
    name = canonical_key(key)
    raw = text.strip()
    if raw.lower() in {"default", "reset"}:
        return name, getattr(DEFAULTS, name)
    default = getattr(DEFAULTS, name)
    try:
        if isinstance(default, tuple) or name == "parameters":
            value: Any = json.loads(raw) if raw.startswith("[") else raw.replace(",", " ").split()
        elif name == "deck_limits" or raw.startswith(("{", "[")):
            value = json.loads(raw)
        else:
            value = raw
        return name, _coerce(name, value)
    except (ValueError, TypeError) as exc:
        raise StudyError(f"bad value for {name}: {text!r} ({exc})") from exc


def with_value(settings: Settings, name: str, value: Any) -> Settings:
    """A copy with one field changed (by its canonical name)."""
    return replace(settings, **{name: value})


RECOMPUTE_PENDING = "recompute_memory_states"
"""A settings key migration 0005 leaves in databases written before study-day scheduling:
their memory states are recomputed from the log once, on the next load, and the key removed."""


def settings_from_rows(rows: dict[str, str]) -> Settings:
    """Settings from stored (key, JSON value) rows; a missing or unreadable value is its default."""
    values: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name in rows:
            try:
                values[name] = _coerce(name, json.loads(rows[name]))
            except (ValueError, TypeError):
                continue
    return Settings(**values)


def load_settings(db: Database) -> Settings:
    """The stored settings, read afresh (finishing a pending upgrade of the memory states first)."""
    with db.read() as s:
        rows = dict(s.execute(select(SettingRow.key, SettingRow.value)).all())
    settings = settings_from_rows(rows)
    if RECOMPUTE_PENDING in rows:
        from studydl.engine.recompute import finish_upgrade

        finish_upgrade(db, settings)
    return settings


def changed_fields(before: Settings, after: Settings) -> dict[str, Any]:
    """The fields whose values differ, by name."""
    return {name: getattr(after, name) for name in FIELD_NAMES if getattr(before, name) != getattr(after, name)}


def save_changes(db: Database, changes: dict[str, Any]) -> Settings:
    """Write only these fields (one transaction), leaving every other stored value as it is.

    Field by field, so a screen that changed the theme never writes back parameters it
    read earlier (another process may have optimized them since). Returns the settings
    as stored afterwards.
    """
    values = {}
    for key, value in changes.items():
        name = canonical_key(key)
        try:
            values[name] = _coerce(name, value)
        except (ValueError, TypeError) as exc:
            raise StudyError(f"bad value for {name}: {value!r} ({exc})") from exc
    if values:
        with db.write() as s:
            for name, value in values.items():
                upsert_setting(s, name, _to_json(name, value))
    return load_settings(db)


def upsert_setting(s: Any, key: str, value: str) -> None:
    """Insert or replace one stored setting (a JSON value) inside a write session."""
    upsert(s, SettingRow, {"key": key, "value": value}, [SettingRow.key])


def save_setting(db: Database, name: str, value: Any) -> Settings:
    """Change one setting (read-modify-write inside one write transaction); returns the result."""
    name = canonical_key(name)
    if isinstance(value, str):
        value = parse_setting(name, value)[1]
    else:
        try:
            value = _coerce(name, value)
        except (ValueError, TypeError) as exc:
            raise StudyError(f"bad value for {name}: {value!r} ({exc})") from exc
    with db.write() as s:
        upsert_setting(s, name, _to_json(name, value))
    return load_settings(db)


def display_value(settings: Settings, name: str) -> str:
    """A setting as `studydl settings` prints it."""
    value = getattr(settings, name)
    if value is None:
        return "default"
    if name == "timezone" and not value:
        return f"system ({getattr(local_zone(), 'key', 'UTC')})"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(f"{x:g}" if name != "parameters" else f"{x:.4f}" for x in value)
    if isinstance(value, dict):
        return ", ".join(f"{deck}={new}/{rev}" for deck, (new, rev) in sorted(value.items())) or "(none)"
    return str(value)
