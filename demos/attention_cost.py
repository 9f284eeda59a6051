"""Attention's cost against the sequence length: FLOPs, memory and time, measured, beside the n² fit."""

from __future__ import annotations

import math
import time
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
    Table,
)

SPEC = DemoSpec(
    id="attention-cost",
    title="Attention's O(n²) cost in the sequence length",
    teaches=(
        "Self-attention scores every query against every key: the scores and the mix cost "
        "4·n²·d FLOPs and keep an n×n matrix for the backward pass, so doubling the length "
        "quadruples them, while the Q, K, V and output projections grow only linearly and "
        "dominate only below n = 2d."
    ),
    concepts=("self-attention", "O(n²)", "sequence length", "FLOPs", "memory"),
    params=(
        Param("max_length", 1024, "longest sequence; the others halve it four times", min=256, max=2048),
        Param("d_model", 64, "model width d (one head)", min=16, max=256),
        Param(
            "repeats", 5, "timed forward passes per length, the fastest kept (0: not timed, the same every run)", min=0, max=20
        ),
    ),
    budget_s=20.0,
    metrics=(
        ("flops_exponent", "fitted exponent of the score-and-mix FLOPs in n", "exponent"),
        ("memory_exponent", "fitted exponent of the bytes the score and mix keep for backward beyond q, k, v", "exponent"),
        ("time_exponent", "fitted exponent of the measured score-and-mix time, top three lengths (noisy; nan untimed)", "exponent"),
        ("matrix_bytes_ratio", "bytes kept beyond q, k, v at the longest length over half that length", "ratio"),
        ("attention_share", "share of the layer's FLOPs in the score and mix at the longest length", "0..1"),
        ("crossover_length", "length where the score and mix cost as many FLOPs as the projections", "tokens"),
        ("longest_matrix_mb", "megabytes kept beyond q, k, v at the longest length", "MB"),
    ),
)

LENGTHS = 5


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y on log x: the exponent of a power law through the points."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


class Layer:
    """One single-head self-attention sublayer, written out so its two parts can be measured apart."""

    def __init__(self, torch: Any, d: int, gen: Any) -> None:
        self.torch = torch
        self.d = d
        self.weights = [
            (torch.randn(d, d, generator=gen) / math.sqrt(d)).requires_grad_() for _ in range(4)
        ]

    def project(self, x: Any) -> tuple[Any, Any, Any]:
        wq, wk, wv, _ = self.weights
        return x @ wq, x @ wk, x @ wv

    def attend(self, q: Any, k: Any, v: Any) -> Any:
        """softmax(q kᵀ / √d) v: the n×n part."""
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d)
        return self.torch.softmax(scores, dim=-1) @ v

    def output(self, mixed: Any) -> Any:
        return mixed @ self.weights[3]


def measure(torch: Any, layer: Layer, n: int, repeats: int, gen: Any) -> dict[str, float]:
    """FLOPs (counted by torch), bytes kept for backward and the fastest time, per part."""
    from torch.autograd.graph import saved_tensors_hooks
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.randn(1, n, layer.d, generator=gen)
    kept: dict[int, int] = {}

    def pack(t: Any) -> Any:
        kept[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with FlopCounterMode(display=False) as outer:
        q, k, v = layer.project(x)
    inputs = {t.untyped_storage().data_ptr() for t in (q, k, v)}
    with FlopCounterMode(display=False) as core, saved_tensors_hooks(pack, lambda t: t):
        mixed = layer.attend(q, k, v)
    with FlopCounterMode(display=False) as last:
        layer.output(mixed)
    times = []
    with torch.no_grad():
        q, k, v = (t.detach() for t in (q, k, v))
        for _ in range(repeats):
            start = time.perf_counter()
            layer.attend(q, k, v)
            times.append(time.perf_counter() - start)
    return {
        "core_flops": float(core.get_total_flops()),
        "projection_flops": float(outer.get_total_flops() + last.get_total_flops()),
        "matrix_bytes": float(sum(size for ptr, size in kept.items() if ptr not in inputs)),
        "seconds": min(times) if times else math.nan,
    }


def run(ctx: DemoContext) -> Iterator[Event]:
    """Measure one attention sublayer at five lengths, each twice the last, and fit the exponents."""
    import torch

    p = ctx.params
    top, d, repeats = int(p["max_length"]), int(p["d_model"]), int(p["repeats"])
    lengths = [top >> i for i in reversed(range(LENGTHS))]
    gen = torch.Generator().manual_seed(ctx.seed)
    layer = Layer(torch, d, gen)
    layer.attend(*layer.project(torch.randn(1, 8, d, generator=gen)))  # first-call overheads, not timed
    rows: list[dict[str, float]] = []
    for i, n in enumerate(lengths):
        if ctx.should_stop():
            return
        rows.append(measure(torch, layer, n, repeats, gen))
        timing = {"ms": rows[-1]["seconds"] * 1e3} if repeats else {}
        yield Progress(i + 1, len(lengths), {"length": float(n)} | timing)

    ns = [float(n) for n in lengths]
    col = {key: [r[key] for r in rows] for key in rows[0]}
    flops_exp = slope(ns, col["core_flops"])
    memory_exp = slope(ns, col["matrix_bytes"])
    time_exp = slope(ns[-3:], col["seconds"][-3:]) if repeats else math.nan
    # Projections cost b·n and the score and mix a·n²: they are equal at n = b/a.
    crossover = (col["projection_flops"][-1] / ns[-1]) / (col["core_flops"][-1] / ns[-1] ** 2)

    def n_squared(values: list[float]) -> list[float]:
        """c·n², c fitted in log space to the three longest lengths."""
        c = math.exp(sum(math.log(v / n**2) for n, v in zip(ns[-3:], values[-3:], strict=True)) / 3)
        return [c * n**2 for n in ns]

    pictures = [
        ("flops", "FLOPs of the score and mix, and of the projections", "score and mix", "FLOPs"),
        ("memory", "Bytes the score and mix keep for the backward pass, beyond q, k, v", "kept", "bytes"),
        ("time", "Measured time of the score and mix (fastest of the repeats)", "measured", "seconds"),
    ]
    for key, title, label, unit in pictures[: 3 if repeats else 2]:
        values = {"flops": col["core_flops"], "memory": col["matrix_bytes"], "time": col["seconds"]}[key]
        series = {label: (ns, values), "c·n² fit": (ns, n_squared(values))}
        if key == "flops":
            series["projections"] = (ns, col["projection_flops"])
        yield Curves(key=key, title=f"{title} (log-log)", series=series, x_label="sequence length n", y_label=unit, log_x=True, log_y=True)
    yield Table(
        key="lengths",
        title=f"Per length (d = {d}, one head): each doubling of n",
        columns=["n", "score+mix MFLOPs", "projection MFLOPs", "n×n MB kept", *(["ms"] if repeats else [])],
        rows=[
            [
                n,
                f"{r['core_flops'] / 1e6:.3g}",
                f"{r['projection_flops'] / 1e6:.3g}",
                f"{r['matrix_bytes'] / 1e6:.3g}",
                *([f"{r['seconds'] * 1e3:.3g}"] if repeats else []),
            ]
            for n, r in zip(lengths, rows, strict=True)
        ],
    )
    share = col["core_flops"][-1] / (col["core_flops"][-1] + col["projection_flops"][-1])
    timed = f", and the measured time as n^{time_exp:.1f}" if repeats else ""
    metrics = {
        "flops_exponent": flops_exp,
        "memory_exponent": memory_exp,
        "time_exponent": time_exp,
        "matrix_bytes_ratio": col["matrix_bytes"][-1] / col["matrix_bytes"][-2],
        "attention_share": share,
        "crossover_length": crossover,
        "longest_matrix_mb": col["matrix_bytes"][-1] / 1e6,
    }
    yield Result(
        metrics,
        # Time is shown, never judged: a loaded machine's timings are too noisy to decide on.
        reached=abs(flops_exp - 2) < 0.05 and abs(memory_exp - 2) < 0.05,
        summary=(
            f"From n = {lengths[0]} to {lengths[-1]}, the score-and-mix FLOPs grow as n^{flops_exp:.2f}, the bytes "
            f"they keep as n^{memory_exp:.2f}{timed}; at "
            f"n = {top} they are {share:.0%} of the sublayer's FLOPs (the projections' linear cost is "
            f"larger only below n = {crossover:.0f} = 2d)."
        ),
    )
