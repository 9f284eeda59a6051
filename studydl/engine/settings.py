"""Review settings kept in the store: one SettingRow per field, its value as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from studydl.domain.errors import StudyError
from studydl.store.db import Database
from studydl.store.models import SettingRow


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
    """Local hour at which a study day begins (limits, burying)."""
    bury_siblings: bool = True
    leech_threshold: int = 8
    """Lapses (Again on a review card) that make a card a leech."""
    leech_suspend: bool = True
    theme: str = "textual-dark"
    parameters: tuple[float, ...] | None = None
    """FSRS parameters fitted by `studydl optimize`; None means fsrs's defaults."""
    deck_limits: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per-deck (new, review) daily limits overriding the two above, by deck name."""

    def limits_for(self, deck: str) -> tuple[int, int]:
        """The (new, review) daily limits of a deck."""
        return self.deck_limits.get(deck, (self.new_per_day, self.reviews_per_day))


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
        params = tuple(float(x) for x in value)
        from fsrs import Scheduler

        Scheduler(parameters=params)  # validates count and bounds
        return params
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


def load_settings(db: Database) -> Settings:
    """The stored settings; a missing or unreadable value falls back to its default."""
    with db.read() as s:
        rows = dict(s.execute(select(SettingRow.key, SettingRow.value)).all())
    values: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name in rows:
            try:
                values[name] = _coerce(name, json.loads(rows[name]))
            except (ValueError, TypeError):
                continue
    return Settings(**values)


def save_settings(db: Database, settings: Settings) -> None:
    """Write every field (one transaction); unknown keys other code stored are kept."""
    data = asdict(settings)
    with db.write() as s:
        for name in FIELD_NAMES:
            stmt = sqlite_insert(SettingRow).values(key=name, value=_to_json(name, data[name]))
            s.execute(stmt.on_conflict_do_update(index_elements=[SettingRow.key], set_={"value": stmt.excluded.value}))


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
        stmt = sqlite_insert(SettingRow).values(key=name, value=_to_json(name, value))
        s.execute(stmt.on_conflict_do_update(index_elements=[SettingRow.key], set_={"value": stmt.excluded.value}))
    return load_settings(db)


def display_value(settings: Settings, name: str) -> str:
    """A setting as `studydl settings` prints it."""
    value = getattr(settings, name)
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(f"{x:g}" if name != "parameters" else f"{x:.4f}" for x in value)
    if isinstance(value, dict):
        return ", ".join(f"{deck}={new}/{rev}" for deck, (new, rev) in sorted(value.items())) or "(none)"
    return str(value)
