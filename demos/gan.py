"""GAN: a generator learns to fake a 2-D mixture of Gaussians by fooling a discriminator."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Param,
    Progress,
    Result,
    Scatter,
)

SPEC = DemoSpec(
    id="gan",
    title="GAN: generator vs discriminator on a mixture of Gaussians",
    teaches=(
        "A generator turns noise into samples and learns only from a discriminator "
        "that tells real from fake. Left alone it collapses onto a few of the eight modes; "
        "let the discriminator see each batch's spread (minibatch standard deviation) and "
        "the fakes cover them all."
    ),
    concepts=(
        "generative adversarial network",
        "generator",
        "discriminator",
        "mode collapse",
        "minibatch standard deviation",
    ),
    params=(
        Param("modes", 8, "Gaussians on a ring (the real distribution)", min=1, max=12),
        Param("steps", 400, "training steps (one D and one G update each)", min=1, max=20000),
        Param("hidden", 32, "hidden units of both networks", min=4, max=256),
        Param("batch", 64, "samples per step", min=8, max=2048),
        Param("lr", 2e-3, "Adam learning rate of both networks", min=1e-5, max=0.1),
        Param(
            "minibatch_std",
            True,
            "let the discriminator see each batch's spread (off: watch modes collapse)",
        ),
        Param("shown", 200, "points drawn per cloud", min=10, max=2000),
    ),
    metrics=(
        ("mean_error", "distance between the mean of generated and real points", "≥ 0"),
        ("std_fake", "spread of the generated points", "≥ 0"),
        ("std_real", "spread of the real points", "≥ 0"),
        ("on_mode", "share of generated points near one of the real modes", "0..1"),
        ("modes_covered", "real modes that generated points reach", "count"),
        ("on_mode_before", "on_mode before training", "0..1"),
        ("modes", "modes of the real data", "count"),
        ("minibatch_std", "1 if the discriminator saw the minibatch standard deviation", "0 or 1"),
    ),
)

NOISE = 2
"""Width of the noise vector the generator starts from."""
RADIUS = 2.0
SPREAD = 0.1
NEAR = 4 * SPREAD
"""A generated point counts as on a mode when it is this close to its centre."""


def run(ctx: DemoContext) -> Iterator[Event]:
    """Alternate discriminator and generator updates; redraw real and fake clouds as they go."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    p = ctx.params
    modes = int(p["modes"])
    steps = int(p["steps"])
    hidden = int(p["hidden"])
    batch = int(p["batch"])
    lr = float(p["lr"])
    shown = int(p["shown"])
    minibatch_std = bool(p["minibatch_std"])

    gen = torch.Generator().manual_seed(ctx.seed)
    angles = torch.arange(modes, dtype=torch.float32) * (2 * math.pi / modes)
    centres = RADIUS * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)

    def real_batch(n: int) -> torch.Tensor:
        which = torch.randint(0, modes, (n,), generator=gen)
        return centres[which] + SPREAD * torch.randn(n, 2, generator=gen)

    torch.manual_seed(ctx.seed)
    generator = nn.Sequential(
        nn.Linear(NOISE, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 2),
    )
    critic = nn.Sequential(
        nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
    )

    def discriminator(points: torch.Tensor) -> torch.Tensor:
        """Score points; each also sees its batch's spread, so a collapsed batch looks fake."""
        if minibatch_std:
            spread = points.std(dim=0).mean().expand(points.shape[0], 1)
        else:
            spread = torch.zeros(points.shape[0], 1)
        return critic(torch.cat([points, spread], dim=1))

    opt_g = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.999))

    fixed_noise = torch.randn(1000, NOISE, generator=gen)
    real_eval = real_batch(1000)
    real_shown = real_eval[:shown]

    def sample() -> torch.Tensor:
        with torch.no_grad():
            return generator(fixed_noise)

    before = _stats(sample(), real_eval, centres)
    yield Progress(0, steps, before, f"real: {modes} Gaussians on a ring of radius {RADIUS:g}")
    yield _scatter(real_shown, sample()[:shown], 0)

    # softplus(-s) = -log sigmoid(s): the BCE of a logit s against label 1, softplus(s) against 0.
    xs: list[float] = []
    d_losses: list[float] = []
    g_losses: list[float] = []
    covered: list[float] = []
    refresh_progress = max(1, steps // 40)
    refresh_frames = max(1, steps // 10)
    stats = before
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        real = real_batch(batch)
        noise = torch.randn(batch, NOISE, generator=gen)
        fake = generator(noise)
        d_loss = (
            F.softplus(-discriminator(real)).mean()
            + F.softplus(discriminator(fake.detach())).mean()
        )
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-discriminator(fake)).mean()  # non-saturating: make D say "real"
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        if step % refresh_progress == 0 or step == steps:
            xs.append(float(step))
            d_losses.append(d_loss.item())
            g_losses.append(g_loss.item())
            stats = _stats(sample(), real_eval, centres)
            covered.append(stats["modes_covered"])
            yield Progress(step, steps, {"d_loss": d_losses[-1], "g_loss": g_losses[-1], **stats})
        if step % refresh_frames == 0 or step == steps:
            yield _scatter(real_shown, sample()[:shown], step)
            yield Curves(
                "loss",
                "Discriminator and generator losses",
                series={"D": (list(xs), list(d_losses)), "G": (list(xs), list(g_losses))},
                y_label="loss",
            )
            yield Curves(
                "coverage",
                f"Real modes the generator covers (of {modes})"
                + ("" if minibatch_std else ": without the spread the fakes collapse"),
                series={"modes covered": (list(xs), list(covered))},
                y_label="modes",
                y_min=0.0,
                y_max=float(modes),
            )

    if minibatch_std:  # the point: with the spread visible, every mode is found
        reached = stats["modes_covered"] == modes and stats["on_mode"] > max(0.4, before["on_mode"])
    else:  # the point: without it, the generator collapses onto some modes
        reached = stats["modes_covered"] < modes
    trick = "with" if minibatch_std else "without"
    yield Result(
        {**stats, "on_mode_before": before["on_mode"], "modes": float(modes), "minibatch_std": float(minibatch_std)},
        reached=reached,
        summary=(
            f"{trick.capitalize()} minibatch standard deviation the fakes cover "
            f"{stats['modes_covered']:.0f} of {modes} modes; {stats['on_mode']:.0%} of them land "
            f"on a real mode (was {before['on_mode']:.0%}); spread {stats['std_fake']:.2f} "
            f"vs {stats['std_real']:.2f}."
            + ("" if minibatch_std else " Run it again with minibatch_std on to compare (c).")
        ),
    )


def _stats(fake: Any, real: Any, centres: Any) -> dict[str, float]:
    """How close the fake cloud is to the real one: mean, spread, points on modes, modes hit."""
    import torch

    dist = torch.cdist(fake, centres)
    nearest, which = dist.min(dim=1)
    on = nearest < NEAR
    counts = torch.bincount(which[on], minlength=centres.shape[0]).float()
    fair_share = fake.shape[0] / centres.shape[0]
    return {
        "mean_error": float((fake.mean(dim=0) - real.mean(dim=0)).norm()),
        "std_fake": float(fake.std(dim=0).mean()),
        "std_real": float(real.std(dim=0).mean()),
        "on_mode": float(on.float().mean()),
        "modes_covered": float((counts > 0.2 * fair_share).sum()),
    }


def _scatter(real: Any, fake: Any, step: int) -> Scatter:
    """The real and generated clouds on one plot."""
    return Scatter(
        "samples",
        f"Real vs generated samples after {step} steps",
        series={
            "real": (real[:, 0].tolist(), real[:, 1].tolist()),
            "generated": (fake[:, 0].tolist(), fake[:, 1].tolist()),
        },
    )
