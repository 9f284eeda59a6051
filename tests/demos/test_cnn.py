"""Demo 9: a small CNN on synthetic shapes."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Images


def test_small_cnn_reaches_95_percent_with_fewer_parameters_than_the_mlp() -> None:
    outcome = run_to_end("cnn", seed=0, overrides={"steps": "100", "mlp_hidden": "64"})
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["cnn_accuracy"] >= 0.95
    assert m["cnn_params"] < m["mlp_params"]
    assert m["mlp_accuracy"] < m["cnn_accuracy"]
    kernels = next(e for e in outcome.events if isinstance(e, Images) and e.key == "kernels")
    assert len(kernels.images) == 8 and len(kernels.images[0]) == 3
    assert all(0.0 <= v <= 1.0 for img in kernels.images for row in img for v in row)
