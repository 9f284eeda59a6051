"""Demo 5: batch vs stochastic vs mini-batch gradient descent."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves

SMALL = {"samples": "64", "epochs": "3", "batch_size": "16"}


def test_sgd_makes_many_noisy_updates_batch_few_smooth_ones() -> None:
    outcome = run_to_end("gradient-descent", seed=0, overrides=SMALL)
    m = outcome.result.metrics
    assert (
        m["updates_batch"] == 3 and m["updates_minibatch"] == 12 and m["updates_stochastic"] == 192
    )
    assert m["rises_batch"] == 0.0  # every full-batch step lowers the loss
    assert m["rises_stochastic"] > 0.1  # single samples often push the full loss up
    assert m["loss_stochastic"] < m["loss_batch"]  # same epochs and lr: more updates go further
    assert outcome.result.reached


def test_two_views_of_the_same_runs() -> None:
    outcome = run_to_end("gradient-descent", seed=1, overrides=SMALL)
    curves = {e.key: e for e in outcome.events if isinstance(e, Curves)}
    assert set(curves) == {"by-updates", "by-samples"}
    for frame in curves.values():
        assert set(frame.series) == {"batch", "mini-batch", "stochastic"}
    xs, _ = curves["by-samples"].series["batch"]
    assert xs[-1] == 3 * 64  # every method sees the same number of samples
