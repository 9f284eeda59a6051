"""The review settings as values: the dataclass, each field's label and hint, values as text.

No database here (engine/settings.py stores them) and nothing heavy to import, so
the quick read paths (`studydl due`) and the app's start-up can read settings
without loading the ORM. Typed text is checked into values by engine/setting_checks.py.
"""

from __future__ import annotations

import json
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
    lapse_prerequisite: int = 2
    """Lapses of a card within a week that offer its weakest prerequisite section next; 0: never
    (studydl.course.lapse_offer)."""
    images: str = "auto"
    """Pictures in the terminal: `auto` (pixels where the terminal shows them), `cells` or `none`."""

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
        FieldInfo("lapse_prerequisite", "Lapse → prerequisite", "lapses in a week that offer a prerequisite; 0: never"),
        FieldInfo("images", "Pictures", "auto, cells or none"),
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


def to_json(name: str, value: Any) -> str:
    if name == "deck_limits":
        return json.dumps({deck: list(pair) for deck, pair in value.items()}, sort_keys=True)
    return json.dumps(list(value) if isinstance(value, tuple) else value)


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
