"""linear-regression: gradient descent converges to the closed-form least-squares weights."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table


def test_gradient_descent_reaches_the_closed_form() -> None:
    outcome = run_to_end("linear-regression", seed=0, overrides={"steps": "200"})
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["max_abs_diff"] < 1e-2
    assert abs(metrics["loss_gd"] - metrics["loss_closed"]) < 1e-4
    curves = [e for e in outcome.events if isinstance(e, Curves)][-1]
    losses = curves.series["GD loss (MSE)"][1]
    assert losses[-1] < losses[0]
    assert any(isinstance(e, Table) and e.key == "weights" for e in outcome.events)


def test_too_few_steps_does_not_claim_convergence() -> None:
    outcome = run_to_end("linear-regression", seed=0, overrides={"steps": "3", "lr": "0.01"})

    assert not outcome.result.reached
    assert outcome.result.metrics["max_abs_diff"] >= 1e-2
