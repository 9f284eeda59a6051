"""Initialization: activation and gradient variance per layer under four scales of initial weights."""

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

INITS = ("small", "xavier", "he", "large")
LABELS = {"small": "too small", "xavier": "Xavier", "he": "He", "large": "too large"}

SPEC = DemoSpec(
    id="initialization",
    title="Initialization: keeping the variance through depth",
    teaches=(
        "Each layer multiplies the activations' variance, and the gradients' on the way back, by "
        "about fan_in × Var(w) × the activation's share: too small or too large initial weights "
        "shrink or blow it up exponentially with depth. He init (Var 2/fan_in) keeps it for ReLU, "
        "which zeroes half its inputs; Xavier (Var 1/fan_in here) then halves it at every layer. "
        "For tanh both stay within about a decade."
    ),
    concepts=("weight initialization", "Xavier / Glorot", "He initialization", "vanishing gradients", "exploding gradients"),
    params=(
        Param("activation", "relu", "the nonlinearity after every layer", choices=("relu", "tanh")),
        Param("depth", 20, "layers", min=2, max=50),
        Param("width", 128, "units per layer (fan_in = fan_out = width)", min=16, max=512),
        Param("small_std", 0.01, "weight std of the too-small init", min=1e-4, max=0.1),
        Param("large_std", 1.0, "weight std of the too-large init", min=0.2, max=10.0),
    ),
    budget_s=10.0,
    metrics=(
        *(
            (f"{init}_act_ratio", f"activation variance, last layer over first: {LABELS[init]} init", "ratio")
            for init in INITS
        ),
        *(
            (f"{init}_grad_ratio", f"gradient variance, first layer over last: {LABELS[init]} init", "ratio")
            for init in INITS
        ),
        ("large_saturated", "share of the last layer's units with |a| > 0.99 under the too-large init", "0..1"),
    ),
)

BATCH = 256


def weight_std(init: str, width: int, small: float, large: float) -> float:
    """The std of every weight: Xavier's 2/(fan_in + fan_out) and He's 2/fan_in as variances."""
    return {
        "small": small,
        "xavier": math.sqrt(2.0 / (width + width)),
        "he": math.sqrt(2.0 / width),
        "large": large,
    }[init]


def statistics(torch: Any, act: str, stds: list[float], depth: int, width: int, gen: Any) -> dict[str, Any]:
    """One forward and backward pass of a plain deep net per init, all on the same input and
    the same random weight directions (only their scale differs): per-layer variances."""
    x = torch.randn(BATCH, width, generator=gen, dtype=torch.float64)
    shapes = [torch.randn(width, width, generator=gen, dtype=torch.float64) for _ in range(depth)]
    probe = torch.randn(BATCH, width, generator=gen, dtype=torch.float64)
    f = torch.relu if act == "relu" else torch.tanh
    out: dict[str, Any] = {"act": [], "grad": [], "saturated": []}
    for std in stds:
        weights = [(w * std).requires_grad_() for w in shapes]
        h, acts = x, []
        for w in weights:
            h = f(h @ w)
            h.retain_grad()
            acts.append(h)
        (h * probe).sum().backward()  # a random linear read-out: a gradient of unit size at the top
        out["act"].append([float(a.detach().var()) for a in acts])
        out["grad"].append([float(a.grad.var()) for a in acts])
        out["saturated"].append(float((acts[-1].detach().abs() > 0.99).double().mean()))
    return out


def _decades(ratio: float) -> float:
    """How many powers of ten a ratio is away from 1 (inf when it under- or overflowed)."""
    return abs(math.log10(ratio)) if 0 < ratio < math.inf else math.inf


def run(ctx: DemoContext) -> Iterator[Event]:
    """Measure each init's variances layer by layer and say which keep them."""
    import torch

    p = ctx.params
    act, depth, width = str(p["activation"]), int(p["depth"]), int(p["width"])
    stds = [weight_std(i, width, float(p["small_std"]), float(p["large_std"])) for i in INITS]
    yield Progress(0, 1, message=f"{depth} {act} layers of {width} units")
    gen = torch.Generator().manual_seed(ctx.seed)
    s = statistics(torch, act, stds, depth, width, gen)
    if ctx.should_stop():
        return
    layers = [float(i + 1) for i in range(depth)]
    labels = [f"{LABELS[i]} ({std:.2g})" for i, std in zip(INITS, stds, strict=True)]
    for key, what, rows in (("activations", "Activation", s["act"]), ("gradients", "Gradient ∂loss/∂a", s["grad"])):
        yield Curves(
            key=key,
            title=f"{what} variance per layer, {act} (weight std in brackets; log scale)",
            series={label: (layers, [max(v, 1e-300) for v in row]) for label, row in zip(labels, rows, strict=True)},
            x_label="layer",
            y_label="variance",
            log_y=True,
            refs=(RefLine(1.0, "variance 1"),),
        )
    act_ratio = [row[-1] / row[0] for row in s["act"]]
    grad_ratio = [row[0] / row[-1] for row in s["grad"]]
    saturation = ["saturated (|a| > 0.99)"] if act == "tanh" else []
    yield Table(
        key="summary",
        title=f"From the first to the last of {depth} layers ({act}, width {width})",
        columns=["init", "weight std", "act. var last/first", "grad. var first/last", *saturation],
        rows=[
            [LABELS[i], f"{std:.3g}", f"{a:.2g}", f"{g:.2g}", *([f"{sat:.0%}"] if saturation else [])]
            for i, std, a, g, sat in zip(INITS, stds, act_ratio, grad_ratio, s["saturated"], strict=True)
        ],
    )
    metrics = {f"{i}_act_ratio": a for i, a in zip(INITS, act_ratio, strict=True)}
    metrics |= {f"{i}_grad_ratio": g for i, g in zip(INITS, grad_ratio, strict=True)}
    metrics["large_saturated"] = s["saturated"][INITS.index("large")]
    off = {i: max(_decades(a), _decades(g)) for i, a, g in zip(INITS, act_ratio, grad_ratio, strict=True)}
    kept = ("he",) if act == "relu" else ("xavier", "he")
    reached = all(off[i] < 1.5 for i in kept) and off["small"] > 6 and off["large"] > 6
    if act == "relu":
        reached = reached and off["xavier"] > 3
    yield Result(
        metrics,
        reached=reached,
        summary=(
            f"Over {depth} {act} layers the activation variance ends at {act_ratio[0]:.1g}× its first "
            f"layer's with too-small weights, {act_ratio[1]:.2g}× with Xavier, {act_ratio[2]:.2g}× with He "
            f"and {act_ratio[3]:.2g}× with too-large ones (gradients at the first layer: "
            f"{grad_ratio[0]:.1g}×, {grad_ratio[1]:.2g}×, {grad_ratio[2]:.2g}×, {grad_ratio[3]:.2g}× the last's)."
        ),
    )
