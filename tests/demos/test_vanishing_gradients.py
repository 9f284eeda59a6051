"""vanishing-gradients: sigmoid vanishes, a too-large ReLU init explodes, batch norm fixes both."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves


def test_vanishing_exploding_and_the_batch_norm_fix() -> None:
    outcome = run_to_end("vanishing-gradients", seed=0, overrides={"steps": "20"})
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["sigmoid_first_to_last"] < 1e-3  # vanishing, with the init made for sigmoid
    assert m["exploding_first_grad_vs_relu"] > 1e3  # doubled ReLU weights: exploding
    assert 1e-2 < m["relu_first_to_last"] < 1e2
    # The fix: batch norm after each layer, same activations, same (bad) weights.
    assert 1e-2 < m["sigmoid_bn_first_to_last"] < 1e2
    assert 1e-2 < m["bn_first_grad_vs_relu"] < 1e2
    assert m["sigmoid_bn_first_layer_change"] > 100 * m["sigmoid_first_layer_change"]
    curves = {e.key: e for e in outcome.events if isinstance(e, Curves)}
    plain, fixed = curves["grad_norms"], curves["grad_norms_bn"]
    assert set(plain.series) == {"sigmoid", "relu", "relu x2"}
    assert set(fixed.series) == {"sigmoid+BN", "relu x2+BN", "relu"}
    assert plain.log_y and (plain.y_min, plain.y_max) == (fixed.y_min, fixed.y_max)  # one scale
