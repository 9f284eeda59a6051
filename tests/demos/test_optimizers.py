"""optimizers: six optimizers on the Rosenbrock valley, each at its own best learning rate."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Paths
from tests.demos.across_seeds import AT_LEAST, holds, reached, runs

METHODS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
LRS = {1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0}


def test_tuned_momentum_nesterov_and_adam_reach_the_minimum_sgd_does_not_at_7_of_8_seeds() -> None:
    outcomes = runs("optimizers")
    assert reached(outcomes) >= AT_LEAST
    starts = {(o.result.metrics["start_x_used"], o.result.metrics["start_y_used"]) for o in outcomes}
    assert len(starts) == len(outcomes)  # the seed moves the start: eight different races
    for outcome in outcomes:
        assert all(outcome.result.metrics[f"{k}_lr"] in LRS for k in METHODS)  # one of the same ten

    def point(m: dict[str, float]) -> bool:
        return (
            # SGD's best rate is the largest the steep walls allow; at it, it crawls on the floor.
            m["sgd_lr"] == m["sgd_largest_stable_lr"]
            and m["sgd_loss"] > 1e-2
            # With momentum (plain, Nesterov, or Adam's) every one reaches the minimum.
            and max(m["momentum_loss"], m["nesterov_loss"], m["adam_loss"]) < 1e-2
            # Adagrad's step scale never grows back after the wall; RMSprop's and Adam's do.
            and m["adagrad_eff_lr_regain"] < 1.5 < min(m["rmsprop_eff_lr_regain"], m["adam_eff_lr_regain"])
        )

    assert holds(outcomes, point) >= AT_LEAST


def test_with_no_jitter_every_seed_races_from_the_given_start() -> None:
    outcome = run_to_end("optimizers", seed=3, overrides={"steps": "100", "jitter": "0"})
    paths = [e for e in outcome.events if isinstance(e, Paths) and e.key == "paths"][-1]
    assert set(paths.paths) == set(METHODS)
    assert paths.points["start"] == ([pytest.approx(-1.2)], [pytest.approx(1.0)])
    assert len(next(iter(paths.contours.values()))[0]) > 100
    curves = {e.key: e for e in outcome.events if isinstance(e, Curves)}
    assert curves["loss"].log_y and set(curves["loss"].series) == set(METHODS)
    sweep = curves["sweep"]
    assert sweep.log_x and set(sweep.series) == set(METHODS)
    assert max(sweep.series["sgd"][0]) < max(sweep.series["adam"][0])  # SGD diverges sooner
