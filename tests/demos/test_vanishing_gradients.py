"""Demo 7: per-layer gradient norms, sigmoid vs ReLU."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap


def test_sigmoid_first_layer_gradient_vanishes_but_relu_does_not() -> None:
    outcome = run_to_end("vanishing-gradients", seed=0, overrides={"steps": "40"})
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["sigmoid_first_to_last"] < 1e-4
    assert 1e-2 < m["relu_first_to_last"] < 1e2
    # Those tiny gradients mean the sigmoid net's first layer barely moves under SGD.
    assert m["sigmoid_first_layer_change"] < 1e-3 * m["relu_first_layer_change"]
    heat = [e for e in outcome.events if isinstance(e, Heatmap)][-1]
    assert heat.row_labels == ["sigmoid", "relu"] and len(heat.col_labels) == 16
