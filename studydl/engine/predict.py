"""Predict-then-run cards: the parameters a review draws, reading the learner's prediction,
and the rating the measured value proposes.

The draw is seeded by the card and how many answers it has in the log, so a review's
values can be named and replayed (as Anki seeds fuzz), yet change from one review to
the next: the answer cannot be memorized as a string. Floats are drawn to two
significant digits (`lr = 0.37`), which reads well and lets a cached run be reused.

A verdict needs a measured number: a run that stopped early, or a metric missing or
not finite, settles as `NoVerdict` (the learner rates the card), and `judge` refuses
such a value. Choices each at least ten times the one below (1e-9, 1, 1000) are
log-spaced and judged by ratio: 400 is nearest 1000, not 1.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

from studydl.domain.checks import Choice, Prediction
from studydl.domain.demos import ParamValue
from studydl.domain.review import Rating

DEMO_SEED = 0
"""Every predict card's demo runs with this seed, so the same parameters give the same value."""
HARD_WITHIN = 2.0
"""Off by more than the tolerance but within twice it proposes Hard; beyond, Again."""
LOG_SPACING = 10.0
"""Choices, all above 0, each at least this many times the one below: graded on a log scale."""


def draw(prediction: Prediction, card_id: int, answers: int) -> dict[str, ParamValue]:
    """The parameters of this review: the fixed ones and a fresh draw of each varied one."""
    rng = random.Random(f"studydl-predict:{card_id}:{answers}")
    params: dict[str, ParamValue] = dict(prediction.fixed)
    for rng_param in prediction.vary:
        if rng_param.options:
            option = rng.choice(rng_param.options)
            params[rng_param.name] = option == "true" if option in ("true", "false") else option
        elif rng_param.integer:
            params[rng_param.name] = rng.randint(int(rng_param.low or 0), int(rng_param.high or 0))
        else:
            low, high = float(rng_param.low or 0.0), float(rng_param.high or 0.0)
            params[rng_param.name] = min(high, max(low, two_digits(rng.uniform(low, high))))
    return params


def two_digits(value: float) -> float:
    """A drawn float as shown: two significant digits (0.37, 4.7)."""
    if value == 0:
        return 0.0
    return round(value, 1 - int(math.floor(math.log10(abs(value)))))


_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*$")


def choice_letter(index: int) -> str:
    return "abcdef"[index]


def read_guess(prediction: Prediction, text: str) -> float | Choice:
    """The learner's prediction: a number (`0.7`, `70%`, `1e-3`) or a choice (its letter or label).

    Raises ValueError with what to type instead.
    """
    text = text.strip()
    if prediction.choices:
        for index, choice in enumerate(prediction.choices):
            if text.lower() in (choice_letter(index), choice.label.casefold()):
                return choice
        letters = ", ".join(choice_letter(i) for i in range(len(prediction.choices)))
        raise ValueError(f"type one of the choices' letters ({letters})")
    match = _NUMBER.match(text.replace(",", ""))
    if not match:
        raise ValueError("type a number, e.g. 0.7, 70% or 1e-3")
    value = float(match.group(1))
    return value / 100 if match.group(2) else value


@dataclass(frozen=True)
class Verdict:
    """The measured value against the prediction, and the rating it proposes."""

    guess: float | Choice
    measured: float
    rating: Rating
    right: bool
    answer: str
    """The right answer as shown: the measured number, or the choice nearest it."""

    def detail(self) -> dict[str, object]:
        guess = self.guess.label if isinstance(self.guess, Choice) else self.guess
        return {"prediction": guess, "measured": self.measured, "right": self.right, "answer": self.answer}


@dataclass(frozen=True)
class NoVerdict:
    """Why a prediction cannot be judged: the learner rates the card, nothing graded is logged."""

    reason: str

    def text(self) -> str:
        return f"No verdict: {self.reason}. Rate yourself (1-4)."


STOPPED_WHY = {"budget": "it stopped at its time budget", "cancelled": "it was cancelled"}


def settle(
    prediction: Prediction, guess: float | Choice, metrics: Mapping[str, float], stopped: str | None
) -> Verdict | NoVerdict:
    """The verdict on a run's metrics, or NoVerdict when the run stopped early or the metric is no finite number."""
    metric = prediction.metric
    if stopped is not None:
        return NoVerdict(f"the demo's run did not finish ({STOPPED_WHY.get(stopped, stopped)})")
    if metric not in metrics:
        return NoVerdict(f"the demo's run did not report {metric}")
    value = metrics[metric]
    if not math.isfinite(value):
        return NoVerdict(f"the demo's run measured {metric} = {value}, not a number to judge by")
    return judge(prediction, guess, value)


def log_spaced(choices: tuple[Choice, ...]) -> bool:
    """All above 0 and each at least LOG_SPACING times the one below (orders of magnitude apart)."""
    values = sorted(c.value for c in choices)
    return len(values) >= 2 and values[0] > 0 and all(b >= LOG_SPACING * a for a, b in itertools.pairwise(values))


def nearest_choice(choices: tuple[Choice, ...], measured: float) -> Choice:
    """The choice nearest the measured value: by ratio when log-spaced (a value <= 0: the smallest), else by difference."""
    if log_spaced(choices):
        if measured <= 0:
            return min(choices, key=lambda c: c.value)
        return min(choices, key=lambda c: abs(math.log(c.value / measured)))
    return min(choices, key=lambda c: abs(c.value - measured))


def judge(prediction: Prediction, guess: float | Choice, measured: float) -> Verdict:
    """Right within the tolerance (Good), within twice it (Hard), else Again; a choice is right or not.

    ValueError when `measured` is not a finite number: there is nothing to judge by (see `settle`).
    """
    if not math.isfinite(measured):
        raise ValueError(f"no verdict on a measured {measured}: not a finite number")
    if prediction.choices:
        nearest = nearest_choice(prediction.choices, measured)
        right = guess == nearest
        return Verdict(guess, measured, Rating.GOOD if right else Rating.AGAIN, right, nearest.label)
    assert prediction.tolerance is not None and not isinstance(guess, Choice)
    error = prediction.tolerance.error(guess, measured)
    rating = Rating.GOOD if error <= 1 else Rating.HARD if error <= HARD_WITHIN else Rating.AGAIN
    return Verdict(guess, measured, rating, error <= 1, format_value(measured))


def format_value(value: float) -> str:
    """A measured value as a learner reads it: 4 significant digits, no float noise."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"
