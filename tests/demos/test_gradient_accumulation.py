"""gradient-accumulation: k scaled micro-batches give the full-batch gradient and update."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table


@pytest.mark.parametrize("k", [4, 8])
def test_accumulated_gradient_and_update_equal_the_full_batch(k: int) -> None:
    outcome = run_to_end(
        "gradient-accumulation", seed=0, overrides={"micro_batches": str(k), "steps": "5"}
    )
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["max_grad_diff"] < 1e-5
    assert metrics["max_weight_diff"] < 1e-5
    assert metrics["final_weight_diff"] < 1e-5
    # Forgetting the 1/k scaling multiplies the gradient by k.
    assert metrics["unscaled_grad_ratio"] == pytest.approx(k, rel=1e-9)

    table = next(e for e in outcome.events if isinstance(e, Table))
    assert [row[0] for row in table.rows] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    curves = [e for e in outcome.events if isinstance(e, Curves)][-1]
    full, accumulated = curves.series.values()
    assert full[1] == pytest.approx(accumulated[1], abs=1e-9)
