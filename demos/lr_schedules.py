"""Learning-rate schedules: constant, step, cosine and warm-up + cosine, each at its best rate."""

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
    Table,
)

from ._series import finite
from ._stacked import forward, linear, step_each

SCHEDULES = ("constant", "step", "cosine", "warmup")
LABELS = {"constant": "constant", "step": "step decay", "cosine": "cosine", "warmup": "warm-up + cosine"}
RATES = (0.003, 0.01, 0.03, 0.1)
"""Peak learning rates every schedule tries; each is shown at its best."""

SPEC = DemoSpec(
    id="lr-schedules",
    title="Learning-rate schedules on one budget",
    teaches=(
        "Trained on mini-batches, the loss keeps bouncing at a level the learning rate sets, so "
        "a constant rate must stay small. Lowering the rate toward the end lets a schedule start "
        "larger and still settle: given the same network, batches and Adam steps, and each its "
        "best peak rate from the same grid, step decay, cosine and warm-up + cosine all end below "
        "the best constant rate. Warm-up changes little on this small network."
    ),
    concepts=("learning-rate schedule", "step decay", "cosine annealing", "warm-up", "mini-batch noise"),
    params=(
        Param("steps", 200, "Adam steps for every schedule", min=20, max=5000),
        Param("batch", 16, "examples per step", min=1, max=256),
        Param("noise", 0.3, "std of the label noise (its square is the loss floor)", min=0.05, max=1.0),
        Param("warmup", 0.1, "share of the steps the warm-up takes", min=0.01, max=0.5),
    ),
    budget_s=20.0,
    metrics=(
        *((f"{s}_loss", f"final training MSE at the best peak rate: {LABELS[s]}", "MSE") for s in SCHEDULES),
        *((f"{s}_lr", f"the best peak rate from the grid: {LABELS[s]}", "lr") for s in SCHEDULES),
        ("noise_floor", "the label noise's variance: the MSE of the true function", "MSE"),
        ("cosine_excess_ratio", "cosine's MSE above the floor over the constant rate's", "ratio"),
        ("warmup_excess_ratio", "warm-up + cosine's MSE above the floor over cosine's", "ratio"),
        ("decaying_below_constant", "share of the three decaying schedules that end below the best constant rate", "0..1"),
    ),
)

POINTS = 1000
HIDDEN = 32
EVALS = 30
CURVE_POINTS = 250
"""The curves evaluate every copy EVALS times on the first CURVE_POINTS points; the final
numbers use all of them."""


def factor(schedule: str, t: int, steps: int, warmup: float) -> float:
    """The multiplier of the peak rate at step t (0-based)."""
    if schedule == "constant":
        return 1.0
    if schedule == "step":
        return 1.0 if t < steps / 2 else 0.1 if t < 3 * steps / 4 else 0.01
    start = int(warmup * steps) if schedule == "warmup" else 0
    if t < start:
        return (t + 1) / start
    return 0.5 * (1 + math.cos(math.pi * (t - start) / max(1, steps - start)))


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train 4 schedules × 4 peak rates with Adam as one batched network on the same batches."""
    import torch

    p = ctx.params
    steps, batch, noise, warmup = int(p["steps"]), int(p["batch"]), float(p["noise"]), float(p["warmup"])
    gen = torch.Generator().manual_seed(ctx.seed)
    x = torch.rand(POINTS, 1, generator=gen) * 4 - 2
    y = torch.sin(3 * x) + noise * torch.randn(POINTS, 1, generator=gen)
    copies = len(SCHEDULES) * len(RATES)
    layers = [linear(torch, copies, a, b, gen, "default") for a, b in ((1, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, 1))]
    params = [t for layer in layers for t in layer]
    optimizer = torch.optim.Adam(params, lr=1.0)  # each copy's update is scaled to its own rate
    peak = torch.tensor([r for _ in SCHEDULES for r in RATES])

    def net(inputs: Any) -> Any:
        return forward(torch, layers, inputs, torch.tanh)

    def full_loss(points: int = POINTS) -> list[float]:
        with torch.no_grad():
            losses = ((net(x[:points]) - y[:points]) ** 2).mean(dim=(1, 2))
        return [v if math.isfinite(v) else math.inf for v in losses.tolist()]

    yield _rates(steps, warmup, {LABELS[s]: 1.0 for s in SCHEDULES}, "The four schedules, as a share of their peak rate")
    every = max(1, steps // EVALS)
    xs: list[float] = []
    history: list[list[float]] = []
    for t in range(steps):
        if ctx.should_stop():
            return
        i = torch.randint(0, POINTS, (batch,), generator=gen)
        loss = ((net(x[i]) - y[i]) ** 2).mean(dim=(1, 2))
        optimizer.zero_grad()
        loss.sum().backward()
        rates = peak * torch.tensor([factor(s, t, steps, warmup) for s in SCHEDULES for _ in RATES])
        step_each(torch, optimizer, params, rates)
        if (t + 1) % every == 0 or t + 1 == steps:
            xs.append(float(t + 1))
            history.append(full_loss(CURVE_POINTS))
            yield Progress(t + 1, steps, {"best_loss": min(history[-1])})

    final = full_loss()
    chosen = {
        s: min(range(len(RATES)), key=lambda r, s=s: final[SCHEDULES.index(s) * len(RATES) + r]) for s in SCHEDULES
    }
    column = {s: SCHEDULES.index(s) * len(RATES) + chosen[s] for s in SCHEDULES}
    label = {s: f"{LABELS[s]} {RATES[chosen[s]]:g}" for s in SCHEDULES}
    floor = noise**2
    yield Curves(
        key="loss",
        title=f"Training MSE on {CURVE_POINTS} of the points, each schedule at its best peak rate (log scale)",
        series={label[s]: finite(xs, [row[column[s]] for row in history]) for s in SCHEDULES},
        y_label="MSE",
        log_y=True,
        refs=(RefLine(floor, f"noise floor σ² = {floor:.3g}"),),
    )
    yield _rates(
        steps, warmup, {label[s]: RATES[chosen[s]] for s in SCHEDULES}, "The learning rate beneath: each schedule at its chosen peak"
    )
    yield Table(
        key="grid",
        title=f"Final training MSE for every schedule and peak rate ({steps} steps of {batch}, same batches)",
        columns=["schedule", *(f"lr {r:g}" for r in RATES)],
        rows=[
            [LABELS[s], *(_mse(final[SCHEDULES.index(s) * len(RATES) + r]) for r in range(len(RATES)))]
            for s in SCHEDULES
        ],
    )
    best = {s: final[column[s]] for s in SCHEDULES}
    excess = {s: best[s] - floor for s in SCHEDULES}
    metrics = {f"{s}_loss": best[s] for s in SCHEDULES} | {f"{s}_lr": RATES[chosen[s]] for s in SCHEDULES}
    metrics |= {
        "noise_floor": floor,
        "cosine_excess_ratio": excess["cosine"] / excess["constant"] if excess["constant"] > 0 else math.inf,
        "warmup_excess_ratio": excess["warmup"] / excess["cosine"] if excess["cosine"] > 0 else math.inf,
        "decaying_below_constant": sum(best[s] < best["constant"] for s in SCHEDULES[1:]) / 3,
    }
    yield Result(
        metrics,
        reached=(
            excess["constant"] > 0
            and all(excess[s] < excess["constant"] for s in SCHEDULES[1:])
            and min(excess[s] for s in SCHEDULES[1:]) < 0.75 * excess["constant"]
        ),
        summary=(
            f"Above the noise floor {floor:.3g}, the best constant rate ({RATES[chosen['constant']]:g}) ends "
            f"{excess['constant']:.3g} up; step decay {excess['step']:.3g}, cosine {excess['cosine']:.3g} and "
            f"warm-up + cosine {excess['warmup']:.3g}, each at its own best peak rate."
        ),
    )


def _rates(steps: int, warmup: float, peaks: dict[str, float], title: str) -> Curves:
    """The rate of every schedule at every step; `peaks` maps each series' label to its peak."""
    ts = range(steps)
    return Curves(
        key="rate",
        title=title,
        series={
            name: ([float(t + 1) for t in ts], [peak * factor(s, t, steps, warmup) for t in ts])
            for s, (name, peak) in zip(SCHEDULES, peaks.items(), strict=True)
        },
        y_label="learning rate",
    )


def _mse(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "diverged"
