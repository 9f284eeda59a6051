"""gan: the generated cloud moves onto the real mixture's modes."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Scatter


def test_generated_samples_match_the_real_mixture() -> None:
    outcome = run_to_end("gan", seed=0, overrides={"steps": "300", "batch": "64"})
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["mean_error"] < 0.3
    assert abs(metrics["std_fake"] - metrics["std_real"]) < 0.3
    assert metrics["on_mode"] > metrics["on_mode_before"] + 0.4
    assert metrics["modes_covered"] == metrics["modes"] == 4

    clouds = [e for e in outcome.events if isinstance(e, Scatter)]
    assert len(clouds) >= 2  # the picture refreshes as it trains
    assert set(clouds[-1].series) == {"real", "generated"}
