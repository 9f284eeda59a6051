"""learning-rate: too small crawls, about right converges, above 2/k diverges."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Paths
from tests.demos.drawable import assert_drawable


def test_small_crawls_good_converges_large_diverges() -> None:
    outcome = run_to_end("learning-rate", seed=0)
    m = outcome.result.metrics
    assert_drawable(outcome.events)  # diverged runs end their lines, no inf/NaN
    assert outcome.result.reached and outcome.result.stopped is None
    start = m["start_loss"]
    assert m["small_loss"] > 0.05 * start  # 40 steps at 0.02 leave it far from the minimum
    assert m["good_loss"] < 1e-9 * start
    assert m["large_loss"] > 100 * start
    # Across a sweep of 25 rates, everything below 2/k converges and everything above diverges.
    assert abs(m["limit_lr"] - 0.4) < 1e-6 and m["sweep_boundary_at_2_over_k"] == 1.0


def test_the_divergence_threshold_is_the_bowls_curvature() -> None:
    # A steeper bowl (k = 10) moves the limit to 2/k = 0.2: 0.21 diverges, 0.19 does not.
    steep = {"curvature": "10", "lr_good": "0.15"}
    over = run_to_end("learning-rate", overrides={**steep, "lr_large": "0.21"})
    assert over.result.reached and abs(over.result.metrics["limit_lr"] - 0.2) < 1e-6
    under = run_to_end("learning-rate", overrides={**steep, "lr_large": "0.19"})
    assert under.result.metrics["large_loss"] < under.result.metrics["start_loss"]
    assert not under.result.reached


def test_the_limit_is_measured_on_the_run_not_computed() -> None:
    # Started on the x axis, the steep y direction never moves: the run diverges only past 2/1,
    # where the flat direction overshoots. A formula 2/k would still say 0.4.
    on_axis = run_to_end("learning-rate", overrides={"start_y": "0"}).result.metrics
    assert abs(on_axis["limit_lr"] - 2.0) < 1e-6
    for k in (2.0, 3.7, 10.0, 50.0):
        measured = run_to_end("learning-rate", overrides={"curvature": str(k)}).result.metrics["limit_lr"]
        assert abs(measured - 2 / k) < 1e-5 * (2 / k), (k, measured)


def test_paths_are_drawn_and_cut_where_they_leave_the_view() -> None:
    outcome = run_to_end("learning-rate", seed=0)
    paths = [e for e in outcome.events if isinstance(e, Paths) and e.key == "paths"][-1]
    small, good, large = (
        paths.paths[f"{n} {lr}"] for n, lr in (("small", 0.02), ("good", 0.3), ("large", 0.42))
    )
    assert paths.markers and paths.points["start"] == ([-4.0], [2.0])
    assert len(small[0]) == len(good[0]) == 41  # start + 40 steps, all inside the view
    assert 1 < len(large[0]) < 41  # the diverging path stops at the edge
    assert all(abs(v) <= 5.0 for v in large[0] + large[1])
    sweep = next(e for e in outcome.events if isinstance(e, Curves) and e.key == "sweep")
    assert sweep.log_y and sweep.log_x and len(sweep.series["final f"][0]) == 25
    # The limit is drawn where it is, on the learning-rate axis, not as a fake series.
    (limit,) = [r for r in sweep.refs if r.axis == "x"]
    assert abs(limit.at - 0.4) < 1e-6 and limit.label == "measured limit 0.4"
