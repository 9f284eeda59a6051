"""cnn: trained on shapes in the left columns only, tested where no shape ever was."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Images, Table


def test_the_cnn_recognizes_shapes_at_unseen_positions_and_a_tuned_mlp_does_not() -> None:
    outcome = run_to_end("cnn", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    # Same steps and batches; the MLP's lr is the best of three on validation.
    assert m["mlp_lr"] in (1e-3, 3e-3, 1e-2)
    assert m["mlp_accuracy"] > 0.9  # a fair MLP: fine where it was trained
    assert m["cnn_unseen_accuracy"] > 0.75 > m["mlp_unseen_accuracy"] + 0.3
    assert m["cnn_params"] * 10 < m["mlp_params"]
    images = {e.key: e for e in outcome.events if isinstance(e, Images)}
    assert len(images["kernels"].images) == 8 and len(images["kernels"].images[0]) == 3
    assert len(images["feature_maps_2"].images) == 16 and len(images["feature_maps_2"].images[0]) == 6
    scores = next(e for e in outcome.events if isinstance(e, Table) and e.key == "scores")
    assert len(scores.rows) == 4 and len(scores.columns) == 5
