"""GAN: two generators learn to fake a ring of Gaussians; one discriminator sees each batch's spread."""

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
    RefLine,
    Result,
    Scatter,
)

SPEC = DemoSpec(
    id="gan",
    title="GAN: generator vs discriminator on a ring of Gaussians",
    teaches=(
        "A generator turns noise into samples and learns only from a discriminator that "
        "tells real from fake. A discriminator that judges one point at a time cannot see "
        "that a batch is bunched up on a few modes; let it see each batch's spread (minibatch "
        "standard deviation) and the fakes reach every mode sooner, typically in half the "
        "steps a plain GAN trained beside it on the same noise needs. Both get there on "
        "this ring: the spread speeds coverage up."
    ),
    concepts=(
        "generative adversarial network",
        "generator",
        "discriminator",
        "mode collapse",
        "minibatch standard deviation",
    ),
    params=(
        Param("modes", 8, "Gaussians on a ring (the real distribution)", min=2, max=12),
        Param(
            "steps",
            2000,
            "most training steps (one D and one G update each); stops once both GANs cover every mode",
            min=25,
            max=20000,
        ),
        Param("hidden", 32, "hidden units of every network", min=4, max=256),
        Param("batch", 64, "samples per step", min=8, max=2048),
        Param("lr", 2e-3, "Adam learning rate of every network", min=1e-5, max=0.1),
        Param("shown", 200, "points drawn per cloud", min=10, max=2000),
    ),
    budget_s=60.0,  # its steps end it (1-3 s on a quiet machine); a loaded one needs the room
    metrics=(
        ("mean_error", "with the spread: distance between the means of generated and real points", "≥ 0"),
        ("std_fake", "with the spread: spread of the generated points", "≥ 0"),
        ("std_real", "spread of the real points", "≥ 0"),
        ("on_mode", "with the spread: share of generated points near one of the real modes", "0..1"),
        ("modes_covered", "with the spread: real modes the generated points reach", "count"),
        ("plain_mean_error", "plain GAN: distance between the means of generated and real points", "≥ 0"),
        ("plain_std_fake", "plain GAN: spread of the generated points", "≥ 0"),
        ("plain_on_mode", "plain GAN: share of generated points near one of the real modes", "0..1"),
        ("plain_modes_covered", "plain GAN: real modes the generated points reach", "count"),
        ("steps_to_cover", "with the spread: first step at which the fakes cover every mode (nan: not within steps)", "steps"),
        ("plain_steps_to_cover", "plain GAN: first step at which the fakes cover every mode (nan: not within steps)", "steps"),
        ("steps_run", "steps trained (both GANs)", "steps"),
        ("on_mode_before", "on_mode before training (both GANs start from the same weights)", "0..1"),
        ("modes", "modes of the real data", "count"),
    ),
)

NOISE = 2
"""Width of the noise vector the generator starts from."""
RADIUS = 2.0
SPREAD = 0.1
NEAR = 4 * SPREAD
"""A generated point counts as on a mode when it is this close to its centre."""
EVAL_EVERY = 25
"""Steps between two looks at the fakes (coverage, progress); frames every fourth look."""
GANS = ("with the spread", "plain")
"""Index 0 sees the minibatch standard deviation; index 1 gets a zero in its place."""


def _stacked(torch: Any, sizes: tuple[int, ...], copies: int) -> list[tuple[Any, Any]]:
    """An MLP's layers as (weight (copies, in, out), bias (copies, 1, out)), every copy the same
    nn.Linear initialisation: the GANs start from identical networks."""
    layers = []
    for fan_in, fan_out in zip(sizes, sizes[1:], strict=False):
        lin = torch.nn.Linear(fan_in, fan_out)
        weight = lin.weight.detach().t().expand(copies, -1, -1).clone().requires_grad_()
        bias = lin.bias.detach().view(1, 1, -1).expand(copies, -1, -1).clone().requires_grad_()
        layers.append((weight, bias))
    return layers


def _forward(torch: Any, layers: list[tuple[Any, Any]], x: Any) -> Any:
    """Every copy's MLP on its own batch at once: x (copies, n, in) -> (copies, n, out)."""
    for i, (weight, bias) in enumerate(layers):
        x = torch.baddbmm(bias, x, weight)
        if i < len(layers) - 1:
            x = torch.relu(x)
    return x


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train a GAN with and one without the batch's spread side by side; redraw both clouds."""
    import torch
    import torch.nn.functional as F

    p = ctx.params
    modes, steps, hidden = int(p["modes"]), int(p["steps"]), int(p["hidden"])
    batch, lr, shown = int(p["batch"]), float(p["lr"]), int(p["shown"])

    gen = torch.Generator().manual_seed(ctx.seed)
    angles = torch.arange(modes, dtype=torch.float32) * (2 * math.pi / modes)
    centres = RADIUS * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)

    def real_batch(n: int) -> torch.Tensor:
        which = torch.randint(0, modes, (n,), generator=gen)
        return centres[which] + SPREAD * torch.randn(n, 2, generator=gen)

    torch.manual_seed(ctx.seed)
    copies = len(GANS)
    generator = _stacked(torch, (NOISE, hidden, hidden, 2), copies)
    critic = _stacked(torch, (3, hidden, hidden, 1), copies)
    sees_spread = torch.tensor([1.0, 0.0]).view(copies, 1, 1)

    def features(points: torch.Tensor) -> torch.Tensor:
        """Points (copies, n, 2) and their batch's spread beside each (the plain GAN: a zero)."""
        spread = points.std(dim=1, keepdim=True).mean(dim=2, keepdim=True) * sees_spread
        return torch.cat([points, spread.expand(-1, points.shape[1], 1)], dim=2)

    def params(layers: list[tuple[Any, Any]]) -> list[Any]:
        return [t for layer in layers for t in layer]

    # Adam is element-wise, so one optimizer over the stacked copies is one per GAN.
    opt_g = torch.optim.Adam(params(generator), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(params(critic), lr=lr, betas=(0.5, 0.999))

    fixed_noise = torch.randn(1000, NOISE, generator=gen).expand(copies, -1, -1)
    real_eval = real_batch(1000)
    real_shown = real_eval[:shown]

    def sample() -> torch.Tensor:
        with torch.no_grad():
            return _forward(torch, generator, fixed_noise)

    def stats() -> list[dict[str, float]]:
        fakes = sample()
        return [_stats(fakes[k], real_eval, centres) for k in range(copies)]

    before = stats()[0]
    yield Progress(0, steps, before, f"real: {modes} Gaussians on a ring of radius {RADIUS:g}; two GANs")
    yield from _scatters(real_shown, sample()[:, :shown], 0)

    # softplus(-s) = -log sigmoid(s): the BCE of a logit s against label 1, softplus(s) against 0.
    # Each loss is a sum over the GANs of their own means, so each GAN gets exactly its own gradient.
    xs: list[float] = []
    d_losses: list[list[float]] = [[] for _ in GANS]
    g_losses: list[list[float]] = [[] for _ in GANS]
    covered: list[list[float]] = [[] for _ in GANS]
    now = [before, before]
    covered_at: list[float | None] = [None, None]
    step = 0
    while step < steps and None in covered_at:
        step += 1
        if ctx.should_stop():
            return
        real = real_batch(batch).expand(copies, -1, -1)
        noise = torch.randn(batch, NOISE, generator=gen).expand(copies, -1, -1)
        fake = _forward(torch, generator, noise)
        # Real and fake batches through the critic in one call; each keeps its own spread.
        scores = _forward(torch, critic, torch.cat([features(real), features(fake.detach())], dim=1))
        d_each = (
            F.softplus(-scores[:, :batch]).mean(dim=(1, 2))
            + F.softplus(scores[:, batch:]).mean(dim=(1, 2))
        )
        opt_d.zero_grad()
        d_each.sum().backward()
        opt_d.step()
        g_each = F.softplus(-_forward(torch, critic, features(fake))).mean(dim=(1, 2))  # non-saturating: make D say "real"
        opt_g.zero_grad()
        g_each.sum().backward()
        opt_g.step()
        if step % EVAL_EVERY and step != steps:
            continue
        xs.append(float(step))
        now = stats()
        for k in range(copies):
            d_losses[k].append(float(d_each[k].detach()))
            g_losses[k].append(float(g_each[k].detach()))
            covered[k].append(now[k]["modes_covered"])
            if covered_at[k] is None and now[k]["modes_covered"] == modes:
                covered_at[k] = float(step)
        done = None not in covered_at or step == steps
        yield Progress(
            step,
            steps,
            {"modes_covered": now[0]["modes_covered"], "plain_modes_covered": now[1]["modes_covered"]},
            "both GANs cover every mode" if None not in covered_at else "",
        )
        if step % (4 * EVAL_EVERY) == 0 or done:
            yield from _scatters(real_shown, sample()[:, :shown], step)
            yield Curves(
                "coverage",
                f"Real modes each GAN covers (of {modes})",
                series={name: (list(xs), list(covered[k])) for k, name in enumerate(GANS)},
                y_label="modes",
                y_min=0.0,
                y_max=float(modes),
                refs=tuple(
                    RefLine(at, f"{name}: every mode at step {at:.0f}", axis="x")
                    for name, at in zip(GANS, covered_at, strict=True)
                    if at is not None
                ),
            )
            yield Curves(
                "loss",
                "Discriminator and generator losses",
                series={
                    f"{net} ({name})": (list(xs), list(hist[k]))
                    for k, name in enumerate(GANS)
                    for net, hist in (("D", d_losses), ("G", g_losses))
                },
                y_label="loss",
            )

    spread, plain = now
    first, plain_first = (math.nan if at is None else at for at in covered_at)
    # The point, measured in training: with the spread the fakes cover every mode, and sooner
    # than the plain GAN's (which may not get there within `steps` at all).
    reached = covered_at[0] is not None and (covered_at[1] is None or covered_at[0] < covered_at[1])
    plain_text = (
        f"the plain GAN, same seed and noise, at step {plain_first:.0f}"
        if covered_at[1] is not None
        else f"the plain GAN, same seed and noise, not within {step} steps"
    )
    spread_text = f"at step {first:.0f}" if covered_at[0] is not None else f"not within {step} steps"
    yield Result(
        {
            **spread,
            **{f"plain_{k}": v for k, v in plain.items() if k != "std_real"},
            "steps_to_cover": first,
            "plain_steps_to_cover": plain_first,
            "steps_run": float(step),
            "on_mode_before": before["on_mode"],
            "modes": float(modes),
        },
        reached=reached,
        summary=(
            f"With the batch's spread the fakes first cover all {modes} modes {spread_text}; "
            f"{plain_text}. After {step} steps {spread['on_mode']:.0%} of the fakes with the spread "
            f"and {plain['on_mode']:.0%} of the plain ones sit on a mode."
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


def _scatters(real: Any, fakes: Any, step: int) -> Iterator[Scatter]:
    """The real cloud and each GAN's fakes, one plot per GAN."""
    for k, name in enumerate(GANS):
        yield Scatter(
            f"samples_{'spread' if k == 0 else 'plain'}",
            f"Real vs generated, {name}, after {step} steps",
            series={
                "real": (real[:, 0].tolist(), real[:, 1].tolist()),
                "generated": (fakes[k, :, 0].tolist(), fakes[k, :, 1].tolist()),
            },
        )
