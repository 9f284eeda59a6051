"""Cards that check themselves: a typed answer, or a prediction a demo settles.

Plain data, shared by the deck parser (which builds it from a card's details
block), the store (one JSON column on the card) and the review engine (which
compares an answer with it and proposes a rating). Nothing here runs a demo.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from studydl.domain.demos import ParamValue


@dataclass(frozen=True)
class Tolerance:
    """How far a predicted number may be from the measured one and still count as right."""

    kind: str
    """`abs` (±value), `rel` (±value as a fraction of the measured value) or `factor` (within ×value)."""
    value: float

    def error(self, predicted: float, measured: float) -> float:
        """How far off the prediction is, in tolerances: at most 1 is right."""
        if self.kind == "factor":
            if predicted <= 0 or measured <= 0:
                return 0.0 if predicted == measured else math.inf
            return abs(math.log(predicted / measured)) / math.log(self.value)
        allowed = self.value * abs(measured) if self.kind == "rel" else self.value
        if allowed == 0:
            return 0.0 if predicted == measured else math.inf
        return abs(predicted - measured) / allowed

    def describe(self) -> str:
        if self.kind == "rel":
            return f"±{self.value * 100:g}%"
        if self.kind == "factor":
            return f"within ×{self.value:g}"
        return f"±{self.value:g}"


@dataclass(frozen=True)
class Choice:
    """One answer a prediction may pick: a label and the value of the metric it stands for."""

    label: str
    value: float


@dataclass(frozen=True)
class ParamRange:
    """A demo parameter drawn anew at each review: a number range or a few options."""

    name: str
    low: float | None = None
    high: float | None = None
    options: tuple[str, ...] = ()
    integer: bool = False
    """Draw whole numbers (the parameter is an int)."""

    def describe(self) -> str:
        if self.options:
            return f"{self.name} = {'|'.join(self.options)}"
        return f"{self.name} = {self.low:g}..{self.high:g}"


@dataclass(frozen=True)
class Prediction:
    """A predict-then-run card: which metric of the card's demo the learner predicts, and how it is judged."""

    metric: str
    tolerance: Tolerance | None = None
    """For a number; None when the card has choices."""
    choices: tuple[Choice, ...] = ()
    """The learner picks one; the right one is the choice whose value is nearest the measured one."""
    fixed: dict[str, ParamValue] = field(default_factory=dict)
    """Parameters set for every review (`set:`)."""
    vary: tuple[ParamRange, ...] = ()
    """Parameters drawn anew at each review (`vary:`)."""
    expect: str | None = None
    """The answer the card teaches (`expect:`): a choice's label, or a formula of the parameters
    (`2 / curvature`); `studydl check --evidence` grades it against the demo's runs."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"metric": self.metric}
        if self.tolerance is not None:
            out["tolerance"] = [self.tolerance.kind, self.tolerance.value]
        if self.choices:
            out["choices"] = [[c.label, c.value] for c in self.choices]
        if self.fixed:
            out["set"] = dict(self.fixed)
        if self.expect is not None:
            out["expect"] = self.expect
        if self.vary:
            out["vary"] = [
                {"name": r.name, "low": r.low, "high": r.high, "options": list(r.options), "integer": r.integer}
                for r in self.vary
            ]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prediction:
        tolerance = data.get("tolerance")
        return cls(
            metric=str(data["metric"]),
            tolerance=Tolerance(str(tolerance[0]), float(tolerance[1])) if tolerance else None,
            choices=tuple(Choice(str(label), float(value)) for label, value in data.get("choices", [])),
            fixed=dict(data.get("set", {})),
            vary=tuple(
                ParamRange(r["name"], r.get("low"), r.get("high"), tuple(r.get("options", ())), bool(r.get("integer")))
                for r in data.get("vary", [])
            ),
            expect=data.get("expect"),
        )


@dataclass(frozen=True)
class AnswerCheck:
    """How a card checks the learner's answer beyond self-rating: typed, or predicted."""

    typed: bool = False
    """`answer: typed`: the learner types the answer and it is compared with the card's."""
    predict: Prediction | None = None

    def __bool__(self) -> bool:
        return self.typed or self.predict is not None

    def to_json(self) -> str | None:
        """The store's column value; None for a card that checks nothing."""
        if not self:
            return None
        data: dict[str, Any] = {}
        if self.typed:
            data["typed"] = True
        if self.predict is not None:
            data["predict"] = self.predict.to_dict()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> AnswerCheck:
        if not text:
            return NO_CHECK
        data = json.loads(text)
        predict = data.get("predict")
        return cls(typed=bool(data.get("typed")), predict=Prediction.from_dict(predict) if predict else None)


NO_CHECK = AnswerCheck()
