"""Autoencoder: squeeze small synthetic images through a bottleneck and rebuild them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Images,
    Param,
    Progress,
    RefLine,
    Result,
)

SPEC = DemoSpec(
    id="autoencoder",
    title="Autoencoder: compress through a bottleneck",
    teaches=(
        "An encoder squeezes each image into a few numbers and a decoder rebuilds it. PCA, the "
        "best linear code, needs no training; each image here is one of three shapes set by a "
        "few numbers (place, size), so the images lie on a curved surface that the "
        "autoencoder's nonlinear layers can follow: after 400 steps its 8 numbers rebuild "
        "the test images about 4 times better than PCA's 8, and PCA needs about 30 to match. "
        "In the first 100 or so steps PCA is ahead."
    ),
    concepts=("autoencoder", "bottleneck", "latent code", "reconstruction loss", "compression"),
    params=(
        Param("size", 12, "image side in pixels", min=6, max=24),
        Param("latent", 8, "bottleneck width (numbers per image)", min=1, max=64),
        Param("hidden", 64, "hidden units of encoder and decoder", min=4, max=512),
        Param("images", 1024, "training images", min=64, max=8192),
        Param("steps", 400, "Adam steps", min=1, max=20000),
        Param("batch", 64, "batch size", min=4, max=1024),
        Param("lr", 1e-2, "Adam learning rate", min=1e-5, max=0.1),
    ),
    metrics=(
        ("test_mse", "reconstruction error on test images", "≥ 0"),
        ("baseline_mse", "error of predicting the mean image for every image", "≥ 0"),
        ("mse_ratio", "test_mse over baseline_mse", "ratio"),
        ("compression_ratio", "pixels per bottleneck number", "ratio"),
        ("pca_mse", "test error of PCA keeping as many numbers as the bottleneck", "≥ 0"),
        ("pca_to_autoencoder", "pca_mse over test_mse (above 1: the autoencoder wins)", "ratio"),
        (
            "pca_components_to_match",
            "fewest PCA components whose test error is at most the autoencoder's (0: none up to 64)",
            "count",
        ),
    ),
)

SHOWN = 5
"""How many test images are drawn over their reconstructions (five rows of 12 px fit 80 columns)."""
PCA_MAX = 64
"""PCA's test error is drawn for 1 to this many components."""


def pca_errors(torch: Any, train: Any, test: Any, most: int) -> list[float]:
    """Test MSE of PCA fitted on `train` keeping k = 1..`most` components.

    Each reconstruction is mean + projection onto the top k principal directions, clipped to
    0..1 as the decoder's sigmoid output is. PCA is the best linear code of k numbers.
    """
    mean = train.mean(dim=0)
    _, _, vt = torch.linalg.svd(train - mean, full_matrices=False)
    centred = test - mean
    errors = []
    for k in range(1, most + 1):
        basis = vt[:k]
        rebuilt = (mean + (centred @ basis.T) @ basis).clamp(0, 1)
        errors.append(float(((rebuilt - test) ** 2).mean()))
    return errors


def make_images(count: int, size: int, gen: Any) -> Any:
    """`count` images (size x size, values 0..1): a bar, a rectangle outline or a blob each."""
    import torch

    coords = torch.arange(size, dtype=torch.float32)
    rows = coords.view(1, size, 1)
    cols = coords.view(1, 1, size)

    def uniform(lo: float, hi: float) -> Any:
        return (lo + (hi - lo) * torch.rand(count, generator=gen)).view(count, 1, 1)

    # A Gaussian blob at a random centre and width.
    cy, cx = uniform(1.5, size - 2.5), uniform(1.5, size - 2.5)
    sigma = uniform(0.8, size / 5)
    blob = torch.exp(-((rows - cy) ** 2 + (cols - cx) ** 2) / (2 * sigma**2))

    # A horizontal or vertical bar, two pixels thick.
    pos = uniform(0, size - 2).floor()
    horizontal = ((rows >= pos) & (rows < pos + 2)).expand(count, size, size)
    vertical = ((cols >= pos) & (cols < pos + 2)).expand(count, size, size)
    flip = torch.rand(count, generator=gen).view(count, 1, 1) < 0.5
    bar = torch.where(flip, horizontal, vertical).float()

    # A rectangle outline.
    top, left = uniform(0, size / 2).floor(), uniform(0, size / 2).floor()
    bottom = top + uniform(3, size / 2).floor()
    right = left + uniform(3, size / 2).floor()
    inside = (rows >= top) & (rows <= bottom) & (cols >= left) & (cols <= right)
    interior = (rows > top) & (rows < bottom) & (cols > left) & (cols < right)
    rect = (inside & ~interior).float()

    kind = torch.randint(0, 3, (count, 1, 1), generator=gen)
    return torch.where(kind == 0, blob, torch.where(kind == 1, bar, rect))


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train a pixels-hidden-latent-hidden-pixels MLP on synthetic shapes; show reconstructions."""
    import torch
    from torch import nn

    p = ctx.params
    size = int(p["size"])
    latent = int(p["latent"])
    hidden = int(p["hidden"])
    steps = int(p["steps"])
    batch = int(p["batch"])
    pixels = size * size

    gen = torch.Generator().manual_seed(ctx.seed)
    train = make_images(int(p["images"]), size, gen).reshape(-1, pixels)
    test = make_images(256, size, gen).reshape(-1, pixels)
    # The baseline a code of zero numbers can reach: always answer the mean image.
    baseline = float(((test - train.mean(dim=0)) ** 2).mean())
    pca_curve = pca_errors(torch, train, test, min(PCA_MAX, pixels, train.shape[0]))
    pca_mse = pca_curve[latent - 1] if latent <= len(pca_curve) else pca_curve[-1]

    torch.manual_seed(ctx.seed)
    encoder = nn.Sequential(nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, latent))
    decoder = nn.Sequential(
        nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, pixels), nn.Sigmoid()
    )
    model = nn.Sequential(encoder, decoder)
    optimizer = torch.optim.Adam(model.parameters(), lr=float(p["lr"]))
    ratio = pixels / latent
    yield Progress(0, steps, {"baseline_mse": baseline}, f"{pixels} pixels -> {latent} numbers")

    shown = test[:SHOWN]
    xs: list[float] = []
    train_losses: list[float] = []
    test_losses: list[float] = []
    refresh_progress = max(1, steps // 40)
    refresh_frames = max(1, steps // 8)
    test_mse = baseline
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        idx = torch.randint(0, train.shape[0], (batch,), generator=gen)
        x = train[idx]
        loss = ((model(x) - x) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % refresh_progress == 0 or step == steps:
            with torch.no_grad():
                test_mse = float(((model(test) - test) ** 2).mean())
            xs.append(float(step))
            train_losses.append(loss.item())
            test_losses.append(test_mse)
            yield Progress(step, steps, {"loss": loss.item(), "test_mse": test_mse})
        if step % refresh_frames == 0 or step == steps:
            yield Curves(
                "loss",
                "Reconstruction MSE vs predicting the mean image",
                series={
                    "train": (list(xs), list(train_losses)),
                    "test": (list(xs), list(test_losses)),
                },
                y_label="MSE",
                log_y=True,
                refs=(
                    RefLine(baseline, "the mean image"),
                    RefLine(pca_mse, f"PCA with {latent} numbers"),
                ),
            )
            with torch.no_grad():
                rebuilt = model(shown)
            yield _pairs(shown, rebuilt, size, step)

    match = next((k + 1 for k, e in enumerate(pca_curve) if e <= test_mse), 0)
    yield _pca_frame(pca_curve, test_mse, latent)
    reached = test_mse < 0.5 * baseline and test_mse < pca_mse
    if test_mse >= pca_mse:
        needs = f"PCA, which needs no training, is still ahead after {steps} steps"
    elif match:
        needs = f"PCA needs {match} numbers to do as well"
    else:
        needs = f"PCA does not do as well with up to {len(pca_curve)} numbers"
    yield Result(
        {
            "test_mse": test_mse,
            "baseline_mse": baseline,
            "mse_ratio": test_mse / baseline,
            "compression_ratio": ratio,
            "pca_mse": pca_mse,
            "pca_to_autoencoder": pca_mse / test_mse,
            "pca_components_to_match": float(match),
        },
        reached=reached,
        summary=(
            f"{pixels} pixels squeezed to {latent} numbers ({ratio:.0f}x) after {steps} steps: test "
            f"MSE {test_mse:.4f}, against {pca_mse:.4f} for PCA with the same {latent} numbers and "
            f"{baseline:.4f} for the mean image; {needs}."
        ),
    )


def _pca_frame(pca_curve: list[float], test_mse: float, latent: int) -> Curves:
    """PCA's test error against its number of components, the autoencoder's as a line across."""
    ks = [float(k + 1) for k in range(len(pca_curve))]
    return Curves(
        "pca",
        f"PCA's test MSE by the components it keeps; the line: the autoencoder's ({latent})",
        series={"PCA": (ks, list(pca_curve))},
        x_label="numbers kept (PCA components)",
        y_label="MSE",
        log_y=True,
        refs=(
            RefLine(test_mse, "autoencoder"),
            RefLine(float(latent), "bottleneck", axis="x"),
        ),
    )


def _pairs(originals: Any, rebuilt: Any, size: int, step: int) -> Images:
    """Originals on the first row, their reconstructions on the second."""
    images = [img.reshape(size, size).tolist() for img in originals] + [
        img.clamp(0, 1).reshape(size, size).tolist() for img in rebuilt
    ]
    captions = [f"original {i + 1}" for i in range(len(originals))] + [
        f"rebuilt {i + 1}" for i in range(len(rebuilt))
    ]
    return Images(
        "images",
        f"Originals (top) and their reconstructions (below) after {step} steps",
        images,
        captions,
        columns=len(originals),
    )
