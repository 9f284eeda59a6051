"""Predict cards: no verdict without a measured number, and log-spaced choices graded on a log scale."""

from __future__ import annotations

import math

import pytest

from studydl.domain.checks import Choice, Prediction, Tolerance
from studydl.domain.review import Rating
from studydl.engine.predict import NoVerdict, judge, log_spaced, settle

GRADIENT = Prediction(
    "ratio",
    choices=(Choice("vanishes", 1e-9), Choice("stays the same", 1.0), Choice("explodes", 1000.0)),
)
GATE = Prediction("gate", choices=(Choice("near 0", 0.05), Choice("about half", 0.5), Choice("near 1", 0.95)))
SHARE = Prediction("share", choices=(Choice("a few", 0.1), Choice("about half", 0.5), Choice("most", 0.9)))
NUMBER = Prediction("lr", Tolerance("rel", 0.05))


@pytest.mark.parametrize("measured", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("prediction", [GATE, NUMBER], ids=["choices", "number"])
def test_judge_refuses_a_value_that_is_not_a_finite_number(prediction: Prediction, measured: float) -> None:
    guess = GATE.choices[0] if prediction.choices else 0.4
    with pytest.raises(ValueError, match="finite"):
        judge(prediction, guess, measured)


def test_a_stopped_run_gives_no_verdict_even_with_the_metric() -> None:
    # The case: the run stopped at its budget; "near 1" was proposed Again, "near 0" Good.
    outcome = settle(GATE, GATE.choices[2], {"gate": 0.97}, stopped="budget")
    assert isinstance(outcome, NoVerdict)
    assert "did not finish" in outcome.text() and "time budget" in outcome.text()
    assert "rate yourself" in outcome.text().lower()


@pytest.mark.parametrize(
    ("metrics", "words"),
    [({}, "did not report gate"), ({"gate": math.nan}, "nan"), ({"gate": math.inf}, "inf")],
)
def test_a_missing_or_non_finite_metric_gives_no_verdict(metrics: dict, words: str) -> None:
    outcome = settle(GATE, GATE.choices[0], metrics, stopped=None)
    assert isinstance(outcome, NoVerdict) and words in outcome.text()


def test_a_measured_value_gives_the_verdict() -> None:
    outcome = settle(GATE, GATE.choices[2], {"gate": 0.97}, stopped=None)
    assert not isinstance(outcome, NoVerdict)
    assert outcome.right and outcome.rating is Rating.GOOD and outcome.answer == "near 1"


def test_choices_each_ten_times_the_last_are_log_spaced_others_are_not() -> None:
    assert log_spaced(GRADIENT.choices)
    assert log_spaced((Choice("a", 0.001), Choice("b", 0.01), Choice("c", 0.1)))
    assert not log_spaced(GATE.choices) and not log_spaced(SHARE.choices)
    assert not log_spaced((Choice("a", 0.0), Choice("b", 1.0), Choice("c", 1000.0)))  # 0 has no log
    assert not log_spaced((Choice("a", -10.0), Choice("b", 1.0)))


@pytest.mark.parametrize(
    ("measured", "nearest"),
    [(400.0, "explodes"), (40.0, "explodes"), (20.0, "stays the same"), (1e-3, "stays the same"),
     (1e-6, "vanishes"), (0.0, "vanishes"), (-1.0, "vanishes")],
)
def test_log_spaced_choices_are_graded_on_a_log_scale(measured: float, nearest: str) -> None:
    # Linear distance would call 400 nearest "stays the same" (399 < 600).
    verdict = judge(GRADIENT, next(c for c in GRADIENT.choices if c.label == nearest), measured)
    assert verdict.right and verdict.answer == nearest


def test_linear_choices_stay_linear() -> None:
    assert judge(SHARE, SHARE.choices[0], 0.25).answer == "a few"  # on a log scale: "about half"
    assert judge(GATE, GATE.choices[1], 0.3).answer == "about half"
