"""Gradients through time: vanishing below scale 1, exploding above, and gradient clipping."""

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

from . import _stacked
from ._series import finite

SPEC = DemoSpec(
    id="gradients-through-time",
    title="Gradients through time: vanishing, exploding, clipping",
    teaches=(
        "Backpropagating through time multiplies the gradient by the recurrent weights once per "
        "step: with their scale below 1 it shrinks by orders of magnitude over 30 steps, well "
        "above 1 it grows by orders of magnitude. Exploding gradients make single SGD steps "
        "huge and training diverges; clipping the gradient norm caps every step, so learning "
        "rates at which plain SGD blows up still train."
    ),
    concepts=(
        "backpropagation through time",
        "vanishing gradients",
        "exploding gradients",
        "gradient clipping",
        "RNN",
    ),
    params=(
        Param("length", 30, "time steps T of every sequence", min=5, max=100),
        Param("small_scale", 0.5, "recurrent weight scale below 1", min=0.05, max=1.0),
        Param(
            "large_scale",
            2.5,
            "recurrent weight scale above 1 (also the trained network's)",
            min=1.0,
            max=5.0,
        ),
        Param("clip", 1.0, "clip each gradient to at most this norm", min=0.01, max=100.0),
        Param("steps", 150, "SGD steps for every learning rate, clipped and not", min=10, max=3000),
        Param("hidden", 32, "recurrent units", min=4, max=128),
    ),
    budget_s=20.0,
    metrics=(
        ("small_scale_first_to_last", "gradient norm at the first step over the last, recurrent scale 0.5", "ratio"),
        ("unit_scale_first_to_last", "gradient norm at the first step over the last, recurrent scale 1", "ratio"),
        ("large_scale_first_to_last", "gradient norm at the first step over the last, recurrent scale 2.5", "ratio"),
        ("start_loss", "loss before training", "≥ 0"),
        ("best_unclipped_loss", "lowest final loss without clipping, over the rates", "≥ 0"),
        ("best_clipped_loss", "lowest final loss with clipping, over the rates", "≥ 0"),
        ("unclipped_diverged", "rates (of four) that diverged without clipping", "count"),
        ("clipped_diverged", "rates (of four) that diverged with clipping", "count"),
        ("rescued_by_clipping", "rates that diverged without clipping and trained with it", "count"),
    ),
)

LRS = (0.03, 0.1, 0.3, 1.0)
DELAY = 3
"""The task: at every step t, output the input from DELAY steps earlier."""
BATCH = 32


def init_weights(torch: Any, hidden: int, scale: float, copies: int, gen: Any) -> list[Any]:
    """[input W (copies, 1, H), recurrent U (copies, H, H), bias, readout] with U = scale · orthogonal.

    Input weights, bias and readout use torch.nn.RNN's default init (uniform ±1/√H). An
    orthogonal matrix keeps vector lengths, so `scale` is exactly how much U stretches them.
    """
    bound = 1.0 / math.sqrt(hidden)

    def uniform(*shape: int) -> Any:
        return (torch.rand(*shape, generator=gen) * 2 - 1) * bound

    q, _ = torch.linalg.qr(torch.randn(hidden, hidden, generator=gen))
    tensors = [uniform(1, hidden), scale * q, uniform(1, hidden), uniform(hidden, 1)]
    return [torch.nn.Parameter(t.expand(copies, *t.shape).clone()) for t in tensors]


def unroll(torch: Any, params: list[Any], x: Any, keep: list[Any] | None = None) -> Any:
    """h_t = tanh(x_t·W + h_{t-1}·U + b) for every copy; returns the readouts (copies, batch, T)."""
    w, u, b, out = params
    copies, batch, length = w.shape[0], x.shape[0], x.shape[1]
    inputs = (x.unsqueeze(0).unsqueeze(-1) * w.unsqueeze(1) + b.unsqueeze(1)).unbind(2)
    h = torch.zeros(copies, batch, u.shape[1], dtype=u.dtype)
    states = []
    for t in range(length):
        h = torch.tanh(torch.baddbmm(inputs[t], h, u))
        if keep is not None:
            h.retain_grad()
            keep.append(h)
        states.append(h)
    return torch.bmm(torch.cat(states, 1), out).view(copies, length, batch).transpose(1, 2)


def task_loss(readouts: Any, x: Any) -> Any:
    """Per-copy mean squared error of recalling x[t - DELAY] at every step t >= DELAY."""
    return ((readouts[:, :, DELAY:] - x[:, :-DELAY]) ** 2).mean((1, 2))


def gradient_through_time(
    torch: Any, hidden: int, scale: float, length: int, gen: Any
) -> list[float]:
    """‖∂L/∂h_t‖ for t = 1..T at init, where L is the loss at the last step only.

    In float64, so even scale 5 over 100 steps stays a number; anything still beyond
    float range is left out of the curve by `finite`.
    """
    params = [
        p.detach().double().requires_grad_() for p in init_weights(torch, hidden, scale, 1, gen)
    ]
    x = torch.randn(BATCH, length, generator=gen, dtype=torch.float64)
    keep: list[Any] = []
    readouts = unroll(torch, params, x, keep)
    ((readouts[0, :, -1] - x[:, -1 - DELAY]) ** 2).mean().backward()
    return [float(h.grad.norm()) for h in keep]


def run(ctx: DemoContext) -> Iterator[Event]:
    """Measure gradients through time at three scales, then train with and without clipping."""
    import torch

    p = ctx.params
    length, hidden, steps = int(p["length"]), int(p["hidden"]), int(p["steps"])
    small, large, clip = float(p["small_scale"]), float(p["large_scale"]), float(p["clip"])
    yield Progress(0, steps, message="measuring gradients through time at init")

    gen = torch.Generator().manual_seed(ctx.seed)
    scales = {f"scale {small:g}": small, "scale 1": 1.0, f"scale {large:g}": large}
    through = {
        # Each scale from the same seed: the same random directions, only the scale differs.
        name: gradient_through_time(
            torch, hidden, s, length, torch.Generator().manual_seed(ctx.seed)
        )
        for name, s in scales.items()
    }
    ts = [float(t + 1) for t in range(length)]
    yield Curves(
        key="through_time",
        title=f"At init: ‖∂loss/∂h_t‖, loss at step {length} (log)",
        series={name: finite(ts, [max(g, 1e-300) for g in gs]) for name, gs in through.items()},
        x_label="time step t",
        y_label="gradient norm",
        log_y=True,
    )
    ratio = {name: gs[0] / gs[-1] for name, gs in through.items()}

    # Training: the large-scale RNN, every learning rate, without and with clipping.
    copies = 2 * len(LRS)
    params = init_weights(torch, hidden, large, copies, gen)
    opt = torch.optim.SGD(params, lr=1.0)
    rates = torch.tensor(LRS * 2)
    caps = torch.tensor([math.inf] * len(LRS) + [clip] * len(LRS))
    alive = torch.ones(copies, dtype=torch.bool)
    losses: list[list[float]] = []
    norms: list[list[float]] = []
    x_test = torch.randn(256, length, generator=gen)
    with torch.no_grad():
        start_loss = float(task_loss(unroll(torch, params, x_test), x_test)[0])
    refresh = max(1, steps // 5)

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        x = torch.randn(BATCH, length, generator=gen)
        per_copy = task_loss(unroll(torch, params, x), x)
        opt.zero_grad()
        per_copy.nan_to_num(0.0, 0.0, 0.0).sum().backward()
        with torch.no_grad():
            norm = torch.sqrt(sum(q.grad.pow(2).flatten(1).sum(1) for q in params))
            alive &= torch.isfinite(per_copy) & torch.isfinite(norm)
            # Clip each copy's whole gradient to norm `clip`, as clip_grad_norm_ does per model.
            factor = torch.where(alive, torch.clamp(caps / (norm + 1e-6), max=1.0), 0.0)
            for q in params:
                q.grad.nan_to_num_(0.0, 0.0, 0.0).mul_(factor.view(-1, *([1] * (q.dim() - 1))))
        _stacked.step_each(torch, opt, params, rates)
        losses.append(
            [float(v) if ok else math.nan for v, ok in zip(per_copy.detach(), alive, strict=True)]
        )
        norms.append([float(v) for v in norm])
        if step % 5 == 0 or step == steps:
            yield Progress(step, steps, {"diverged_unclipped": float((~alive[: len(LRS)]).sum())})
        if step % refresh == 0 or step == steps:
            yield from _training_frames(losses, norms, clip, start_loss)

    with torch.no_grad():
        final = task_loss(unroll(torch, params, x_test), x_test)
    final_ok = [
        float(v) if bool(ok) and math.isfinite(float(v)) else math.inf
        for v, ok in zip(final, alive, strict=True)
    ]
    n = len(LRS)
    plain, clipped = final_ok[:n], final_ok[n:]
    diverged = [v > start_loss for v in plain]
    rescued = [d and c < start_loss for d, c in zip(diverged, clipped, strict=True)]
    yield Table(
        key="summary",
        title=f"Test loss after {steps} SGD steps at scale {large:g} (start {start_loss:.3g})",
        columns=["learning rate", "no clipping", f"clipped at {clip:g}"],
        rows=[
            [f"{lr:g}", _cell(a, start_loss), _cell(b, start_loss)]
            for lr, a, b in zip(LRS, plain, clipped, strict=True)
        ],
    )
    best_plain, best_clipped = min(plain), min(clipped)
    names = list(scales)
    # Clipping is not claimed to find a better optimum: the table shows every rate both ways.
    reached = ratio[names[0]] < 1e-3 and ratio[names[2]] > 1e2 and any(rescued)
    metrics = {
        "small_scale_first_to_last": ratio[names[0]],
        "unit_scale_first_to_last": ratio[names[1]],
        "large_scale_first_to_last": ratio[names[2]],
        "start_loss": start_loss,
        "best_unclipped_loss": best_plain,
        "best_clipped_loss": best_clipped,
        "unclipped_diverged": float(sum(diverged)),
        "clipped_diverged": float(sum(c > start_loss for c in clipped)),
        "rescued_by_clipping": float(sum(rescued)),
    }
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"Over {length} steps the gradient shrank to {ratio[names[0]]:.1g}× at scale {small:g} "
            f"and grew {ratio[names[2]]:.2g}× at scale {large:g}. Without clipping "
            f"{sum(diverged)} of {n} learning rates diverged; clipped, {metrics['clipped_diverged']:.0f}. "
            f"Best test loss: {best_plain:.3g} unclipped, {best_clipped:.3g} clipped."
        ),
    )


def _training_frames(
    losses: list[list[float]], norms: list[list[float]], clip: float, start: float
) -> Iterator[Event]:
    """Loss and gradient norm per step at the largest learning rate, clipped and not."""
    n = len(LRS)
    xs = [float(i + 1) for i in range(len(losses))]
    pick = _first_diverging(losses) if _first_diverging(losses) is not None else n - 1
    lr = LRS[pick]
    yield Curves(
        key="grad_norm",
        title=f"Gradient norm per step at lr {lr:g} (before clipping)",
        series={
            "no clipping": finite(xs, [row[pick] for row in norms]),
            "clipped": finite(xs, [row[n + pick] for row in norms]),
        },
        y_label="‖g‖",
        log_y=True,
        refs=(RefLine(clip, f"clip at {clip:g}"),),
    )
    yield Curves(
        key="loss",
        title=f"Training loss at lr {lr:g} (a line ends where it became inf/NaN)",
        series={
            "no clipping": finite(xs, [row[pick] for row in losses]),
            "clipped": finite(xs, [row[n + pick] for row in losses]),
        },
        y_label="MSE",
        log_y=True,
        refs=(RefLine(start, "loss at init"),),
    )


def _first_diverging(losses: list[list[float]]) -> int | None:
    """The smallest learning rate whose unclipped run has gone non-finite, if any."""
    last = losses[-1]
    for i in range(len(LRS)):
        if not math.isfinite(last[i]):
            return i
    return None


def _cell(loss: float, start: float) -> str:
    if not math.isfinite(loss):
        return "diverged (NaN)"
    return f"{loss:.3g}" + (" (worse than init)" if loss > start else "")
