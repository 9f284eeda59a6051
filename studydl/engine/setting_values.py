"""The review settings as values: the dataclass, each field's label, and typed text checked into values.

No database here (engine/settings.py stores them) and nothing heavy to import, so
the quick read paths (`studydl due`) and the app's start-up can read settings
without loading the ORM. Every check answers in words a learner can act on
(`enter a number from 0.70 to 0.99`), never Python's (`could not convert string to
float: ''`); a form with several bad fields gets every problem at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from studydl.domain.days import StudyDays, local_zone, zone_named
from studydl.domain.errors import StudyError


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
    """Lapses (Again on a review card) that make a card a leech; 0: never."""
    leech_suspend: bool = True
    """A new leech is suspended (else only marked)."""
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


RECOMPUTE_PENDING = "recompute_memory_states"
"""A settings key migration 0005 leaves in databases written before study-day scheduling:
their memory states are recomputed from the log once, on the next load, and the key removed."""

DEFAULTS = Settings()
FIELD_NAMES = tuple(f.name for f in fields(Settings))


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str
    hint: str


FIELDS = {
    f.name: f
    for f in (
        FieldInfo("desired_retention", "Desired retention", "0.70-0.99: recall odds when due"),
        FieldInfo("new_per_day", "New cards per day", "per deck; 0 stops new cards"),
        FieldInfo("reviews_per_day", "Reviews per day", "per deck"),
        FieldInfo("learning_steps_min", "Learning steps", "e.g. 1m 10m; empty: none"),
        FieldInfo("relearning_steps_min", "Relearning steps", "after Again on a review; e.g. 10m"),
        FieldInfo("maximum_interval", "Maximum interval", "days, 1-36500"),
        FieldInfo("fuzz", "Fuzz", "spread review dates a little"),
        FieldInfo("bury_siblings", "Bury siblings", "a note's other cards wait a day"),
        FieldInfo("leech_threshold", "Leech threshold", "lapses; 0: never"),
        FieldInfo("leech_suspend", "Leech action", "suspend, or only mark it"),
        FieldInfo("day_start_hour", "Day starts at", "local hour, 0-23"),
        FieldInfo("timezone", "Time zone", "e.g. Europe/Berlin; empty: system"),
        FieldInfo("theme", "Theme", "colours of the app"),
        FieldInfo("deck_limits", "Per-deck limits", "new/reviews per day for one deck"),
        FieldInfo("parameters", "FSRS parameters", "fitted by `studydl optimize`"),
    )
}
"""Every setting's label and hint, in the order the settings screen shows them."""

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
    "leech_action": "leech_suspend",
    "weights": "parameters",
    "zone": "timezone",
    "tz": "timezone",
}

MAX_PER_DAY = 99_999
MAX_INTERVAL = 36_500
ON = {"on", "true", "yes", "1"}
OFF = {"off", "false", "no", "0"}
LEECH_ACTIONS = {"suspend": True, "tag": False, "tag only": False, "mark": False}


class BadValue(StudyError):
    """One field's typed value is not usable; the message says what to enter instead."""


class SettingsInvalid(StudyError):
    """Several fields at once: `problems` maps each bad field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{label_of(name)}: {message}" for name, message in problems.items()))


def label_of(name: str) -> str:
    info = FIELDS.get(name)
    return info.label if info else name


def canonical_key(key: str) -> str:
    """The field name for a key or alias (`retention` -> `desired_retention`)."""
    name = key.strip().lower().replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in FIELD_NAMES:
        known = ", ".join(FIELD_NAMES)
        raise StudyError(f"unknown setting {key!r}; known settings: {known}")
    return name


# -- typed text -> values ---------------------------------------------------------


def _whole(text: str, low: int, high: int, what: str) -> int:
    raw = text.strip()
    if not raw:
        raise BadValue(f"empty: enter {what}")
    if not re.fullmatch(r"[+-]?\d+", raw.replace(",", "").replace("_", "")):
        raise BadValue(f"{raw!r} is not a whole number; enter {what}")
    number = int(raw.replace(",", "").replace("_", ""))
    if not low <= number <= high:
        raise BadValue(f"{number} is out of range; enter {what}")
    return number


def _retention(text: str) -> float:
    raw = text.strip().removesuffix("%").strip()
    what = "a number from 0.70 to 0.99 (e.g. 0.90)"
    if not raw:
        raise BadValue(f"empty: enter {what}")
    try:
        number = float(raw)
    except ValueError:
        raise BadValue(f"{text.strip()!r} is not a number; enter {what}") from None
    if text.strip().endswith("%") or 1 < number < 100:
        number /= 100  # `90%` or `90`: a percentage
    if not 0.7 <= number <= 0.99:
        raise BadValue(f"{text.strip()} is out of range; enter {what}")
    return round(number, 4)


STEP_UNITS = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}


def _steps(text: str) -> tuple[float, ...]:
    """`1m 10m`, `1 10` (minutes), `30s 1h 1d`, `1, 10`, or a JSON list of minutes; empty: none."""
    raw = text.strip()
    try:
        words: list[Any] = json.loads(raw) if raw.startswith("[") else raw.replace(",", " ").split()
    except ValueError:
        raise BadValue(f"{raw!r} is not a list of steps; write steps like 1m 10m 1h 1d") from None
    if not isinstance(words, list):
        raise BadValue(f"{raw!r} is not a list of steps; write steps like 1m 10m 1h 1d")
    steps = []
    for word in words:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", str(word).strip().lower())
        if match is None:
            raise BadValue(f"{str(word)!r} is not a length of time; write steps like 1m 10m 1h 1d")
        minutes = float(match.group(1)) * STEP_UNITS[match.group(2) or "m"]
        if minutes <= 0:
            raise BadValue("each step must be longer than zero")
        steps.append(round(minutes, 4))
    return tuple(steps)


def _switch(text: str) -> bool:
    raw = text.strip().lower()
    if raw in ON:
        return True
    if raw in OFF:
        return False
    raise BadValue(f"{text.strip()!r}: enter on or off")


def _leech_action(text: str) -> bool:
    raw = text.strip().lower()
    if raw in LEECH_ACTIONS:
        return LEECH_ACTIONS[raw]
    if raw in ON | OFF:
        return raw in ON
    raise BadValue(f"{text.strip()!r}: enter suspend or tag (only mark the card)")


def _zone(text: str) -> str:
    raw = text.strip()
    if not raw or raw.lower() == "system":
        return ""
    try:
        zone_named(raw)
    except ValueError:
        import difflib
        import zoneinfo

        close = difflib.get_close_matches(raw, sorted(zoneinfo.available_timezones()), n=1)
        hint = f" (did you mean {close[0]}?)" if close else " such as Europe/Berlin or America/New_York"
        raise BadValue(f"{raw!r} is not a time zone name; enter one{hint}, or leave it empty for this computer's") from None
    return raw


def _deck_limits(text: str) -> dict[str, tuple[int, int]]:
    """`{"Deck": [10, 100]}` (JSON), or `Deck=10/100, Other=5/50`; empty: none."""
    raw = text.strip()
    if not raw or raw == "(none)":
        return {}
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BadValue(f"not valid JSON ({exc.msg}); write {{\"Deck\": [10, 100]}} or Deck=10/100") from None
        pairs = [(deck, value) for deck, value in data.items()]
    else:
        pairs = []
        for part in raw.split(","):
            deck, sep, value = part.rpartition("=")
            if not sep or "/" not in value:
                raise BadValue(f"{part.strip()!r}: write each deck as Deck=new/reviews, e.g. Transformers=10/100")
            pairs.append((deck.strip(), value.split("/")))
    limits = {}
    for deck, value in pairs:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise BadValue(f"{deck}: give two numbers, new cards and reviews per day")
        new, reviews = (_whole(str(v), 0, MAX_PER_DAY, "a whole number of cards") for v in value)
        limits[str(deck)] = (new, reviews)
    return limits


def _parameters(text: str) -> tuple[float, ...] | None:
    from studydl.engine.fsrs_model import check_parameters

    raw = text.strip()
    try:
        values = json.loads(raw) if raw.startswith("[") else [float(x) for x in raw.replace(",", " ").split()]
        return check_parameters(values)
    except (ValueError, TypeError) as exc:
        raise BadValue(f"not a set of FSRS parameters ({exc}); `studydl optimize` fits them, `default` resets them") from None


PARSERS: dict[str, Any] = {
    "desired_retention": _retention,
    "learning_steps_min": _steps,
    "relearning_steps_min": _steps,
    "maximum_interval": lambda t: _whole(t, 1, MAX_INTERVAL, f"a whole number of days from 1 to {MAX_INTERVAL:,}"),
    "fuzz": _switch,
    "new_per_day": lambda t: _whole(t, 0, MAX_PER_DAY, "a whole number of cards (0 or more)"),
    "reviews_per_day": lambda t: _whole(t, 0, MAX_PER_DAY, "a whole number of cards (0 or more)"),
    "day_start_hour": lambda t: _whole(t, 0, 23, "an hour from 0 to 23"),
    "timezone": _zone,
    "bury_siblings": _switch,
    "leech_threshold": lambda t: _whole(t, 0, 99, "a number of lapses from 0 (never) to 99"),
    "leech_suspend": _leech_action,
    "theme": lambda t: t.strip() or DEFAULTS.theme,
    "parameters": _parameters,
    "deck_limits": _deck_limits,
}


def parse_value(name: str, text: str) -> Any:
    """One field's value from typed text; `default` (or `reset`) gives its default. Raises BadValue."""
    if text.strip().lower() in {"default", "reset"}:
        return getattr(DEFAULTS, name)
    return PARSERS[name](text)


def parse_values(texts: dict[str, str]) -> dict[str, Any]:
    """Every field's value from typed text; raises SettingsInvalid naming every bad field at once."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, text in texts.items():
        name = canonical_key(key)
        try:
            values[name] = parse_value(name, text)
        except BadValue as exc:
            problems[name] = str(exc)
    if problems:
        raise SettingsInvalid(problems)
    return values


def parse_setting(key: str, text: str) -> tuple[str, Any]:
    """One value typed by the user (`studydl settings KEY VALUE`); the message names the field."""
    name = canonical_key(key)
    try:
        return name, parse_value(name, text)
    except BadValue as exc:
        raise StudyError(f"{name}: {exc}") from exc


# -- stored JSON <-> values ---------------------------------------------------------


def coerce(name: str, value: Any) -> Any:
    """A stored (JSON-decoded) or programmatic value as the field's type, checked; raises BadValue."""
    if isinstance(value, str):
        return parse_value(name, value)
    if name == "parameters":
        return None if value is None else _parameters(json.dumps(list(value)))
    if name == "deck_limits":
        if not isinstance(value, dict):
            raise BadValue("expected an object {deck: [new, reviews]}")
        return _deck_limits(json.dumps({str(k): list(v) for k, v in value.items()}))
    default = getattr(DEFAULTS, name)
    if isinstance(default, tuple):
        try:
            return _steps(json.dumps([float(x) for x in value]))
        except (TypeError, ValueError):
            raise BadValue("expected a list of minutes") from None
    if isinstance(default, bool) and not isinstance(value, str):
        return bool(value)
    if isinstance(default, int | float) and not isinstance(default, bool):
        if not isinstance(value, int | float):
            raise BadValue(f"expected a number, not {value!r}")
        value = repr(float(value)) if isinstance(default, float) else str(int(value))
    return parse_value(name, str(value))


def to_json(name: str, value: Any) -> str:
    if name == "deck_limits":
        return json.dumps({deck: list(pair) for deck, pair in value.items()}, sort_keys=True)
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def settings_from_rows(rows: dict[str, str]) -> Settings:
    """Settings from stored (key, JSON value) rows; a missing or unreadable value is its default."""
    values: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name in rows:
            try:
                values[name] = coerce(name, json.loads(rows[name]))
            except (ValueError, TypeError, StudyError):
                continue
    return Settings(**values)


def with_value(settings: Settings, name: str, value: Any) -> Settings:
    """A copy with one field changed (by its canonical name)."""
    return replace(settings, **{name: value})


def changed_fields(before: Settings, after: Settings) -> dict[str, Any]:
    """The fields whose values differ, by name."""
    return {name: getattr(after, name) for name in FIELD_NAMES if getattr(before, name) != getattr(after, name)}


# -- values -> text -----------------------------------------------------------------


def format_step(minutes: float) -> str:
    """`30s`, `10m`, `2h`, `1d`: a step in the largest unit that divides it."""
    for unit, size in (("d", 1440.0), ("h", 60.0), ("m", 1.0)):
        if minutes >= size and (minutes / size).is_integer():
            return f"{minutes / size:g}{unit}"
    seconds = minutes * 60
    return f"{seconds:g}s" if seconds.is_integer() else f"{minutes:g}m"


def form_text(settings: Settings, name: str) -> str:
    """A setting as the settings screen's text field shows it (and reads it back)."""
    value = getattr(settings, name)
    if name in ("learning_steps_min", "relearning_steps_min"):
        return " ".join(format_step(m) for m in value)
    if name == "leech_suspend":
        return "suspend" if value else "tag"
    if name == "deck_limits":
        return ", ".join(f"{deck}={new}/{rev}" for deck, (new, rev) in sorted(value.items()))
    if name == "parameters":
        return "" if value is None else " ".join(f"{x:.4f}" for x in value)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def display_value(settings: Settings, name: str) -> str:
    """A setting as `studydl settings` prints it."""
    value = getattr(settings, name)
    if value is None:
        return "default"
    if name == "timezone" and not value:
        return f"system ({getattr(local_zone(), 'key', 'UTC')})"
    if name == "deck_limits" and not value:
        return "(none)"
    if name in ("learning_steps_min", "relearning_steps_min") and not value:
        return "(none)"
    return form_text(settings, name)
