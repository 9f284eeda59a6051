"""Learning rate: too small crawls, about right converges, too large diverges on a 2-D bowl."""

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
    Paths,
    Progress,
    RefLine,
    Result,
    Table,
)

from ._series import finite

SPEC = DemoSpec(
    id="learning-rate",
    title="Learning rate: too small, about right, too large",
    teaches=(
        "Gradient descent on the bowl f = (x² + k·y²)/2 moves lr × gradient per step: a tiny "
        "learning rate is still far from the minimum after all its steps, a good one gets "
        "there, and one above 2/k overshoots further on every step and diverges."
    ),
    concepts=("learning rate", "gradient descent", "divergence", "step size", "curvature"),
    params=(
        Param("lr_small", 0.02, "the too-small learning rate", min=1e-4, max=1.0),
        Param("lr_good", 0.3, "the about-right learning rate", min=1e-4, max=1.0),
        Param("lr_large", 0.42, "the too-large learning rate", min=1e-4, max=1.0),
        Param(
            "curvature", 5.0, "k: how much steeper the bowl is along y than x", min=1.0, max=50.0
        ),
        Param("steps", 40, "gradient descent steps for every learning rate", min=1, max=500),
        Param("start_x", -4.0, "x of the common starting point", min=-5.0, max=5.0),
        Param("start_y", 2.0, "y of the common starting point", min=-5.0, max=5.0),
    ),
    budget_s=10.0,
    metrics=(
        *(
            (f"{run}_{kind}", f"{what} with the {label} learning rate", unit)
            for run, label in (("small", "too-small"), ("good", "about-right"), ("large", "too-large"))
            for kind, what, unit in (
                ("loss", "loss after all steps", "≥ 0"),
                ("distance", "distance from the minimum after all steps", "≥ 0"),
            )
        ),
        ("start_loss", "loss at the starting point", "≥ 0"),
        (
            "limit_lr",
            "the largest learning rate that does not diverge, found by bisection on runs from the start (2/k in theory)",
            "lr",
        ),
        ("sweep_boundary_at_2_over_k", "1 if the sweep starts diverging right past 2/k", "0 or 1"),
    ),
)

RUNS = ("small", "good", "large")
VIEW = 5.0
"""Paths are drawn inside [-VIEW, VIEW]²; a diverging path is cut where it leaves."""
SWEEP = 25
"""Learning rates in the sweep, log-spaced."""
PROBE_STEPS = 200
"""Steps of each run the limit's bisection tries: long enough that a run above the limit is
visibly moving away from the minimum whatever the demo's own `steps`."""
PROBES = 63
"""Rates tried at once in each round of the bisection (one batched run)."""
ROUNDS = 6
"""Rounds of the bisection: each narrows the interval 64-fold (6 rounds: to about 1e-10)."""


def bowl(points: Any, k: float) -> Any:
    """f(x, y) = (x² + k·y²) / 2 for each row (x, y); minimum 0 at the origin."""
    return 0.5 * (points[..., 0] ** 2 + k * points[..., 1] ** 2)


def descend(torch: Any, start: tuple[float, float], lrs: list[float], k: float, steps: int) -> Any:
    """Plain gradient descent θ ← θ − lr·∇f from `start` for each lr: positions (steps+1, runs, 2)."""
    theta = torch.tensor([start] * len(lrs), dtype=torch.float64, requires_grad=True)
    rate = torch.tensor(lrs, dtype=torch.float64).unsqueeze(1)
    path = [theta.detach().clone()]
    for _ in range(steps):
        (grad,) = torch.autograd.grad(bowl(theta, k).sum(), theta)
        with torch.no_grad():
            theta -= rate * grad
        path.append(theta.detach().clone())
    return torch.stack(path)


def diverging(torch: Any, start: tuple[float, float], lrs: list[float], k: float) -> list[bool]:
    """For each rate: is its run moving away from the minimum (farther at the end than halfway)?"""
    distance = descend(torch, start, lrs, k, PROBE_STEPS).norm(dim=2)
    return [not end <= mid for mid, end in zip(distance[PROBE_STEPS // 2].tolist(), distance[-1].tolist(), strict=True)]


def measure_limit(torch: Any, start: tuple[float, float], k: float) -> float:
    """The largest learning rate whose run does not diverge, by bisection on the runs themselves.

    NaN when no rate up to 4 diverges (a start at the minimum never moves)."""
    low, high = 0.0, 4.0  # the flattest direction has curvature 1: every run diverges past 2
    if not diverging(torch, start, [high], k)[0]:
        return math.nan
    for _ in range(ROUNDS):
        rates = [low + (high - low) * (i + 1) / (PROBES + 1) for i in range(PROBES)]
        flags = diverging(torch, start, rates, k)
        first = next((i for i, diverges in enumerate(flags) if diverges), PROBES)
        low, high = (rates[first - 1] if first else low), (rates[first] if first < PROBES else high)
    return (low + high) / 2


def contours(k: float, levels: tuple[float, ...] = (2.0, 8.0)) -> tuple[list[float], list[float]]:
    """Points on the ellipses f = level, clipped to the view (sparse, so the paths stand out)."""
    xs: list[float] = []
    ys: list[float] = []
    for level in levels:
        for i in range(72):
            t = 2 * math.pi * i / 72
            x, y = math.sqrt(2 * level) * math.cos(t), math.sqrt(2 * level / k) * math.sin(t)
            if abs(x) <= VIEW and abs(y) <= VIEW:
                xs.append(x)
                ys.append(y)
    return xs, ys


def _in_view(path: list[list[float]]) -> tuple[list[float], list[float]]:
    """The path up to the first point outside the view."""
    xs: list[float] = []
    ys: list[float] = []
    for x, y in path:
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > VIEW:
            break
        xs.append(x)
        ys.append(y)
    return xs, ys


def run(ctx: DemoContext) -> Iterator[Event]:
    """Descend from one start with three learning rates, drawing paths; then sweep the rate."""
    import torch

    p = ctx.params
    k, steps = float(p["curvature"]), int(p["steps"])
    start = (float(p["start_x"]), float(p["start_y"]))
    lrs = {name: float(p[f"lr_{name}"]) for name in RUNS}
    limit = 2.0 / k
    yield Progress(0, steps, message=f"steepest curvature k = {k:g}, so lr must stay below 2/k")
    measured = measure_limit(torch, start, k)

    positions = descend(torch, start, list(lrs.values()), k, steps)
    losses = bowl(positions, k)  # (steps+1, runs)
    f0 = float(losses[0, 0])
    ring = contours(k)
    labels = {name: f"{name} {lrs[name]:g}" for name in RUNS}
    refresh = max(1, steps // 8)
    for step in range(0, steps + 1):
        if ctx.should_stop():
            return
        if step % refresh and step != steps:
            continue
        yield Progress(
            step, steps, {f"{n}_loss": float(losses[step, i]) for i, n in enumerate(RUNS)}
        )
        yield Paths(
            key="paths",
            title=f"Paths after {step} steps on the bowl (a marker per step)",
            paths={
                labels[name]: _in_view(positions[: step + 1, i].tolist())
                for i, name in enumerate(RUNS)
            },
            points={"start": ([start[0]], [start[1]]), "minimum (0, 0)": ([0.0], [0.0])},
            contours={"contours f = 2, 8": ring},
        )
        xs = [float(s) for s in range(step + 1)]
        yield Curves(
            key="loss",
            title="f(x, y) per step (log scale)",
            series={
                labels[n]: finite(xs, [max(float(v), 1e-30) for v in losses[: step + 1, i]])
                for i, n in enumerate(RUNS)
            },
            y_label="f",
            log_y=True,
        )

    # The whole range: every learning rate, the same steps, the same start.
    sweep = [10 ** (-3 + 3 * i / (SWEEP - 1)) for i in range(SWEEP)]
    final = bowl(descend(torch, start, sweep, k, steps)[-1], k).tolist()
    cap = f0 * 1e6
    yield Curves(
        key="sweep",
        title=f"Final f by learning rate: diverges past 2/k = {limit:.3g} (capped at 10⁶×)",
        series={
            "final f": (
                list(sweep),
                [min(max(v, 1e-30), cap) if math.isfinite(v) else cap for v in final],
            ),
        },
        x_label="learning rate",
        y_label="f",
        log_y=True,
        log_x=True,
        refs=(
            RefLine(measured, f"measured limit {measured:.3g}", axis="x"),
            RefLine(f0, "f at the start"),
        ),
    )
    last = {n: float(losses[-1, i]) for i, n in enumerate(RUNS)}
    dist = {n: float(positions[-1, i].norm()) for i, n in enumerate(RUNS)}
    yield Table(
        key="summary",
        title=f"After {steps} steps from {start}",
        columns=["learning rate", "lr × k", "final f", "distance to min", "verdict"],
        rows=[
            [
                labels[n],
                f"{lrs[n] * k:.3g}",
                f"{last[n]:.3g}",
                f"{dist[n]:.3g}",
                _verdict(last[n], f0),
            ]
            for n in RUNS
        ],
    )

    stable = [v < f0 for r, v in zip(sweep, final, strict=True) if r < limit]
    unstable = [not v <= f0 for r, v in zip(sweep, final, strict=True) if r > limit]  # NaN too
    boundary = float(all(stable) and all(unstable))
    reached = (
        last["small"] > 0.01 * f0
        and last["good"] < 1e-6 * f0
        and not last["large"] <= f0  # overflowing to inf/NaN is diverging too
        and lrs["large"] > measured > lrs["good"]
    )
    metrics = {f"{n}_loss": last[n] for n in RUNS} | {f"{n}_distance": dist[n] for n in RUNS}
    metrics |= {"start_loss": f0, "limit_lr": measured, "sweep_boundary_at_2_over_k": boundary}
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"From f={f0:.3g}: lr {lrs['small']:g} ends at {last['small']:.3g} (still far), "
            f"lr {lrs['good']:g} at {last['good']:.2g}, lr {lrs['large']:g} at {last['large']:.3g} "
            f"(diverged: above the measured limit {measured:.3g})."
        ),
    )


def _verdict(final: float, start: float) -> str:
    if not math.isfinite(final) or final > start:
        return "diverged"
    if final > 0.01 * start:
        return "too slow"
    return "converged"
