"""gradients-through-time: vanishing below scale 1, exploding above, clipping keeps SGD stable."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table
from tests.demos.drawable import assert_drawable


def test_vanishing_exploding_and_clipping_rescues_diverging_rates() -> None:
    outcome = run_to_end("gradients-through-time", seed=0)
    m = outcome.result.metrics
    assert_drawable(outcome.events)  # diverged runs end their lines, no inf/NaN
    assert outcome.result.reached and outcome.result.stopped is None
    # Over 30 steps back: scale 0.5 shrinks the gradient ~1e-9x, scale 2.5 grows it ~1e3x.
    assert m["small_scale_first_to_last"] < 1e-6
    assert m["large_scale_first_to_last"] > 1e2
    assert (
        m["small_scale_first_to_last"]
        < m["unit_scale_first_to_last"]
        < m["large_scale_first_to_last"]
    )
    # Without clipping some learning rates blow up; the same rates with clipping train.
    assert m["unclipped_diverged"] >= 2 and m["clipped_diverged"] < m["unclipped_diverged"]
    assert m["rescued_by_clipping"] >= 2
    through = next(e for e in outcome.events if isinstance(e, Curves) and e.key == "through_time")
    assert len(through.series) == 3 and through.log_y
    norms = [e for e in outcome.events if isinstance(e, Curves) and e.key == "grad_norm"][-1]
    assert [(r.axis, r.at) for r in norms.refs] == [("y", 1.0)]  # the clip cap, drawn as a line
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "summary")
    assert len(table.rows) == 4


def test_clipped_and_unclipped_runs_differ_only_where_the_norm_exceeds_the_cap() -> None:
    """Same init, batches and steps: with a cap above every early gradient, the best runs match."""
    outcome = run_to_end("gradients-through-time", seed=0, overrides={"clip": "100", "steps": "60"})
    m = outcome.result.metrics
    assert m["best_clipped_loss"] == m["best_unclipped_loss"]


def test_extreme_scales_stay_drawable() -> None:
    """Scale 5 over 100 steps overflows float32 going back in time; the frames stay plottable."""
    outcome = run_to_end(
        "gradients-through-time", overrides={"large_scale": "5", "length": "100", "steps": "10"}
    )
    assert_drawable(outcome.events)
    assert outcome.result.metrics["large_scale_first_to_last"] > 1e15
