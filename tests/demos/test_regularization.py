"""regularization: chosen on validation, scored on a test set that chose nothing; L1's sparsity."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table


def test_regularizers_lower_held_out_test_loss_and_l1_zeroes_weights() -> None:
    outcome = run_to_end("regularization", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["none_test"] > 3 * m["none_train"]  # overfit
    # Early stopping picked its step on validation; its score is on the untouched test set.
    assert 0 < m["early_stop_step"] < outcome.params["steps"]
    for method in ("l2", "l1", "early_stopping"):
        assert m[f"{method}_test"] < m["none_test"] - 0.01, method
    # L1 sends most weights to (near) zero, more than L2 and far more than no penalty.
    assert m["l1_near_zero"] > 0.9 > m["none_near_zero"] + 0.5
    assert m["l1_near_zero"] > m["l2_near_zero"]
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "summary")
    assert "test MSE" in table.columns and "validation MSE" in table.columns
    keys = {e.key for e in outcome.events if isinstance(e, Curves)}
    assert {"curves_none", "curves_L2", "curves_L1", "curves_dropout", "curves_early", "weights"} <= keys
