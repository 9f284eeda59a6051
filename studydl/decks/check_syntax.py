"""The details that make a card check itself: `answer: typed`, and a predict card's keys.

A predict card is a `Q:`/`A:` card with a demo and these lines in its details block:

    predict: <metric>            a metric the demo declares (`studydl demo list`)
    tolerance: 0.05 | 10% | x10  how far a number may be off (absolute, relative, factor)
    choices: 0.5, 0.75, 1        or labelled: `no = 0, yes = 1` (instead of a tolerance)
    set: hidden=4, lr=0.1        parameters fixed for every review
    vary: lr=0.01..0.5, activation=relu|tanh
                                 parameters drawn anew at each review
    expect: 2 / curvature        the answer the card teaches: a formula of the
                                 parameters, or a choice's label (`check --evidence`)

Pure functions: the values of a details block in, an `AnswerCheck` or a message out.
With the catalogue's specs at hand (a mapping of demo id to DemoSpec) the metric and
the parameters are checked against the demo; with only ids, the syntax alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from studydl.decks.expect import ExpectError, parse_expect
from studydl.domain.checks import AnswerCheck, Choice, ParamRange, Prediction, Tolerance
from studydl.domain.demos import DemoSpec, Param, ParamValue

PREDICT_KEYS = ("predict", "tolerance", "choices", "set", "vary", "expect")
CHECK_KEYS = ("answer", *PREDICT_KEYS)
MAX_CHOICES = 6

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TOL_ABS = re.compile(rf"^(?:±|\+-|\+/-)?\s*({_NUMBER})$")
_TOL_REL = re.compile(rf"^(?:±|\+-|\+/-)?\s*({_NUMBER})\s*%$")
_TOL_FACTOR = re.compile(rf"^(?:x|×|\*)\s*({_NUMBER})$", re.IGNORECASE)
_RANGE = re.compile(rf"^({_NUMBER})\s*\.\.\s*({_NUMBER})$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


class CheckSyntaxError(ValueError):
    """A details value that cannot be read; its message is the deck problem."""

    def __init__(self, message: str, key: str = "predict") -> None:
        super().__init__(message)
        self.key = key
        """The details key whose line the problem is reported at."""


@contextmanager
def _about(key: str) -> Iterator[None]:
    """Report problems raised inside at the line of `key`."""
    try:
        yield
    except CheckSyntaxError as exc:
        raise CheckSyntaxError(str(exc), key) from None


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CheckSyntaxError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise CheckSyntaxError(f"{what}: {text!r} is not a finite number")
    return value


def parse_tolerance(text: str) -> Tolerance:
    """`0.05` / `±0.05` (absolute), `10%` (relative to the measured value), `x10` (within a factor)."""
    text = text.strip()
    if match := _TOL_REL.match(text):
        value = _number(match.group(1), "tolerance") / 100
        kind = "rel"
    elif match := _TOL_FACTOR.match(text):
        value = _number(match.group(1), "tolerance")
        if value <= 1:
            raise CheckSyntaxError(f"tolerance {text!r}: a factor must be above 1 (`x2`, `x10`)")
        return Tolerance("factor", value)
    elif match := _TOL_ABS.match(text):
        value = _number(match.group(1), "tolerance")
        kind = "abs"
    else:
        raise CheckSyntaxError(f"tolerance {text!r}: write a number (`0.05`), a percentage (`10%`) or a factor (`x10`)")
    if value <= 0:
        raise CheckSyntaxError(f"tolerance {text!r} must be above 0")
    return Tolerance(kind, value)


def parse_choices(text: str) -> tuple[Choice, ...]:
    """`0.25, 0.5, 0.75, 1` or `diverges = 1, converges = 0`: labels with the metric value each stands for."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    choices = []
    for item in items:
        label, sep, value = item.partition("=")
        label = label.strip()
        if sep:
            if not label:
                raise CheckSyntaxError(f"choice {item!r} has no label before `=`")
            number = _number(value.strip(), f"choice {label!r}")
        else:
            number = _number(label, "choices (a number, or `label = number`)")
        choices.append(Choice(label, number))
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise CheckSyntaxError(f"choices: give 2 to {MAX_CHOICES}, separated by commas (got {len(choices)})")
    labels = [c.label.casefold() for c in choices]
    if len(set(labels)) != len(labels):
        raise CheckSyntaxError("choices: a label is given twice")
    values = [c.value for c in choices]
    if len(set(values)) != len(values):
        raise CheckSyntaxError("choices: two choices stand for the same value")
    return tuple(choices)


def _assignments(text: str, key: str) -> list[tuple[str, str]]:
    out = []
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not _NAME.match(name) or not value:
            raise CheckSyntaxError(f"`{key}:` wants `name=value` pairs separated by commas, not {item!r}")
        out.append((name, value))
    if not out:
        raise CheckSyntaxError(f"`{key}:` needs at least one `name=value`")
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise CheckSyntaxError(f"`{key}:` names a parameter twice")
    return out


def param_value(param: Param, text: str) -> ParamValue:
    """A deck's text for a demo parameter, typed and range-checked as the demo declares it."""
    kind = param.kind
    raw = text.strip()
    if kind is bool:
        if raw.lower() not in _TRUE | _FALSE:
            raise CheckSyntaxError(f"{param.name}: expected true or false, got {raw!r}")
        return raw.lower() in _TRUE
    if kind is str:
        if param.choices is not None and raw not in param.choices:
            raise CheckSyntaxError(f"{param.name}: must be one of {', '.join(param.choices)}, got {raw!r}")
        return raw
    try:
        value: int | float = int(raw) if kind is int else float(raw)
    except ValueError:
        raise CheckSyntaxError(f"{param.name}: expected {'a whole number' if kind is int else 'a number'}, got {raw!r}") from None
    if param.min is not None and value < param.min:
        raise CheckSyntaxError(f"{param.name}: must be at least {param.min:g}, got {raw}")
    if param.max is not None and value > param.max:
        raise CheckSyntaxError(f"{param.name}: must be at most {param.max:g}, got {raw}")
    return value


def parse_range(name: str, text: str, param: Param | None) -> ParamRange:
    """`0.01..0.5` (numbers) or `relu|tanh` (options); checked against the demo's parameter when known."""
    if "|" in text:
        options = tuple(o.strip() for o in text.split("|"))
        if any(not o for o in options) or len(set(options)) != len(options) or len(options) < 2:
            raise CheckSyntaxError(f"vary {name}: give two or more different options, `a|b`")
        if param is not None:
            if param.kind in (int, float):
                raise CheckSyntaxError(f"vary {name}: a number parameter takes a range `low..high`")
            options = tuple(str(param_value(param, o)).lower() if param.kind is bool else o for o in options)
            for option in options:
                param_value(param, option)
        return ParamRange(name, options=options)
    match = _RANGE.match(text.strip())
    if not match:
        raise CheckSyntaxError(f"vary {name}: write a range `low..high` or options `a|b`, not {text!r}")
    low, high = (_number(match.group(i), f"vary {name}") for i in (1, 2))
    if not low < high:
        raise CheckSyntaxError(f"vary {name}: the range {text!r} must go from low to high")
    integer = all(float(v).is_integer() and "." not in match.group(i) for i, v in ((1, low), (2, high)))
    if param is not None:
        if param.kind not in (int, float):
            raise CheckSyntaxError(f"vary {name}: a {param.kind.__name__} parameter takes options `a|b`, not a range")
        integer = param.kind is int
        if integer and not (low.is_integer() and high.is_integer()):
            raise CheckSyntaxError(f"vary {name}: a whole-number parameter takes a whole-number range")
        for bound in (low, high):
            param_value(param, str(int(bound)) if integer else repr(bound))
    return ParamRange(name, low, high, integer=integer)


def read_check(
    details: Mapping[str, str],
    *,
    kind: str,
    demo_id: str | None,
    catalogue: Collection[str] | None,
) -> AnswerCheck:
    """The card's AnswerCheck from its details block's values; CheckSyntaxError with the problem."""
    typed = False
    if "answer" in details:
        if details["answer"].strip().lower() != "typed":
            raise CheckSyntaxError(f"`answer:` takes `typed` (the learner types the answer), not {details['answer']!r}", "answer")
        typed = True
    if "predict" not in details:
        stray = [k for k in PREDICT_KEYS if k in details]
        if stray:
            raise CheckSyntaxError(f"`{stray[0]}:` belongs to a predict card: add `predict: <metric>`", stray[0])
        return AnswerCheck(typed=typed)
    if typed:
        raise CheckSyntaxError("a predict card is answered with a prediction: drop `answer: typed`")
    if kind != "basic":
        raise CheckSyntaxError("`predict:` goes on a `Q:`/`A:` card")
    if demo_id is None:
        raise CheckSyntaxError("a predict card needs a demo: add `demo: <id>` (`studydl demo list`)")
    spec = catalogue.get(demo_id) if isinstance(catalogue, Mapping) else None
    return AnswerCheck(predict=_prediction(details, spec))


def _prediction(details: Mapping[str, str], spec: DemoSpec | None) -> Prediction:
    metric = details["predict"].strip()
    if not _NAME.match(metric):
        raise CheckSyntaxError(f"`predict:` names one metric of the demo, not {metric!r}")
    if spec is not None and spec.metric(metric) is None:
        known = ", ".join(m.name for m in spec.metrics) or "none declared"
        raise CheckSyntaxError(f"demo {spec.id!r} reports no metric {metric!r} (its metrics: {known})")
    has_tolerance, has_choices = "tolerance" in details, "choices" in details
    if has_tolerance == has_choices:
        raise CheckSyntaxError("a predict card needs either `tolerance:` (a number to predict) or `choices:` (pick one)")
    with _about("tolerance"):
        tolerance = parse_tolerance(details["tolerance"]) if has_tolerance else None
    with _about("choices"):
        choices = parse_choices(details["choices"]) if has_choices else ()
    fixed: dict[str, ParamValue] = {}
    with _about("set"):
        for name, value in _assignments(details["set"], "set") if "set" in details else []:
            param = _param(spec, name)
            fixed[name] = param_value(param, value) if param is not None else value
    vary = []
    with _about("vary"):
        for name, value in _assignments(details["vary"], "vary") if "vary" in details else []:
            if name in fixed:
                raise CheckSyntaxError(f"{name} is both set and varied: keep one")
            vary.append(parse_range(name, value, _param(spec, name)))
    with _about("expect"):
        expect = _expect(details["expect"], choices, spec) if "expect" in details else None
    return Prediction(metric, tolerance, choices, fixed, tuple(vary), expect)


def _expect(text: str, choices: tuple[Choice, ...], spec: DemoSpec | None) -> str:
    """A choice's label (any case), or a formula of the demo's parameters."""
    text = text.strip()
    if choices:
        for choice in choices:
            if text.casefold() == choice.label.casefold():
                return choice.label
        labels = ", ".join(c.label for c in choices)
        raise CheckSyntaxError(f"expect: {text!r} is not one of the choices ({labels})")
    try:
        parse_expect(text, [p.name for p in spec.params] if spec is not None else None)
    except ExpectError as exc:
        raise CheckSyntaxError(str(exc)) from None
    return text


def _param(spec: DemoSpec | None, name: str) -> Param | None:
    if spec is None:
        return None
    param = spec.param(name)
    if param is None:
        known = ", ".join(p.name for p in spec.params) or "none"
        raise CheckSyntaxError(f"demo {spec.id!r} has no parameter {name!r} (its parameters: {known})")
    return param
