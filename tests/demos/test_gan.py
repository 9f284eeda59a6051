"""gan: without minibatch standard deviation the generator collapses; with it, it covers every mode."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Scatter


def test_minibatch_std_off_collapses_and_on_covers_every_mode() -> None:
    on = run_to_end("gan", seed=0, overrides={"minibatch_std": "true"})
    off = run_to_end("gan", seed=0, overrides={"minibatch_std": "false"})
    assert on.result.reached and off.result.reached
    assert on.result.metrics["modes_covered"] == on.result.metrics["modes"] == 8
    assert off.result.metrics["modes_covered"] <= 4  # same seed, budget and nets: collapse
    assert on.result.metrics["on_mode"] > on.result.metrics["on_mode_before"] + 0.3
    assert abs(on.result.metrics["std_fake"] - on.result.metrics["std_real"]) < 0.3

    clouds = [e for e in on.events if isinstance(e, Scatter)]
    assert len(clouds) >= 2 and set(clouds[-1].series) == {"real", "generated"}
    curves = {e.key: e for e in on.events if isinstance(e, Curves)}
    assert set(curves["loss"].series) == {"D", "G"}  # losses on one axis, coverage on another
    assert curves["coverage"].y_max == 8 and curves["coverage"].y_label == "modes"
