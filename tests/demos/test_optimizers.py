"""Demo 6: six optimizers on the Rosenbrock valley."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Paths

METHODS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def test_from_the_valley_wall_sgd_zigzags_and_adam_and_momentum_beat_it() -> None:
    outcome = run_to_end("optimizers", seed=0, overrides={"steps": "300"})
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    x, y = outcome.params["start_x"], outcome.params["start_y"]
    assert abs(y - x * x) > 0.3  # off the floor y = x², on the wall
    # SGD turns back on a third of its first steps (wall to wall); Adam never does.
    assert m["sgd_zigzag"] > 0.25 and m["adam_zigzag"] < 0.05
    assert m["adam_loss"] < m["sgd_loss"]
    assert m["momentum_loss"] < m["sgd_loss"] / 10
    # Adagrad's step scale only ever shrinks; Adam's recovers and ends far larger.
    assert m["adagrad_eff_lr_monotone"] == 1.0
    assert m["adagrad_eff_lr_last"] < m["adam_eff_lr_last"] / 5
    assert not any(m[f"{k}_diverged"] for k in METHODS)


def test_paths_and_log_loss_curves_cover_every_optimizer() -> None:
    outcome = run_to_end("optimizers", seed=0, overrides={"steps": "100"})
    paths = [e for e in outcome.events if isinstance(e, Paths) and e.key == "paths"][-1]
    assert set(paths.paths) == set(METHODS) and paths.points["start"] == ([-1.2], [1.0])
    assert len(next(iter(paths.contours.values()))[0]) > 100
    loss = [e for e in outcome.events if isinstance(e, Curves) and e.key == "loss"][-1]
    assert loss.log_y and set(loss.series) == set(METHODS)
