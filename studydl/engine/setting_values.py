"""The review settings as values: the dataclass, each field's label and hint, values as text.

No database here (engine/settings.py stores them) and nothing heavy to import, so
the quick read paths (`studydl due`) and the app's start-up can read settings
without loading the ORM. Typed text is checked into values by engine/setting_checks.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from studydl.domain.days import StudyDays, local_zone, zone_named
from studydl.domain.errors import StudyError

DEFAULT_PRESET = "Default"
"""The preset every deck uses until it is given another (Anki's "Default")."""
FSRS_VERSION = 6
"""The FSRS model the scheduler runs (fsrs-rs-python's FSRS-6); stored with every parameter set."""

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EASY_DAY_LOADS = {"normal": 1.0, "reduced": 0.5, "minimum": 0.0}
"""Easy Days: each weekday's review load, as Anki stores it (1.0, 0.5, 0.0)."""
REVIEW_ORDERS = {
    "due": "due date, then random",
    "due-deck": "due date, then deck",
    "deck-due": "deck, then due date",
    "interval-asc": "ascending intervals",
    "interval-desc": "descending intervals",
    "difficult-first": "difficult cards first",
    "easy-first": "easy cards first",
    "retrievability-asc": "ascending retrievability",
    "retrievability-desc": "descending retrievability",
    "overdueness": "relative overdueness",
    "random": "random",
    "added": "order added",
    "reverse-added": "reverse order added",
}
"""Anki's review sort orders (`ReviewCardOrder`), by the name studydl gives them; ties random."""
NEW_ORDERS = {"file": "as in the file", "random": "random"}
NEW_REVIEW_MIXES = {"mix": "mix with reviews", "after": "after reviews", "before": "before reviews"}


@dataclass
class PresetOptions:
    """The options a preset holds (Anki's deck-options preset); decks share one preset."""

    desired_retention: float = 0.9
    """Target probability of recall when a review card comes due (0.7-0.99)."""
    learning_steps_min: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_min: tuple[float, ...] = (10.0,)
    maximum_interval: int = 36500
    """Days."""
    new_per_day: int = 20
    reviews_per_day: int = 200
    bury_siblings: bool = True
    leech_threshold: int = 8
    """Lapses (Again on a review card) that make a card a leech; 0: never."""
    leech_suspend: bool = True
    """A new leech is suspended (else only marked)."""
    review_order: str = "due"
    """One of REVIEW_ORDERS."""
    new_order: str = "file"
    """One of NEW_ORDERS."""
    new_review_mix: str = "mix"
    """Where new cards go among the reviews: one of NEW_REVIEW_MIXES."""
    easy_days: tuple[float, ...] = (1.0,) * 7
    """Monday to Sunday: 1.0 normal, 0.5 reduced, 0.0 minimum review load."""
    parameters: tuple[float, ...] | None = None
    """FSRS parameters fitted by `studydl optimize`; None means FSRS-6's defaults."""
    fsrs_version: int = FSRS_VERSION
    """The FSRS model `parameters` are for (stored with them; see FSRS_VERSION)."""

    def preset_options(self) -> PresetOptions:
        """This preset's options alone (a Settings' own preset, without the globals)."""
        return PresetOptions(**{name: getattr(self, name) for name in OPTION_FIELDS})


@dataclass
class Settings(PresetOptions):
    """Everything the scheduler and the session rules read; defaults follow Anki/FSRS.

    The preset fields (inherited) are those of the preset named `preset`; `presets`
    holds every other preset, and `for_deck` gives the view of the preset a deck uses.
    """

    fuzz: bool = True
    """Spread review intervals a little (reproducibly: see engine.scheduler)."""
    load_balancer: bool = True
    """Within an interval's fuzz range, prefer the days with fewer reviews (Anki's load balancer)."""
    day_start_hour: int = 4
    """Local hour at which a study day begins (limits, burying, elapsed days)."""
    timezone: str = ""
    """The learner's IANA zone (e.g. `Europe/Berlin`); empty: the system's zone."""
    theme: str = "textual-dark"
    deck_limits: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per-deck (new, review) daily limits overriding the preset's, by deck name."""
    preset: str = DEFAULT_PRESET
    """The preset the preset fields above belong to."""
    presets: dict[str, PresetOptions] = field(default_factory=dict)
    """Every other preset, by name."""
    deck_presets: dict[str, str] = field(default_factory=dict)
    """Deck name -> preset name; a deck not named uses the Default preset."""
    deck_retention: dict[str, float] = field(default_factory=dict)
    """Deck name -> desired retention overriding its preset's (Anki's per-deck override)."""
    lapse_prerequisite: int = 2
    """Lapses of a card within a week that offer its weakest prerequisite section next; 0: never
    (studydl.course.lapse_offer)."""
    images: str = "auto"
    """Pictures in the terminal: `auto` (pixels where the terminal shows them), `cells` or `none`."""

    def preset_names(self) -> list[str]:
        """Every preset, Default first, then by name."""
        others = sorted({self.preset, *self.presets} - {DEFAULT_PRESET}, key=str.lower)
        return [DEFAULT_PRESET, *others]

    def options_of(self, name: str) -> PresetOptions:
        """One preset's options (KeyError when there is no such preset; Default always exists)."""
        if name == self.preset:
            return self.preset_options()
        if name in self.presets:
            return self.presets[name]
        if name == DEFAULT_PRESET:
            return PresetOptions()
        raise KeyError(name)

    def for_preset(self, name: str) -> Settings:
        """These settings seen through preset `name` (its fields in place of the current preset's)."""
        if name == self.preset:
            return self
        options = self.options_of(name)
        others = {k: v for k, v in self.presets.items() if k != name}
        others[self.preset] = self.preset_options()
        values = {n: getattr(options, n) for n in OPTION_FIELDS}
        return replace(self, **values, preset=name, presets=others)

    def preset_of(self, deck: str) -> str:
        """The preset a deck uses."""
        name = self.deck_presets.get(deck, DEFAULT_PRESET)
        return name if name == self.preset or name in self.presets else DEFAULT_PRESET

    def for_deck(self, deck: str) -> Settings:
        """The settings a deck is scheduled with: its preset's, and its own desired retention if it has one."""
        seen = self.for_preset(self.preset_of(deck))
        retention = self.deck_retention.get(deck)
        return seen if retention is None or retention == seen.desired_retention else replace(seen, desired_retention=retention)

    def decks_of(self, preset: str, decks: Iterable[str]) -> list[str]:
        """The decks among `decks` that use `preset`."""
        return [deck for deck in decks if self.preset_of(deck) == preset]

    def limits_for(self, deck: str) -> tuple[int, int]:
        """The (new, review) daily limits of a deck: its own, else its preset's."""
        if deck in self.deck_limits:
            return self.deck_limits[deck]
        options = self.options_of(self.preset_of(deck))
        return options.new_per_day, options.reviews_per_day

    def study_days(self) -> StudyDays:
        """The owner of "which study day is it" for these settings (zone and day start)."""
        zone = zone_named(self.timezone) if self.timezone else local_zone()
        return StudyDays(zone, self.day_start_hour)


OPTION_FIELDS = tuple(f.name for f in fields(PresetOptions))
PRESET_FIELDS = tuple(name for name in OPTION_FIELDS if name != "fsrs_version")
"""The options each preset has that a learner sets (the model version travels with the parameters)."""
GLOBAL_FIELDS = ("fuzz", "load_balancer", "day_start_hour", "timezone", "theme", "deck_limits", "lapse_prerequisite", "images")
"""The options shared by every preset (Anki: the collection's preferences)."""

RECOMPUTE_PENDING = "recompute_memory_states"
"""A settings key migration 0005 leaves in databases written before study-day scheduling:
their memory states are recomputed from the log once, on the next load, and the key removed."""

DEFAULTS = Settings()
FIELD_NAMES = PRESET_FIELDS + GLOBAL_FIELDS
"""Every setting a learner can set by name."""


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
        FieldInfo("review_order", "Review order", "e.g. due, retrievability-asc, random"),
        FieldInfo("new_order", "New card order", "as in the file, or random"),
        FieldInfo("new_review_mix", "New among reviews", "mix, after or before reviews"),
        FieldInfo("easy_days", "Easy Days", "Mon-Sun: normal, reduced or minimum"),
        FieldInfo("fuzz", "Fuzz", "spread review dates a little"),
        FieldInfo("load_balancer", "Load balancer", "even out reviews across days"),
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
    "order": "review_order",
    "new_mix": "new_review_mix",
    "mix": "new_review_mix",
    "easy": "easy_days",
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
    if name == "easy_days":
        return easy_days_text(value)
    if name == "deck_limits":
        return ", ".join(f"{deck}={new}/{rev}" for deck, (new, rev) in sorted(value.items()))
    if name == "parameters":
        return "" if value is None else " ".join(f"{x:.4f}" for x in value)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def easy_days_text(loads: tuple[float, ...]) -> str:
    """`normal` for every day, else each weekday's load: `Sun=minimum Sat=reduced` (normal days left out)."""
    names = {load: word for word, load in EASY_DAY_LOADS.items()}
    marked = [f"{day}={names.get(load, load)}" for day, load in zip(WEEKDAYS, loads, strict=True) if load != 1.0]
    return " ".join(marked) if marked else "normal"


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
