"""logistic-regression: sigmoid + BCE by gradient descent separates two blobs."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Boundary


def test_learns_a_separating_line_and_the_gradient_formula_holds() -> None:
    outcome = run_to_end("logistic-regression", seed=0, overrides={"steps": "200"})
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["accuracy"] >= 0.9
    assert metrics["loss_final"] < metrics["loss_initial"]
    # X^T (sigmoid(Xw) - y) / n is the gradient autograd computes.
    assert metrics["grad_formula_diff"] < 1e-5

    boundary = [e for e in outcome.events if isinstance(e, Boundary)][-1]
    assert len(boundary.grid) == len(boundary.ys)
    assert all(0.0 <= v <= 1.0 for row in boundary.grid for v in row)
    assert len(boundary.points) == 200
