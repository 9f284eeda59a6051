"""Gradient accumulation: k micro-batches with the loss scaled by 1/k give the full-batch step."""

from __future__ import annotations

from collections.abc import Iterator

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
    id="gradient-accumulation",
    title="Gradient accumulation equals the full batch",
    teaches=(
        "Summing the gradients of k micro-batches, each loss scaled by 1/k, gives exactly "
        "the full-batch gradient and update; forgetting the 1/k gives k times the gradient."
    ),
    concepts=("gradient accumulation", "micro-batches", "loss scaling", "memory vs batch size"),
    params=(
        Param("micro_batches", 4, "k: micro-batches the full batch is split into", min=2, max=32),
        Param("batch", 64, "full batch size (a multiple of k)", min=2, max=4096),
        Param("steps", 40, "training steps compared side by side", min=1, max=1000),
        Param("hidden", 32, "hidden units of the small MLP", min=2, max=512),
        Param("lr", 0.1, "SGD learning rate", min=1e-4, max=1.0),
    ),
    metrics=(
        ("max_diff", "largest gap between accumulated and full-batch losses", "≥ 0"),
        ("max_grad_diff", "largest gap between accumulated and full-batch gradients", "≥ 0"),
        ("max_weight_diff", "largest gap between the weights after one update each way", "≥ 0"),
        ("final_weight_diff", "largest gap between the weights after all the updates", "≥ 0"),
        ("unscaled_grad_ratio", "summed micro-batch gradient over the full-batch one, without dividing by k", "ratio"),
        ("k", "micro-batches per update", "count"),
    ),
)

TOLERANCE = 1e-5


def run(ctx: DemoContext) -> Iterator[Event]:
    """Compare one full-batch step with k accumulated micro-batch steps, then train both ways."""
    import copy

    import torch
    from torch import nn

    p = ctx.params
    k = int(p["micro_batches"])
    batch = int(p["batch"])
    batch = max(k, batch - batch % k)  # equal micro-batches: the mean of means is the mean
    steps = int(p["steps"])
    hidden = int(p["hidden"])
    lr = float(p["lr"])

    dtype = torch.float64  # the point is an equality: float64 keeps rounding out of the way
    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    true_w = torch.randn(4, 1, generator=gen, dtype=dtype)

    def make_batch() -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.randn(batch, 4, generator=gen, dtype=dtype)
        return x, torch.sin(x @ true_w) + 0.1 * torch.randn(batch, 1, generator=gen, dtype=dtype)

    full = nn.Sequential(nn.Linear(4, hidden), nn.Tanh(), nn.Linear(hidden, 1)).to(dtype)
    accum = copy.deepcopy(full)
    unscaled = copy.deepcopy(full)
    names = [name for name, _ in full.named_parameters()]
    loss_fn = nn.MSELoss()
    yield Progress(0, steps, {}, f"one batch of {batch} vs {k} micro-batches of {batch // k}")

    def full_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss.item()

    def accumulated_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, scale: float) -> float:
        model.zero_grad()
        total = 0.0
        for xm, ym in zip(x.chunk(k), y.chunk(k), strict=True):
            loss = loss_fn(model(xm), ym)
            (loss * scale).backward()  # .grad accumulates across backward() calls
            total += loss.item() / k
        return total

    def sgd(model: nn.Module) -> None:
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad

    # One step, compared parameter by parameter.
    x, y = make_batch()
    full_step(full, x, y)
    accumulated_step(accum, x, y, 1.0 / k)
    accumulated_step(unscaled, x, y, 1.0)
    rows: list[list[object]] = []
    grad_diffs: list[float] = []
    ratios: list[float] = []
    for name, pf, pa, pu in zip(
        names, full.parameters(), accum.parameters(), unscaled.parameters(), strict=True
    ):
        diff = float((pf.grad - pa.grad).abs().max())
        ratio = float(pu.grad.norm() / pf.grad.norm())
        grad_diffs.append(diff)
        ratios.append(ratio)
        rows.append([name, tuple(pf.shape), f"{diff:.1e}", "", f"{ratio:.4f}"])
    sgd(full)
    sgd(accum)
    weight_diffs = [
        float((pf - pa).detach().abs().max())
        for pf, pa in zip(full.parameters(), accum.parameters(), strict=True)
    ]
    for row, wd in zip(rows, weight_diffs, strict=True):
        row[3] = f"{wd:.1e}"
    yield Table(
        "diff",
        f"Full batch of {batch} vs {k} accumulated micro-batches (one step)",
        columns=[
            "parameter",
            "shape",
            "max |grad diff|",
            "max |weight diff| after step",
            "|grad| ratio without 1/k",
        ],
        rows=rows,
    )
    yield Progress(1, steps, {"max_grad_diff": max(grad_diffs)})

    # Keep training both ways: the two loss curves lie on top of each other.
    xs: list[float] = [1.0]
    full_losses: list[float] = []
    accum_losses: list[float] = []
    with torch.no_grad():
        full_losses.append(float(loss_fn(full(x), y)))
        accum_losses.append(float(loss_fn(accum(x), y)))
    refresh = max(1, steps // 8)
    for step in range(2, steps + 1):
        if ctx.should_stop():
            return
        x, y = make_batch()
        full_losses.append(full_step(full, x, y))
        accum_losses.append(accumulated_step(accum, x, y, 1.0 / k))
        sgd(full)
        sgd(accum)
        xs.append(float(step))
        if step % refresh == 0 or step == steps:
            yield Progress(step, steps, {"loss_full": full_losses[-1]})
            yield Curves(
                "loss",
                "Training loss: full batch vs accumulated (identical)",
                series={
                    "full batch": (list(xs), list(full_losses)),
                    f"{k} micro-batches": (list(xs), list(accum_losses)),
                },
                y_label="MSE",
            )
    final_weight_diff = max(
        float((pf - pa).detach().abs().max())
        for pf, pa in zip(full.parameters(), accum.parameters(), strict=True)
    )

    max_grad = max(grad_diffs)
    max_weight = max(weight_diffs)
    ratio = sum(ratios) / len(ratios)
    reached = max_grad < TOLERANCE and max_weight < TOLERANCE
    yield Result(
        {
            "max_diff": max(max_grad, max_weight),
            "max_grad_diff": max_grad,
            "max_weight_diff": max_weight,
            "final_weight_diff": final_weight_diff,
            "unscaled_grad_ratio": ratio,
            "k": float(k),
        },
        reached=reached,
        summary=(
            f"Accumulating {k} micro-batches with loss/{k} matches the full batch to "
            f"{max(max_grad, max_weight):.1e}; without the 1/{k} the gradient is {ratio:.2f}x "
            "as large. (With BatchNorm or unequal micro-batches it would not be exact.)"
        ),
    )
