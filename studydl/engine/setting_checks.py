"""Typed and stored setting values checked into values, in words a learner can act on.

Every check says what to enter (`empty: enter a number from 0.70 to 0.99`), never
Python's (`could not convert string to float: ''`); a form or a command with several
bad fields gets every problem at once (SettingsInvalid). Nothing heavy to import.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from typing import Any

from studydl.domain.days import zone_named
from studydl.domain.errors import StudyError
from studydl.engine.setting_values import (
    DEFAULT_PRESET,
    DEFAULTS,
    EASY_DAY_LOADS,
    FSRS_VERSION,
    GLOBAL_FIELDS,
    NEW_ORDERS,
    NEW_REVIEW_MIXES,
    PRESET_FIELDS,
    REVIEW_ORDERS,
    WEEKDAYS,
    PresetOptions,
    Settings,
    canonical_key,
    label_of,
)

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


def _choice(choices: dict[str, str]) -> Callable[[str], str]:
    """A parser for one of `choices` (by name, `_` or `-` alike, or by its description)."""

    def parse(text: str) -> str:
        raw = text.strip().lower().replace("_", "-")
        for name, words in choices.items():
            if raw in (name, words, words.replace(",", "")):
                return name
        raise BadValue(f"{text.strip()!r}: enter one of {', '.join(choices)}")

    return parse


def _easy_days(text: str) -> tuple[float, ...]:
    """`normal`; `Sun=minimum Sat=reduced` (the days not named are normal); seven words; or seven loads as JSON."""
    raw = text.strip()
    how = "write e.g. Sun=minimum Sat=reduced (the other days normal), or seven of normal/reduced/minimum"
    if raw.startswith("["):
        try:
            values = [float(v) for v in json.loads(raw)]
        except (ValueError, TypeError):
            raise BadValue(f"{raw!r} is not a list of seven loads; {how}") from None
        if len(values) != 7 or any(v not in EASY_DAY_LOADS.values() for v in values):
            raise BadValue(f"{raw!r}: give seven loads, each 1 (normal), 0.5 (reduced) or 0 (minimum)")
        loads = tuple(values)
    else:
        words = raw.replace(",", " ").lower().split()
        days = [d.lower() for d in WEEKDAYS]
        loads_list = [1.0] * 7
        if len(words) == 7 and all(w in EASY_DAY_LOADS for w in words):
            loads_list = [EASY_DAY_LOADS[w] for w in words]
        elif words != ["normal"]:
            for word in words:
                day, sep, load = word.partition("=")
                if not sep or day[:3] not in days or load not in EASY_DAY_LOADS:
                    raise BadValue(f"{word!r}: {how}")
                loads_list[days.index(day[:3])] = EASY_DAY_LOADS[load]
        loads = tuple(loads_list)
    if 1.0 not in loads:
        raise BadValue("at least one day should be set to normal (Anki's rule)")
    return loads


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
    "review_order": _choice(REVIEW_ORDERS),
    "new_order": _choice(NEW_ORDERS),
    "new_review_mix": _choice(NEW_REVIEW_MIXES),
    "easy_days": _easy_days,
    "load_balancer": _switch,
    "lapse_prerequisite": lambda t: _whole(t, 0, 99, "a number of lapses from 0 (never) to 99"),
    "images": _choice({"auto": "pixels where the terminal shows them", "cells": "character cells", "none": "no pictures"}),
}


def parse_value(name: str, text: str) -> Any:
    """One field's value from typed text; `default` (or `reset`) gives its default. Raises BadValue."""
    if text.strip().lower() in {"default", "reset"}:
        return getattr(DEFAULTS, name)
    return PARSERS[name](text)


def convert_fields(items: dict[str, Any], convert: Callable[[str, Any], Any]) -> dict[str, Any]:
    """Each field's value through `convert` (by canonical name); raises SettingsInvalid naming every bad field at once."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, item in items.items():
        name = canonical_key(key)
        try:
            values[name] = convert(name, item)
        except BadValue as exc:
            problems[name] = str(exc)
    if problems:
        raise SettingsInvalid(problems)
    return values


def parse_values(texts: dict[str, str]) -> dict[str, Any]:
    """Every field's value from typed text; raises SettingsInvalid naming every bad field at once."""
    return convert_fields(texts, parse_value)


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
    if name == "easy_days":
        try:
            return _easy_days(json.dumps([float(x) for x in value]))
        except (TypeError, ValueError):
            raise BadValue("expected seven loads") from None
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


def _read_fields(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Each named field's stored (JSON-decoded) value, checked; a missing or unreadable one is left out (its default)."""
    out: dict[str, Any] = {}
    for name in names:
        if name in values:
            try:
                out[name] = coerce(name, values[name])
            except (ValueError, TypeError, StudyError):
                continue
    return out


def preset_from_row(options: str | None, parameters: str | None, fsrs_version: int | None) -> PresetOptions:
    """A preset from its stored row: the options JSON, the parameters JSON and the model version."""
    try:
        values = json.loads(options) if options else {}
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    if parameters:
        with contextlib.suppress(ValueError):
            values["parameters"] = json.loads(parameters)
    fields = _read_fields(values, PRESET_FIELDS)
    return PresetOptions(**fields, fsrs_version=int(fsrs_version or FSRS_VERSION))


def preset_options_json(options: PresetOptions) -> str:
    """The stored form of a preset's options (everything but the parameters, which have columns)."""
    from studydl.engine.setting_values import to_json

    return json.dumps(
        {name: json.loads(to_json(name, getattr(options, name))) for name in PRESET_FIELDS if name != "parameters"},
        sort_keys=True,
    )


def settings_from_rows(
    rows: dict[str, str],
    presets: dict[str, PresetOptions] | None = None,
    deck_presets: dict[str, str] | None = None,
    deck_retention: dict[str, float] | None = None,
) -> Settings:
    """Settings from stored rows: the global (key, JSON value) rows, the presets by name and the decks' choices.

    A missing or unreadable value is its default; without a stored Default preset, the defaults.
    """
    values: dict[str, Any] = {}
    for name in GLOBAL_FIELDS:
        if name in rows:
            try:
                values[name] = json.loads(rows[name])
            except ValueError:
                continue
    presets = dict(presets or {})
    default = presets.pop(DEFAULT_PRESET, PresetOptions())
    own = {name: getattr(default, name) for name in (*PRESET_FIELDS, "fsrs_version")}
    return Settings(
        **_read_fields(values, GLOBAL_FIELDS),
        **own,
        presets=presets,
        deck_presets=dict(deck_presets or {}),
        deck_retention=dict(deck_retention or {}),
    )
