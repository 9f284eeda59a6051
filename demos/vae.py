"""Variational autoencoder: the KL weight trades sharp reconstructions for a latent space to sample."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    DemoContext,
    DemoSpec,
    Event,
    Images,
    Param,
    Progress,
    Result,
    Table,
)

from ._stacked import apply, linear

ROLES = ("low", "mid", "high")
"""The three VAEs trained side by side, by KL weight."""

SPEC = DemoSpec(
    id="vae",
    title="Variational autoencoder: the KL weight's trade-off",
    teaches=(
        "A VAE encodes each image as a distribution over a 2-number code and is trained to "
        "rebuild it while a KL term, weighted by β, pulls the codes toward N(0, I). With β = 0 "
        "the codes spread out wherever the encoder likes, so samples drawn from N(0, I) miss much "
        "of the data; with β = 1 they cover it; with a large β the codes carry almost nothing "
        "(KL near 0) and reconstructions blur toward an average blob."
    ),
    concepts=("variational autoencoder", "KL divergence", "reparameterization trick", "latent space", "β-VAE"),
    params=(
        Param("low_beta", 0.0, "KL weight of the first VAE (0: a plain autoencoder with noise)", min=0.0, max=20.0),
        Param("beta", 1.0, "KL weight of the second VAE, whose latent grid is drawn", min=0.0, max=20.0),
        Param("high_beta", 8.0, "KL weight of the third VAE", min=0.0, max=20.0),
        Param("steps", 300, "Adam steps (the three train on the same batches)", min=10, max=5000),
    ),
    budget_s=30.0,
    metrics=(
        *(
            (f"{role}_{kind}", f"{what}, VAE with the {label} KL weight", unit)
            for role, label in (("low", "first"), ("mid", "second"), ("high", "third"))
            for kind, what, unit in (
                ("recon_mse", "reconstruction error on test images", "MSE"),
                ("kl", "KL divergence from the prior per image", "nats"),
                ("coverage_mse", "error of the nearest of 300 prior samples to each test image", "MSE"),
            )
        ),
    ),
)

SIZE = 12
LATENT = 2
HIDDEN = 64
TRAIN, TEST, SAMPLES = 2000, 300, 300
BATCH = 64
GRID = 5
SHOWN = 5


def blobs(torch: Any, n: int, gen: Any) -> Any:
    """n images (SIZE² pixels, 0..1): a round blob at a random place with a random width."""
    centre = torch.rand(n, 2, generator=gen) * (SIZE - 5) + 2
    width = (0.7 + 1.5 * torch.rand(n, generator=gen)).view(n, 1, 1)
    axis = torch.arange(SIZE, dtype=torch.float32)
    rows = (axis.view(1, SIZE, 1) - centre[:, 0].view(n, 1, 1)) ** 2
    cols = (axis.view(1, 1, SIZE) - centre[:, 1].view(n, 1, 1)) ** 2
    return torch.exp(-(rows + cols) / (2 * width**2)).reshape(n, SIZE * SIZE)


class Vaes:
    """Three VAEs (pixels -> 64 -> μ, log σ² of 2 numbers -> 64 -> pixels) as stacked tensors."""

    def __init__(self, torch: Any, gen: Any) -> None:
        self.torch = torch
        k = len(ROLES)
        pixels = SIZE * SIZE
        shapes = ((pixels, HIDDEN), (HIDDEN, 2 * LATENT), (LATENT, HIDDEN), (HIDDEN, pixels))
        self.layers = [linear(torch, k, a, b, gen, "default") for a, b in shapes]

    def parameters(self) -> list[Any]:
        return [t for layer in self.layers for t in layer]

    def encode(self, x: Any) -> tuple[Any, Any]:
        torch = self.torch
        h = torch.relu(apply(torch, x, *self.layers[0]))
        out = apply(torch, h, *self.layers[1])
        return out[..., :LATENT], out[..., LATENT:]

    def decode(self, z: Any) -> Any:
        """Logits of every pixel."""
        torch = self.torch
        return apply(torch, torch.relu(apply(torch, z, *self.layers[2])), *self.layers[3])


def kl_term(mu: Any, logvar: Any) -> Any:
    """KL(N(μ, σ²) ‖ N(0, 1)) summed over the code, per image."""
    return (0.5 * (mu**2 + logvar.exp() - 1 - logvar)).sum(-1)


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train three VAEs that differ only in β on the same batches, then compare them."""
    import torch
    import torch.nn.functional as F

    p = ctx.params
    betas = [float(p["low_beta"]), float(p["beta"]), float(p["high_beta"])]
    steps = int(p["steps"])
    gen = torch.Generator().manual_seed(ctx.seed)
    train, test = blobs(torch, TRAIN, gen), blobs(torch, TEST, gen)
    vaes = Vaes(torch, gen)
    optimizer = torch.optim.Adam(vaes.parameters(), lr=3e-3)
    weight = torch.tensor(betas)
    yield Progress(0, steps, message=f"β = {', '.join(f'{b:g}' for b in betas)}")
    yield Images(
        key="data",
        title=f"Training images: a blob at a random place with a random width ({TRAIN} of them)",
        images=[img.reshape(SIZE, SIZE).tolist() for img in train[:SHOWN]],
        columns=SHOWN,
    )
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        x = train[torch.randint(0, TRAIN, (BATCH,), generator=gen)]
        mu, logvar = vaes.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)  # reparameterized
        recon = F.binary_cross_entropy_with_logits(vaes.decode(z), x.expand(len(ROLES), -1, -1), reduction="none")
        loss = recon.sum(-1).mean(-1) + weight * kl_term(mu, logvar).mean(-1)
        optimizer.zero_grad()
        loss.sum().backward()
        optimizer.step()
        if step % 20 == 0 or step == steps:
            yield Progress(step, steps, {f"{r}_loss": float(v) for r, v in zip(ROLES, loss.detach(), strict=True)})

    with torch.no_grad():
        mu, logvar = vaes.encode(test)
        rebuilt = torch.sigmoid(vaes.decode(mu))
        recon_mse = ((rebuilt - test) ** 2).mean((1, 2))
        kl = kl_term(mu, logvar).mean(-1)
        samples = torch.sigmoid(vaes.decode(torch.randn(len(ROLES), SAMPLES, LATENT, generator=gen)))
        nearest = torch.cdist(test.expand(len(ROLES), -1, -1), samples).pow(2).min(-1).values / (SIZE * SIZE)
        coverage = nearest.mean(-1)
        axis = torch.linspace(-2, 2, GRID)
        grid = torch.stack(torch.meshgrid(axis, axis, indexing="ij"), -1).reshape(1, -1, LATENT)
        decoded = torch.sigmoid(vaes.decode(grid.expand(len(ROLES), -1, -1)))
    names = [f"β = {b:g}" for b in betas]
    yield Images(
        key="grid",
        title=f"The latent grid of the {names[1]} VAE: codes from -2 to 2 on both axes, decoded",
        images=[img.reshape(SIZE, SIZE).tolist() for img in decoded[1]],
        columns=GRID,
    )
    yield Images(
        key="reconstructions",
        title="Test images (top row), then rebuilt by each VAE from its mean code",
        images=[img.reshape(SIZE, SIZE).tolist() for img in (*test[:SHOWN], *rebuilt[:, :SHOWN].reshape(-1, SIZE * SIZE))],
        captions=["original"] * SHOWN + [name for name in names for _ in range(SHOWN)],
        columns=SHOWN,
    )
    yield Images(
        key="samples",
        title="New images: codes drawn from N(0, I), decoded by each VAE",
        images=[img.reshape(SIZE, SIZE).tolist() for img in samples[:, :SHOWN].reshape(-1, SIZE * SIZE)],
        captions=[name for name in names for _ in range(SHOWN)],
        columns=SHOWN,
    )
    yield Table(
        key="tradeoff",
        title="The trade-off (test images; coverage: each one's nearest prior sample)",
        columns=["KL weight", "recon. MSE", "KL (nats)", "coverage MSE", "code spread"],
        rows=[
            [names[i], f"{float(recon_mse[i]):.4f}", f"{float(kl[i]):.2f}", f"{float(coverage[i]):.4f}", f"{float(mu[i].std(0).mean()):.2f}"]
            for i in range(len(ROLES))
        ],
    )
    metrics = {}
    for i, role in enumerate(ROLES):
        metrics |= {
            f"{role}_recon_mse": float(recon_mse[i]),
            f"{role}_kl": float(kl[i]),
            f"{role}_coverage_mse": float(coverage[i]),
        }
    low, mid, high = (metrics[f"{r}_coverage_mse"] for r in ROLES)
    yield Result(
        metrics,
        reached=(
            betas[0] < betas[1] < betas[2]
            and metrics["low_kl"] > metrics["mid_kl"] > metrics["high_kl"]
            and metrics["high_recon_mse"] > 2 * metrics["mid_recon_mse"]
            and mid < 0.75 * low
            and mid < 0.75 * high
        ),
        summary=(
            f"Reconstruction error {metrics['low_recon_mse']:.4f}, {metrics['mid_recon_mse']:.4f} and "
            f"{metrics['high_recon_mse']:.4f} for {', '.join(names)}; samples from N(0, I) come within "
            f"{low:.4f}, {mid:.4f} and {high:.4f} of the test images: the middle weight covers the data best."
        ),
    )
