"""autoencoder: reconstructions through a bottleneck beat predicting the mean image."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Images


def test_reconstruction_beats_the_mean_image() -> None:
    outcome = run_to_end("autoencoder", seed=0, overrides={"steps": "200"})
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["test_mse"] < 0.5 * metrics["baseline_mse"]
    assert metrics["compression_ratio"] == 144 / 8

    images = [e for e in outcome.events if isinstance(e, Images)][-1]
    assert len(images.images) == len(images.captions) == 10  # 5 originals over 5 reconstructions
    assert images.columns == 5 and images.captions[5].startswith("rebuilt")
    assert all(len(img) == 12 and len(img[0]) == 12 for img in images.images)
    assert all(0.0 <= v <= 1.0 for img in images.images for row in img for v in row)
