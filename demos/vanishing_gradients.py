"""Per-layer gradient norms in deep networks: vanishing (sigmoid), exploding (too-large init), and batch norm fixing both."""

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
    RefLine,
    Result,
    Table,
)

from ._series import finite

SPEC = DemoSpec(
    id="vanishing-gradients",
    title="Vanishing and exploding gradients, and batch norm",
    teaches=(
        "Backpropagating through many sigmoids multiplies the gradient by at most 0.25 per "
        "layer, so the first layers of a deep sigmoid network get gradients orders of "
        "magnitude smaller than the last (vanishing); ReLU with weights twice the He scale "
        "multiplies it up instead (exploding). ReLU at the He scale keeps layers comparable, "
        "and batch norm after each layer rescales the signal so both broken networks recover."
    ),
    concepts=("vanishing gradients", "exploding gradients", "sigmoid", "ReLU", "backpropagation", "initialization", "batch normalization"),
    params=(
        Param("depth", 15, "hidden layers (each Linear + activation)", min=2, max=40),
        Param("width", 32, "units per hidden layer", min=4, max=256),
        Param("steps", 120, "plain SGD steps to train both networks", min=0, max=5000),
        Param("lr", 0.05, "SGD learning rate", min=1e-4, max=1.0),
        Param("batch", 128, "examples per step", min=8, max=4096),
    ),
    metrics=(
        *(
            (f"{net}_{kind}", f"{what}: {label}", unit)
            for net, label in (
                ("sigmoid", "sigmoid"), ("relu", "ReLU"), ("relu_x2", "ReLU, doubled weights"),
                ("sigmoid_bn", "sigmoid with batch norm"), ("relu_x2_bn", "ReLU, doubled weights, batch norm"),
            )
            for kind, what, unit in (
                ("first_grad", "gradient norm at the first layer", "≥ 0"),
                ("last_grad", "gradient norm at the last layer", "≥ 0"),
                ("first_to_last", "first layer's gradient norm over the last's", "ratio"),
                ("log10_first_to_last", "log10 of first_to_last", "decades"),
                ("first_layer_change", "relative change of the first layer's weights in training (nan if it blew up)", "≥ 0"),
                ("final_loss", "training loss at the end (nan if it blew up)", "≥ 0"),
            )
        ),
        ("exploding_first_grad_vs_relu", "first-layer gradient with doubled weights over plain ReLU's", "ratio"),
        ("bn_first_grad_vs_relu", "first-layer gradient with batch norm over plain ReLU's", "ratio"),
    ),
)

ACTS = ("sigmoid", "relu", "relu x2", "sigmoid+BN", "relu x2+BN")
"""sigmoid vanishes; ReLU at He scale is balanced; x2 its weights and it explodes; BN fixes both."""
INPUTS = 16


def build(torch: Any, act: str, depth: int, width: int) -> Any:
    """`depth` Linear(+BatchNorm)+act blocks and a linear output.

    Sigmoid layers use Glorot/Xavier init, ReLU layers He/Kaiming init: each is the init that
    keeps the forward signal's scale for its activation, so the vanishing gap is the
    activation's doing, not a bad init. "x2" doubles every hidden weight (a too-large init);
    "+BN" puts batch normalization between each Linear and its activation.
    """
    nn = torch.nn
    relu, batch_norm, scale = act.startswith("relu"), act.endswith("+BN"), 2.0 if "x2" in act else 1.0
    layers: list[Any] = []
    fan_in = INPUTS
    for _ in range(depth):
        lin = nn.Linear(fan_in, width)
        if relu:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(lin.weight)
        with torch.no_grad():
            lin.weight.mul_(scale)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.ReLU() if relu else nn.Sigmoid())
        fan_in = width
    layers.append(nn.Linear(fan_in, 1))
    return nn.Sequential(*layers)


def _key(act: str) -> str:
    """A metric-name form of a network's label: `relu x2+BN` -> `relu_x2_bn`."""
    return act.replace(" ", "_").replace("+BN", "_bn")


def layer_grad_norms(net: Any) -> list[float]:
    """The norm of each Linear layer's weight gradient, input layer first."""
    return [float(m.weight.grad.norm()) for m in net if type(m).__name__ == "Linear"]


def _task(torch: Any, n: int, gen: Any) -> tuple[Any, Any]:
    """A fixed binary task: the sign of a random smooth function of 16 Gaussian inputs."""
    x = torch.randn(n, INPUTS, generator=gen)
    w = torch.linspace(-1.0, 1.0, INPUTS)
    y = (torch.sin(2 * x @ w / math.sqrt(INPUTS)) + 0.5 * x[:, 0] * x[:, 1] > 0).float()
    return x, y.unsqueeze(1)


PLAIN = ("sigmoid", "relu", "relu x2")
WITH_BN = ("sigmoid+BN", "relu x2+BN", "relu")
"""The batch-norm plot keeps plain ReLU as the yardstick both fixed networks should match."""
PLAIN_TITLE = "at init, plain: sigmoid vanishes, doubled ReLU explodes"
HEAT_EDGE = 10.0
"""The heatmap's fixed scale, log10 norms -10..10: 0 (norm 1) is grey at init and after training."""


def _grad_frames(
    labels: list[str], init: dict[str, list[float]], now: dict[str, list[float]], step: int
) -> Iterator[Event]:
    """Gradient norm per layer at init, without and with batch norm (two plots on one log scale,
    three lines each so none hides another), and a heatmap of every network's norms now."""
    xs = [float(i + 1) for i in range(len(labels))]
    every = [v for norms in init.values() for v in norms if v > 0 and math.isfinite(v)]
    low, high = (min(every), max(every)) if every else (None, None)
    for key, title, acts in (
        ("grad_norms", PLAIN_TITLE, PLAIN),
        ("grad_norms_bn", "at init, batch norm after each layer: both like plain ReLU", WITH_BN),
    ):
        yield Curves(
            key=key,
            title=f"‖∂loss/∂W‖ per layer {title}",
            series={a: (xs, init[a]) for a in acts},
            x_label="layer (1 = input)",
            y_label="gradient norm",
            log_y=True,
            y_min=low,  # both plots on the same decades, so they compare at a glance
            y_max=high,
        )
    yield Heatmap(
        key="grad_heatmap",
        title=(
            f"log10 ‖∂loss/∂W‖ per layer {'at init' if not step else f'after {step} SGD steps'}"
            " (0: norm 1; blue vanishes, red explodes; × = not a number)"
        ),
        values=[[math.log10(v) if v > 0 else math.nan for v in now[a]] for a in ACTS],
        row_labels=list(ACTS),
        col_labels=labels,
        v_min=-HEAT_EDGE,
        v_max=HEAT_EDGE,
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
        if a == PLAIN[-1]:  # the plain networks' picture at once, before the batch-norm ones
            xs = [float(i + 1) for i in range(len(labels))]
            yield Curves(
                key="grad_norms",
                title=f"‖∂loss/∂W‖ per layer {PLAIN_TITLE}",
                series={p: (xs, init[p]) for p in PLAIN},
                x_label="layer (1 = input)",
                y_label="gradient norm",
                log_y=True,
            )
    yield from _grad_frames(labels, init, init, 0)
    yield Table(
        key="grad_table",
        title="Gradient norm per layer at initialization",
        columns=["layer", *ACTS],
        rows=[[lab, *(f"{init[a][i]:.1e}" for a in ACTS)] for i, lab in enumerate(labels)],
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
            yield Progress(step, steps, {f"{_key(a)}_loss": losses[a][-1] for a in ACTS})
        if step % refresh == 0 or step == steps:
            now = {a: layer_grad_norms(nets[a]) for a in ACTS}
            yield from _grad_frames(labels, init, now, step)
            blown = [a for a in ACTS if any(not math.isfinite(v) or v > 1.0 for v in losses[a])]
            yield Curves(
                key="loss",
                title="Training loss with plain SGD"
                + (f" ({', '.join(blown)} off the chart: inf, NaN or above 1)" if blown else ""),
                series={a: finite(xs, losses[a]) for a in ACTS},
                y_label="BCE",
                y_min=0.0,
                y_max=1.0,  # a blown-up network would squash the rest flat
                refs=(RefLine(math.log(2), "chance (ln 2)"),),
            )
    for a in ACTS:
        w0 = first_w0[a]
        first_moved[a] = float((nets[a][0].weight.detach() - w0).norm() / w0.norm())

    metrics: dict[str, float] = {}
    for a in ACTS:
        metrics[f"{_key(a)}_first_grad"] = init[a][0]
        metrics[f"{_key(a)}_last_grad"] = init[a][-1]
        metrics[f"{_key(a)}_first_to_last"] = ratio[a]
        metrics[f"{_key(a)}_log10_first_to_last"] = math.log10(ratio[a])
        metrics[f"{_key(a)}_first_layer_change"] = first_moved[a]
        if losses[a]:
            metrics[f"{_key(a)}_final_loss"] = sum(losses[a][-10:]) / len(losses[a][-10:])
    balanced = [a for a in ACTS if 1e-2 < ratio[a] < 1e2]
    blow_up = init["relu x2"][0] / init["relu"][0]
    metrics["exploding_first_grad_vs_relu"] = blow_up
    metrics["bn_first_grad_vs_relu"] = init["relu x2+BN"][0] / init["relu"][0]
    reached = (
        ratio["sigmoid"] < 1e-3
        and blow_up > 1e3
        and {"relu", "sigmoid+BN", "relu x2+BN"} <= set(balanced)
        and 1e-2 < metrics["bn_first_grad_vs_relu"] < 1e2
    )
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"First layer's gradient over the last layer's at init: sigmoid {ratio['sigmoid']:.1e} "
            f"(vanishing); ReLU with doubled weights gets a first-layer gradient {blow_up:.1e} times "
            f"plain ReLU's (exploding); ReLU "
            f"{ratio['relu']:.2g}; with batch norm {ratio['sigmoid+BN']:.2g} (sigmoid) and "
            f"{ratio['relu x2+BN']:.2g} (doubled ReLU). After {steps} SGD steps the sigmoid "
            f"net's first layer moved {first_moved['sigmoid']:.1e} of its size, with batch norm "
            f"{first_moved['sigmoid+BN']:.1e}."
        ),
    )
