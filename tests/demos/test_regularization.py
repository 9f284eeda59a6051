"""regularization: chosen on validation, scored on a test set that chose nothing; L1 zeroes, L2 shrinks."""

from __future__ import annotations

import pytest
from rich.console import Console

from studydl.cli.demo_frames import render_frame
from studydl.demos import run_to_end
from studydl.demos.pictures import MARKERS
from studydl.demos.runner import RunOutcome
from studydl.domain.demos import Curves, Paths, Table


@pytest.fixture(scope="module")
def seed0() -> RunOutcome:
    """One run at the defaults, seed 0, shared by the tests that read it."""
    return run_to_end("regularization", seed=0)


def test_regularizers_lower_held_out_test_loss(seed0: RunOutcome) -> None:
    outcome = seed0
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["none_test"] > 2 * m["none_train"]  # overfit
    # Early stopping picked its step on validation; its score is on the untouched test set.
    assert 0 < m["early_stop_step"] < outcome.params["steps"]
    for method in ("l2", "l1", "early_stopping"):
        assert m[f"{method}_test"] < m["none_test"] - 0.01, method
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "summary")
    assert "test MSE" in table.columns and "val MSE" in table.columns
    keys = {e.key for e in outcome.events if isinstance(e, Curves)}
    assert {"curves_none", "curves_L2", "curves_L1", "curves_dropout", "curves_early", "weights"} <= keys


def test_l1_leaves_most_weights_at_zero_l2_shrinks_every_weight_and_zeroes_none(seed0: RunOutcome) -> None:
    """Trained by gradient descent, not Adam: L2's step is proportional to the weight, L1's is not."""
    m = seed0.result.metrics
    assert m["l1_zero"] > 0.5 and m["l1_near_zero"] > 0.9
    assert m["l2_zero"] == 0.0 == m["none_zero"]
    assert m["l2_weight_norm"] < 0.5 * m["none_weight_norm"]


def test_each_penalty_strength_is_the_one_validation_preferred() -> None:
    outcome = run_to_end("regularization", seed=1)
    m = outcome.result.metrics
    lambdas = next(e for e in outcome.events if isinstance(e, Table) and e.key == "lambdas")
    for penalty in ("L2", "L1"):
        rows = [row for row in lambdas.rows if row[0] == penalty]
        assert len(rows) == 3
        kept = min(rows, key=lambda row: float(row[2]))
        assert kept[3] == "kept" and float(kept[1]) == round(m[f"{penalty.lower()}_lambda"], 4)


def test_the_fits_panel_shows_the_fits_in_the_terminal(seed0: RunOutcome) -> None:
    """The fitted curves carry markers along them, so `studydl demo run` shows them (it drew only
    each curve's last point: a blank panel but for the training points)."""
    fits = [e for e in seed0.events if isinstance(e, Paths) and e.key == "fits"][-1]
    assert fits.markers
    console = Console(width=80, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_frame(fits))
    canvas = console.export_text().split("\n")[1:-4]  # the plot, without its axes line and legend
    drawn = [sum(line.count(MARKERS[k]) for line in canvas) for k in range(len(fits.paths))]
    assert sum(drawn) >= 3 * len(fits.paths), drawn  # it was one per path: the last point
