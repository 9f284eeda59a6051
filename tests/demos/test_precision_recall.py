"""precision-recall: on 5 % positives accuracy barely tells a trained classifier from one that
always says 'negative'; precision, recall, F1 and the PR curve do, and the best F1 threshold is low."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table
from tests.demos.drawable import assert_drawable
from tests.demos.seeds import NEEDED, holding, reached, runs


def _accuracy_misleads(m: dict[str, float]) -> bool:
    return (
        m["baseline_accuracy"] > 0.93
        and m["accuracy"] - m["baseline_accuracy"] < 0.03  # barely more accurate...
        and m["f1"] > 0.3  # ...while the baseline's F1 is 0
        and m["best_f1"] > m["f1"]
        and m["best_f1_threshold"] < 0.5
        and m["roc_auc"] > 0.9
        and m["roc_auc"] - m["average_precision"] > 0.2
    )


def test_accuracy_misleads_on_imbalanced_data_at_7_of_8_seeds() -> None:
    outcomes = runs("precision-recall")
    assert holding(outcomes, _accuracy_misleads) >= NEEDED
    assert reached(outcomes) >= NEEDED
    events = outcomes[0].events
    assert_drawable(events)
    assert {e.key for e in events if isinstance(e, Curves)} == {"threshold", "roc", "pr"}
    compare = next(e for e in events if isinstance(e, Table) and e.key == "compare")
    assert compare.rows[1][0] == "always negative" and compare.rows[1][2:] == ["0.000", "0.000", "0.000"]


def test_raising_the_threshold_trades_recall_for_precision() -> None:
    low, high = (run_to_end("precision-recall", seed=0, overrides={"threshold": t}).result.metrics for t in (0.2, 0.8))
    assert high["precision"] > low["precision"] and high["recall"] < low["recall"]
    # The threshold only reads the same trained model: its ranking does not change.
    assert high["roc_auc"] == low["roc_auc"]
