"""autoencoder: reconstructions through a bottleneck, beside PCA with the same numbers."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Images


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


def test_trained_it_beats_pca_with_the_same_numbers() -> None:
    """PCA is the best linear code of 8 numbers; the trained nonlinear one does better."""
    outcome = run_to_end("autoencoder", seed=0, overrides={"steps": "200"})
    m = outcome.result.metrics
    assert m["test_mse"] < m["pca_mse"] < m["baseline_mse"]
    assert m["pca_to_autoencoder"] > 1.5
    assert m["pca_components_to_match"] > 8  # PCA needs more numbers to do as well
    pca = next(e for e in outcome.events if isinstance(e, Curves) and e.key == "pca")
    ks, errors = pca.series["PCA"]
    assert ks[:8] == [float(k) for k in range(1, 9)] and errors[7] == m["pca_mse"]
    assert all(a >= b for a, b in zip(errors, errors[1:], strict=False))  # more numbers, less error
    loss = [e for e in outcome.events if isinstance(e, Curves) and e.key == "loss"][-1]
    assert any(ref.at == m["pca_mse"] for ref in loss.refs)


def test_early_in_training_pca_is_ahead_and_the_demo_says_so() -> None:
    outcome = run_to_end("autoencoder", seed=0, overrides={"steps": "40"})
    m = outcome.result.metrics
    assert m["pca_mse"] < m["test_mse"] and not outcome.result.reached
    assert "PCA, which needs no training, is still ahead" in outcome.result.summary
