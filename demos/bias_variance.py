"""Bias and variance: polynomial fits of growing degree, over many draws of the training set."""

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

SPEC = DemoSpec(
    id="bias-variance",
    title="Bias and variance: the U-shaped validation error",
    teaches=(
        "Fitting polynomials of growing degree to the same few noisy points, the training error "
        "only falls, while the validation error first falls (less bias) and then rises again "
        "(more variance: the fit follows each sample's noise). More training points shrink the "
        "variance of a flexible model, but cannot cure the bias of a too simple one."
    ),
    concepts=("bias-variance trade-off", "underfitting", "overfitting", "model capacity", "learning curve"),
    params=(
        Param("points", 20, "training points in each draw, evenly spaced over [-1, 1]", min=20, max=200),
        Param("noise", 0.3, "std of the label noise", min=0.01, max=1.0),
        Param("max_degree", 15, "highest polynomial degree fitted", min=3, max=15),
        Param("draws", 200, "training sets drawn (errors are averaged over them)", min=10, max=2000),
    ),
    budget_s=15.0,
    metrics=(
        ("best_degree", "degree with the lowest mean validation error", "degree"),
        ("best_val_mse", "the lowest mean validation error", "MSE"),
        ("low_val_mse", "mean validation error of the straight line (degree 1)", "MSE"),
        ("high_val_mse", "mean validation error at the highest degree", "MSE"),
        ("high_train_mse", "mean training error at the highest degree", "MSE"),
        ("train_over_noise", "high_train_mse over the noise variance", "ratio"),
        ("low_bias_sq", "squared bias of the straight line", "MSE"),
        ("high_variance", "variance of the fit at the highest degree", "MSE"),
        ("high_val_drop", "validation error at the highest degree: fewest over most points in the size sweep", "ratio"),
        ("low_val_drop", "validation error of the straight line: fewest over most points in the size sweep", "ratio"),
    ),
)

GRID = 200
"""Validation points: an even grid over [-1, 1], each with fresh noise."""
SIZES = (1, 2, 4, 8, 16)
"""The size sweep: multiples of `points` training points."""


def target(x: Any) -> Any:
    """The true function."""
    return (math.pi * x).sin()


def features(torch: Any, x: Any, degree: int) -> Any:
    """Legendre polynomials P_0..P_degree at x: the same fits as powers of x, well conditioned."""
    return torch.special.legendre_polynomial_p(x.unsqueeze(-1), torch.arange(degree + 1))


def fits(
    torch: Any, degrees: list[int], points: int, draws: int, noise: float, gen: Any, grid: Any
) -> tuple[list[dict[str, Any]], Any, Any]:
    """Least-squares fits of each degree to the same `draws` training sets: `points` evenly spaced
    x in [-1, 1], fresh noise in every set. Per degree: mean errors, bias², variance, and the
    first set's fit on the grid."""
    x = torch.linspace(-1, 1, points, dtype=torch.float64)
    y = target(x) + noise * torch.randn(draws, points, generator=gen, dtype=torch.float64)
    fresh = target(grid) + noise * torch.randn(draws, grid.shape[0], generator=gen, dtype=torch.float64)
    out = []
    for degree in degrees:
        design = features(torch, x, degree)
        coef = torch.linalg.lstsq(design.expand(draws, -1, -1), y.unsqueeze(-1)).solution
        pred = (features(torch, grid, degree) @ coef).squeeze(-1)  # (draws, GRID)
        out.append(
            {
                "train": float(((design @ coef).squeeze(-1) - y).pow(2).mean()),
                "val": float((pred - fresh).pow(2).mean()),
                "bias_sq": float((pred.mean(0) - target(grid)).pow(2).mean()),
                "variance": float(pred.var(0, correction=0).mean()),
                "pred": pred[0],
            }
        )
    return out, x, y[0]


def run(ctx: DemoContext) -> Iterator[Event]:
    """Sweep the degree at a fixed size, then the size at two degrees."""
    import torch

    p = ctx.params
    points, noise = int(p["points"]), float(p["noise"])
    top, draws = int(p["max_degree"]), int(p["draws"])
    gen = torch.Generator().manual_seed(ctx.seed)
    grid = torch.linspace(-1, 1, GRID, dtype=torch.float64)
    degrees = list(range(top + 1))
    by_degree, first_x, first_y = fits(torch, degrees, points, draws, noise, gen, grid)
    yield Progress(1, 1 + len(SIZES), {"best_val_mse": min(r["val"] for r in by_degree)})
    floor = noise**2
    ds = [float(d) for d in degrees]
    yield Curves(
        key="errors",
        title=f"Mean error over {draws} training sets of {points} points, by degree",
        series={
            "validation": (ds, [r["val"] for r in by_degree]),
            "training": (ds, [r["train"] for r in by_degree]),
        },
        x_label="polynomial degree",
        y_label="MSE",
        log_y=True,
        refs=(RefLine(floor, f"noise σ² = {floor:.3g}"),),
    )
    yield Curves(
        key="decomposition",
        title="Validation error = bias² + variance + noise: the two parts that depend on the degree",
        series={
            "bias²": (ds, [max(r["bias_sq"], 1e-12) for r in by_degree]),
            "variance": (ds, [r["variance"] for r in by_degree]),
        },
        x_label="polynomial degree",
        y_label="MSE",
        log_y=True,
        refs=(RefLine(floor, "noise σ²"),),
    )
    val = [r["val"] for r in by_degree]
    best = min(degrees, key=lambda d: val[d])
    shown = sorted({1, best, top})
    yield Paths(
        key="fits",
        title=f"One training set and its fits of degree {', '.join(str(d) for d in shown)}",
        paths={f"degree {d}": (grid.tolist(), by_degree[d]["pred"].clamp(-3, 3).tolist()) for d in shown},
        points={"training points": (first_x.tolist(), first_y.tolist())},
        markers=False,
        x_label="x",
        y_label="y",
    )

    sizes = [k * points for k in SIZES]
    sweep: dict[int, list[dict[str, Any]]] = {1: [], top: []}
    for i, n in enumerate(sizes):
        if ctx.should_stop():
            return
        low_fit, high_fit = fits(torch, [1, top], n, draws, noise, gen, grid)[0]
        sweep[1].append(low_fit)
        sweep[top].append(high_fit)
        yield Progress(2 + i, 1 + len(SIZES))
    ns = [float(n) for n in sizes]
    yield Curves(
        key="sizes",
        title="More training points: validation and training error of degree 1 and of the highest",
        series={
            f"{kind} degree {d}": (ns, [r[key] for r in sweep[d]])
            for d in sweep
            for kind, key in (("validation", "val"), ("training", "train"))
        },
        x_label="training points",
        y_label="MSE",
        log_x=True,
        log_y=True,
        refs=(RefLine(floor, "noise σ²"),),
    )
    yield Table(
        key="degrees",
        title=f"By degree ({points} points, noise σ = {noise:g}, mean of {draws} draws)",
        columns=["degree", "training", "validation", "bias²", "variance"],
        rows=[
            [d, f"{r['train']:.3f}", f"{r['val']:.3f}", f"{r['bias_sq']:.3f}", f"{r['variance']:.3f}"]
            for d, r in zip(degrees, by_degree, strict=True)
        ],
    )
    high, low = by_degree[top], by_degree[1]
    metrics = {
        "best_degree": float(best),
        "best_val_mse": val[best],
        "low_val_mse": low["val"],
        "high_val_mse": high["val"],
        "high_train_mse": high["train"],
        "train_over_noise": high["train"] / floor,
        "low_bias_sq": low["bias_sq"],
        "high_variance": high["variance"],
        "high_val_drop": sweep[top][0]["val"] / sweep[top][-1]["val"],
        "low_val_drop": sweep[1][0]["val"] / sweep[1][-1]["val"],
    }
    trains = [r["train"] for r in by_degree]
    yield Result(
        metrics,
        reached=(
            all(b <= a + 1e-12 for a, b in zip(trains, trains[1:], strict=False))
            and 1 < best < top
            and low["val"] > 1.5 * val[best]
            and high["val"] > 1.5 * val[best]
            and low["bias_sq"] > low["variance"]
            and high["variance"] > high["bias_sq"]
            and metrics["high_val_drop"] > 2
            and metrics["low_val_drop"] < 1.5
        ),
        summary=(
            f"Degree 1 underfits (validation {low['val']:.3f}, mostly bias), degree {best} is best "
            f"({val[best]:.3f}), degree {top} overfits ({high['val']:.3f}, mostly variance) while its training error "
            f"is only {high['train']:.3f}. With {sizes[-1]} points instead of {sizes[0]}, degree {top}'s validation "
            f"error falls {metrics['high_val_drop']:.1f}x; the straight line's only {metrics['low_val_drop']:.2f}x."
        ),
    )
