"""batch-norm: at a high learning rate only the batch-normalized network trains."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Boundary, Curves
from tests.demos.drawable import assert_drawable


def test_batch_norm_trains_at_a_rate_where_the_plain_network_fails() -> None:
    outcome = run_to_end("batch-norm", seed=0)
    m = outcome.result.metrics
    assert_drawable(outcome.events)  # diverged runs end their lines, no inf/NaN
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["batchnorm_acc_at_lr_high"] >= 0.9
    assert m["plain_acc_at_lr_high"] < 0.6
    # Fair: the same plain network learns the spirals at its own best rate, same steps.
    assert m["plain_best_acc"] >= 0.95 and m["plain_best_lr"] < 0.3
    # Batch norm widens the range of working learning rates.
    assert m["batchnorm_largest_working_lr"] >= 3 * m["plain_largest_working_lr"]
    sweep = [e for e in outcome.events if isinstance(e, Curves) and e.key == "sweep"][-1]
    assert len(sweep.series["plain"][0]) == 5
    regions = {e.key for e in outcome.events if isinstance(e, Boundary)}
    assert regions == {"regions_plain", "regions_batchnorm"}
