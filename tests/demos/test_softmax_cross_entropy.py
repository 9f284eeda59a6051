"""softmax-cross-entropy: one distribution over four classes vs four one-vs-rest classifiers."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Boundary, Table
from tests.demos.across_seeds import AT_LEAST, holds, reached, runs

LRS = {0.1, 0.3, 1.0, 3.0}


def test_on_a_line_one_vs_rest_cannot_be_sure_of_the_middle_classes_at_7_of_8_seeds() -> None:
    outcomes = runs("softmax-cross-entropy")
    assert reached(outcomes) >= AT_LEAST
    for outcome in outcomes:
        m = outcome.result.metrics
        # Same linear scores, data, steps and learning-rate grid; each keeps its best rate.
        assert m["softmax_lr"] in LRS and m["ovr_lr"] in LRS
        # Softmax gives one distribution everywhere; one-vs-rest's four sigmoids do not add to 1.
        assert m["softmax_prob_sum_max_error"] < 1e-5
        assert m["ovr_prob_sum_min"] < 0.8 and m["ovr_prob_sum_max"] > 1.2
        assert m["ovr_ends_accuracy"] > 0.95 and m["softmax_ends_accuracy"] > 0.95
    # The point: a middle class's own one-vs-rest classifier stays near its base rate of 1/4 on
    # its own points, softmax is sure of them; and one-vs-rest is never the more accurate model
    # at this budget (arg-max can still label middle points right).
    assert holds(
        outcomes,
        lambda m: m["softmax_middle_true_prob"] >= 0.6
        and m["ovr_middle_true_prob"] <= 0.4
        and m["softmax_test_accuracy"] >= m["ovr_test_accuracy"],
    ) >= AT_LEAST
    first = outcomes[0]
    regions = [e for e in first.events if isinstance(e, Boundary) and e.key == "regions_softmax"]
    assert {int(v) for row in regions[-1].grid for v in row} == {0, 1, 2, 3}
    middle = next(e for e in first.events if isinstance(e, Table) and e.key == "middle")
    assert [row[0] for row in middle.rows] == ["softmax + CE", "one-vs-rest"]


def test_when_each_class_has_its_own_side_both_classify_well() -> None:
    """The fairness check: one-vs-rest is not broken by construction."""
    outcome = run_to_end("softmax-cross-entropy", seed=0, overrides={"layout": "square"})
    m = outcome.result.metrics
    assert outcome.result.reached
    assert m["ovr_test_accuracy"] >= 0.97 and m["softmax_test_accuracy"] >= 0.97
    assert abs(m["ovr_test_accuracy"] - m["softmax_test_accuracy"]) < 0.02
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "tuning")
    assert len(table.rows) == len(LRS)
