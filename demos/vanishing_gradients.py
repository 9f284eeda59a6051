"""Per-layer gradient norms of a deep sigmoid network against the same network with ReLU."""

from __future__ import annotations

import math
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
    id="vanishing-gradients",
    title="Vanishing gradients: sigmoid vs ReLU in a deep network",
    teaches=(
        "Backpropagating through many sigmoids multiplies the gradient by at most 0.25 per "
        "layer, so the first layers of a deep sigmoid network get gradients orders of "
        "magnitude smaller than the last and barely learn, while ReLU keeps them comparable."
    ),
    concepts=("vanishing gradients", "sigmoid", "ReLU", "backpropagation", "initialization"),
    params=(
        Param("depth", 15, "hidden layers (each Linear + activation)", min=2, max=40),
        Param("width", 32, "units per hidden layer", min=4, max=256),
        Param("steps", 120, "plain SGD steps to train both networks", min=0, max=5000),
        Param("lr", 0.05, "SGD learning rate", min=1e-4, max=1.0),
        Param("batch", 128, "examples per step", min=8, max=4096),
    ),
)

ACTS = ("sigmoid", "relu")
INPUTS = 16


def build(torch: Any, act: str, depth: int, width: int) -> Any:
    """`depth` Linear+act blocks and a linear output, with each activation's standard init.

    Sigmoid layers use Glorot/Xavier init, ReLU layers He/Kaiming init: each is the init that
    keeps the forward signal's scale for its activation, so the gradient gap is the
    activation's doing, not a bad init.
    """
    nn = torch.nn
    layers: list[Any] = []
    fan_in = INPUTS
    for _ in range(depth):
        lin = nn.Linear(fan_in, width)
        if act == "relu":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU() if act == "relu" else nn.Sigmoid()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 1))
    return nn.Sequential(*layers)


def layer_grad_norms(net: Any) -> list[float]:
    """The norm of each Linear layer's weight gradient, input layer first."""
    return [float(m.weight.grad.norm()) for m in net if hasattr(m, "weight")]


def _task(torch: Any, n: int, gen: Any) -> tuple[Any, Any]:
    """A fixed binary task: the sign of a random smooth function of 16 Gaussian inputs."""
    x = torch.randn(n, INPUTS, generator=gen)
    w = torch.linspace(-1.0, 1.0, INPUTS)
    y = (torch.sin(2 * x @ w / math.sqrt(INPUTS)) + 0.5 * x[:, 0] * x[:, 1] > 0).float()
    return x, y.unsqueeze(1)


def _grad_frames(
    labels: list[str], init: dict[str, list[float]], now: dict[str, list[float]], step: int
) -> Iterator[Event]:
    """Gradient norm per layer as curves (log) and as a heatmap of log10 norms."""
    xs = [float(i + 1) for i in range(len(labels))]
    series = {f"{a} (init)": (xs, init[a]) for a in ACTS}
    if step:
        series |= {f"{a} (step {step})": (xs, now[a]) for a in ACTS}
    yield Curves(
        key="grad_norms",
        title="‖∂loss/∂W‖ per layer (input layer = 1)",
        series=series,
        x_label="layer",
        y_label="gradient norm",
        log_y=True,
    )
    yield Heatmap(
        key="grad_heatmap",
        title=f"log10 ‖∂loss/∂W‖ per layer, {'at init' if not step else f'step {step}'}",
        values=[[math.log10(max(v, 1e-30)) for v in now[a]] for a in ACTS],
        row_labels=list(ACTS),
        col_labels=labels,
    )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Measure per-layer gradients at init, then train both networks with plain SGD."""
    import torch

    p = ctx.params
    depth, width, steps = int(p["depth"]), int(p["width"]), int(p["steps"])
    lr, batch = float(p["lr"]), int(p["batch"])
    yield Progress(0, steps, message=f"building two {depth}-layer networks")

    gen = torch.Generator().manual_seed(ctx.seed)
    x_all, y_all = _task(torch, 4096, gen)
    nets = {a: build(torch, a, depth, width) for a in ACTS}
    opts = {a: torch.optim.SGD(nets[a].parameters(), lr=lr) for a in ACTS}
    loss_fn = torch.nn.BCEWithLogitsLoss()
    labels = [f"L{i + 1}" for i in range(depth)] + ["out"]

    x0, y0 = x_all[:batch], y_all[:batch]
    init: dict[str, list[float]] = {}
    for a in ACTS:
        nets[a].zero_grad()
        loss_fn(nets[a](x0), y0).backward()
        init[a] = layer_grad_norms(nets[a])
    yield from _grad_frames(labels, init, init, 0)
    yield Table(
        key="grad_table",
        title="Gradient norm per layer at initialization",
        columns=["layer", *ACTS],
        rows=[
            [lab, f"{init['sigmoid'][i]:.2e}", f"{init['relu'][i]:.2e}"]
            for i, lab in enumerate(labels)
        ],
    )

    ratio = {a: init[a][0] / init[a][-1] for a in ACTS}
    now = dict(init)
    losses: dict[str, list[float]] = {a: [] for a in ACTS}
    first_moved: dict[str, float] = {}
    first_w0 = {a: nets[a][0].weight.detach().clone() for a in ACTS}
    xs: list[float] = []
    refresh = max(10, steps // 6)
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        idx = torch.randint(0, x_all.shape[0], (batch,), generator=gen)
        xb, yb = x_all[idx], y_all[idx]
        for a in ACTS:
            opts[a].zero_grad()
            loss = loss_fn(nets[a](xb), yb)
            loss.backward()
            opts[a].step()
            losses[a].append(float(loss.detach()))
        xs.append(float(step))
        if step % 10 == 0 or step == steps:
            yield Progress(step, steps, {f"{a}_loss": losses[a][-1] for a in ACTS})
        if step % refresh == 0 or step == steps:
            now = {a: layer_grad_norms(nets[a]) for a in ACTS}
            yield from _grad_frames(labels, init, now, step)
            yield Curves(
                key="loss",
                title="Training loss with plain SGD",
                series={a: (xs, list(losses[a])) for a in ACTS},
                y_label="BCE",
            )
    for a in ACTS:
        w0 = first_w0[a]
        first_moved[a] = float((nets[a][0].weight.detach() - w0).norm() / w0.norm())

    metrics: dict[str, float] = {}
    for a in ACTS:
        metrics[f"{a}_first_grad"] = init[a][0]
        metrics[f"{a}_last_grad"] = init[a][-1]
        metrics[f"{a}_first_to_last"] = ratio[a]
        metrics[f"{a}_log10_first_to_last"] = math.log10(ratio[a])
        metrics[f"{a}_first_layer_change"] = first_moved[a]
        if losses[a]:
            metrics[f"{a}_final_loss"] = sum(losses[a][-10:]) / len(losses[a][-10:])
    reached = ratio["sigmoid"] < 1e-3 and ratio["relu"] > 1e3 * ratio["sigmoid"]
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"At init the first layer's gradient is {ratio['sigmoid']:.1e} of the last layer's "
            f"with sigmoid but {ratio['relu']:.2g} with ReLU; after {steps} SGD steps the first "
            f"layer moved {first_moved['sigmoid']:.1e} (sigmoid) vs {first_moved['relu']:.1e} (ReLU)"
            " of its size."
        ),
    )
