"""softmax-cross-entropy: one distribution over four classes vs four one-vs-rest classifiers."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Boundary, Table

LRS = {0.1, 0.3, 1.0, 3.0}


def test_on_a_line_one_vs_rest_loses_the_middle_classes() -> None:
    outcome = run_to_end("softmax-cross-entropy", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    # Same linear scores, data, steps and learning-rate grid; each keeps its best rate.
    assert m["softmax_lr"] in LRS and m["ovr_lr"] in LRS
    assert m["softmax_test_accuracy"] >= 0.97
    assert m["ovr_test_accuracy"] <= m["softmax_test_accuracy"] - 0.05
    # The worse of the two classes between others is lost; the end classes are easy for both.
    assert m["ovr_middle_accuracy"] < m["softmax_middle_accuracy"] - 0.1
    assert m["ovr_ends_accuracy"] > 0.95 and m["softmax_ends_accuracy"] > 0.95
    # Softmax gives one distribution everywhere; one-vs-rest's four sigmoids do not add to 1.
    assert m["softmax_prob_sum_max_error"] < 1e-5
    assert m["ovr_prob_sum_min"] < 0.8 and m["ovr_prob_sum_max"] > 1.2
    assert m["ovr_unclaimed_share"] > 0.05 and m["ovr_overclaimed_share"] > 0.05
    regions = [e for e in outcome.events if isinstance(e, Boundary) and e.key == "regions_softmax"]
    assert {int(v) for row in regions[-1].grid for v in row} == {0, 1, 2, 3}


def test_when_each_class_has_its_own_side_both_classify_well() -> None:
    """The fairness check: one-vs-rest is not broken by construction."""
    outcome = run_to_end("softmax-cross-entropy", seed=0, overrides={"layout": "square"})
    m = outcome.result.metrics
    assert outcome.result.reached
    assert m["ovr_test_accuracy"] >= 0.97 and m["softmax_test_accuracy"] >= 0.97
    assert abs(m["ovr_test_accuracy"] - m["softmax_test_accuracy"]) < 0.02
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "tuning")
    assert len(table.rows) == len(LRS)
