"""Demo 8: overfitting and four regularizers."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves


def test_regularizers_lower_validation_loss_of_an_overfit_mlp() -> None:
    outcome = run_to_end("regularization", seed=0, overrides={"steps": "600", "lr": "0.02"})
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["none_val"] > 3 * m["none_train"]
    assert m["none_gap"] > 0.05
    for method in ("l2", "early_stopping"):
        assert m[f"{method}_val"] < m["none_val"] - 0.02, method
    for method in ("l1", "dropout"):
        assert m[f"{method}_val"] < m["none_val"], method
    keys = {e.key for e in outcome.events if isinstance(e, Curves)}
    assert {"curves_none", "curves_L2", "curves_L1", "curves_dropout", "curves_early"} <= keys
