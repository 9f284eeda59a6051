"""Receptive field: which input pixels can reach one output unit, by formula and by its gradient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Heatmap,
    Param,
    Progress,
    Result,
    Table,
)

SPEC = DemoSpec(
    id="receptive-field",
    title="Receptive field: which pixels reach one unit",
    teaches=(
        "Each k×k layer widens a unit's receptive field by (k − 1) times the dilation times the "
        "product of the strides before it; the gradient of one output unit with respect to the "
        "input is non-zero exactly inside that field (with holes where dilation skips pixels)."
    ),
    concepts=("receptive field", "kernel size", "stride", "dilation", "stacked convolutions"),
    params=(
        Param("layers", 3, "stacked convolution layers", min=1, max=6),
        Param("kernel", 3, "kernel side k of every layer", min=1, max=7),
        Param("stride", 1, "stride of every layer", min=1, max=2),
        Param("dilation", 1, "dilation of every layer (1: none)", min=1, max=3),
    ),
    budget_s=10.0,
    metrics=(
        ("rf_size", "side of the receptive field of the last layer's unit, by the formula", "pixels"),
        ("rf_measured", "side of the box of input pixels with a non-zero gradient", "pixels"),
        ("reached_share", "share of the pixels in that box whose gradient is non-zero", "0..1"),
        ("center_share", "share of the gradient's squared size in the middle half of the field", "0..1"),
        ("formula_matches", "1 if the gradient's box equals the formula at every layer", "0 or 1"),
    ),
)

MARGIN = 3
"""Pixels beyond the field on each side of the input, where the gradient must be zero."""
SHOWN = 40
"""A field wider than this is drawn max-pooled down to at most this many cells per side."""


def field_sizes(layers: int, kernel: int, stride: int, dilation: int) -> list[int]:
    """The receptive field side after each layer: r ← r + (k − 1)·d·j, the jump j ← j·s."""
    sizes, r, jump = [], 1, 1
    for _ in range(layers):
        r += (kernel - 1) * dilation * jump
        jump *= stride
        sizes.append(r)
    return sizes


def build(torch: Any, layers: int, kernel: int, stride: int, dilation: int, gen: Any) -> list[Any]:
    """Single-channel conv layers (no padding) with random weights and tanh between them."""
    convs = []
    for _ in range(layers):
        conv = torch.nn.Conv2d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
        with torch.no_grad():
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen, dtype=torch.float64))
        convs.append(conv.double())
    return convs


def reach(torch: Any, convs: list[Any], side: int, gen: Any) -> Any:
    """|∂ centre unit of the last layer / ∂ input| on a random side×side input."""
    x = torch.randn(1, 1, side, side, generator=gen, dtype=torch.float64, requires_grad=True)
    h = x
    for i, conv in enumerate(convs):
        h = conv(h)
        if i < len(convs) - 1:
            h = torch.tanh(h)  # tanh' > 0 everywhere: no path is cut by a dead unit
    centre = h[0, 0, h.shape[2] // 2, h.shape[3] // 2]
    (grad,) = torch.autograd.grad(centre, x)
    return grad[0, 0].abs()


def box(torch: Any, grad: Any) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the non-zero gradient, inclusive."""
    rows = torch.nonzero(grad.sum(1)).flatten()
    cols = torch.nonzero(grad.sum(0)).flatten()
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def _picture(torch: Any, grad: Any, bounds: tuple[int, int, int, int]) -> tuple[list[list[float]], int]:
    """The field plus one pixel around it, as |gradient| / max, max-pooled to at most SHOWN per side."""
    top, bottom, left, right = bounds
    crop = grad[max(0, top - 1) : bottom + 2, max(0, left - 1) : right + 2]
    crop = crop / crop.max()
    pool = -(-max(crop.shape) // SHOWN)
    if pool > 1:
        crop = torch.nn.functional.max_pool2d(crop[None, None], pool, ceil_mode=True)[0, 0]
    return [[round(float(v), 3) for v in row] for row in crop], pool


def run(ctx: DemoContext) -> Iterator[Event]:
    """For each depth, backpropagate from the centre unit and compare its reach with the formula."""
    import torch

    p = ctx.params
    layers, kernel = int(p["layers"]), int(p["kernel"])
    stride, dilation = int(p["stride"]), int(p["dilation"])
    sizes = field_sizes(layers, kernel, stride, dilation)
    gen = torch.Generator().manual_seed(ctx.seed)
    convs = build(torch, layers, kernel, stride, dilation, gen)
    yield Progress(0, layers, message=f"{layers} layers of {kernel}×{kernel}, stride {stride}, dilation {dilation}")

    rows, measured, reached, grad, bounds = [], [], [], None, (0, 0, 0, 0)
    for depth in range(1, layers + 1):
        if ctx.should_stop():
            return
        side = sizes[depth - 1] + 2 * MARGIN
        grad = reach(torch, convs[:depth], side, gen)
        bounds = box(torch, grad)
        extent = bounds[1] - bounds[0] + 1
        inside = grad[bounds[0] : bounds[1] + 1, bounds[2] : bounds[3] + 1]
        share = float((inside != 0).double().mean())
        measured.append(extent)
        reached.append(share)
        jump = stride ** (depth - 1)
        rows.append([depth, jump, sizes[depth - 1], extent, f"{share:.0%}", "yes" if extent == sizes[depth - 1] else "NO"])
        yield Progress(depth, layers, {"rf_size": float(sizes[depth - 1]), "rf_measured": float(extent)})

    assert grad is not None
    reach_map, pool = _picture(torch, (grad != 0).double(), bounds)
    pooled = f", max-pooled {pool}×{pool}" if pool > 1 else ""
    yield Heatmap(
        key="reach",
        title=f"Input pixels whose gradient is not zero (1) after {layers} layers: the field and a 1-pixel border{pooled}",
        values=reach_map,
        v_min=0.0,
        v_max=1.0,
    )
    picture, _ = _picture(torch, grad, bounds)
    yield Heatmap(
        key="gradient",
        title=f"How much each pixel counts: |∂ unit / ∂ pixel| over its largest value{pooled}",
        values=picture,
        v_min=0.0,
        v_max=1.0,
    )
    depths = [float(d) for d in range(1, layers + 1)]
    yield Curves(
        key="growth",
        title="Receptive field side per layer: formula and gradient",
        series={"formula": (depths, [float(s) for s in sizes]), "gradient": (depths, [float(m) for m in measured])},
        x_label="layers",
        y_label="pixels",
    )
    yield Table(
        key="layers",
        title="Layer by layer: jump (input pixels per step), field by formula and by gradient",
        columns=["layers", "jump", "formula", "gradient", "reached", "match"],
        rows=rows,
    )
    top, bottom, left, right = bounds
    field = grad[top : bottom + 1, left : right + 1] ** 2
    side = field.shape[0]
    half = max(1, round(side / 2))
    lo = (side - half) // 2
    centre_share = float(field[lo : lo + half, lo : lo + half].sum() / field.sum())
    matches = measured == sizes
    metrics = {
        "rf_size": float(sizes[-1]),
        "rf_measured": float(measured[-1]),
        "reached_share": reached[-1],
        "center_share": centre_share,
        "formula_matches": float(matches),
    }
    yield Result(
        metrics,
        reached=matches,
        summary=(
            f"After {layers} layers the unit sees a {sizes[-1]}×{sizes[-1]} field by the formula; its "
            f"gradient is non-zero in a {measured[-1]}×{measured[-1]} box ({reached[-1]:.0%} of it reached), "
            f"and {centre_share:.0%} of the gradient lies in the middle half."
        ),
    )
