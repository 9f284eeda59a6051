"""Per-layer gradient norms in deep networks: vanishing (sigmoid), exploding (tanh with too-large weights), and batch norm fixing both."""

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
        "Backpropagation multiplies the gradient, layer by layer, by each activation's "
        "derivative and each layer's weights. Sigmoid's derivative is at most 1/4 and far "
        "smaller where it saturates, and weights at the Xavier scale do not make up for it: "
        "a deep sigmoid network's first layer gets a gradient eight to eleven decades smaller "
        "than its last (vanishing) and does not learn. Tanh keeps its outputs bounded, so "
        "weights four times the Xavier scale grow the gradient on its way back instead: the "
        "first layer's is tens to hundreds of times the last's (exploding). ReLU at the He "
        "scale keeps the layers comparable. Batch norm after each layer rescales the signal, "
        "so both broken networks get comparable gradients and learn (their loss ends well "
        "below chance, ln 2) while without it both stay near chance."
    ),
    concepts=(
        "vanishing gradients",
        "exploding gradients",
        "sigmoid",
        "tanh",
        "ReLU",
        "backpropagation",
        "initialization",
        "batch normalization",
    ),
    params=(
        Param("depth", 15, "hidden layers (each Linear + activation)", min=2, max=40),
        Param("width", 32, "units per hidden layer", min=4, max=256),
        Param("steps", 120, "plain SGD steps to train every network", min=0, max=5000),
        Param("lr", 0.2, "SGD learning rate", min=1e-4, max=1.0),
        Param("batch", 128, "examples per step", min=8, max=4096),
    ),
    metrics=(
        *(
            (f"{net}_{kind}", f"{what}: {label}", unit)
            for net, label in (
                ("sigmoid", "sigmoid"), ("relu", "ReLU"), ("tanh_x4", "tanh, weights x4"),
                ("sigmoid_bn", "sigmoid with batch norm"), ("tanh_x4_bn", "tanh, weights x4, batch norm"),
            )
            for kind, what, unit in (
                ("first_grad", "gradient norm at the first layer, at init", "≥ 0"),
                ("last_grad", "gradient norm at the last layer, at init", "≥ 0"),
                ("first_to_last", "first layer's gradient norm over the last's, at init", "ratio"),
                ("log10_first_to_last", "log10 of first_to_last", "decades"),
                ("first_to_last_trained", "first layer's gradient norm over the last's after training", "ratio"),
                ("first_layer_change", "relative change of the first layer's weights in training (nan if it blew up)", "≥ 0"),
                ("final_loss", "training loss over the last 10 steps (nan if it blew up)", "≥ 0"),
            )
        ),
    ),
)

ACTS = ("sigmoid", "relu", "tanh x4", "sigmoid+BN", "tanh x4+BN")
"""sigmoid vanishes; ReLU at He scale is balanced; tanh with 4x its weights explodes; BN fixes both."""
CHANCE = math.log(2)
BALANCED = (1e-2, 1e2)
"""A network whose first-to-last gradient ratio lies in here has comparable layers."""
EXPLODES = 10.0
"""The first layer's gradient at least this many times the last's: exploding."""
LEARNED = CHANCE - 0.15
"""A network whose training loss ends below this has learned (chance is ln 2 = 0.693)."""
STUCK = CHANCE - 0.1
"""A network whose training loss ends above this is still near chance."""
INPUTS = 16


def build(torch: Any, act: str, depth: int, width: int) -> Any:
    """`depth` Linear(+BatchNorm)+act blocks and a linear output.

    Sigmoid and tanh layers use Glorot/Xavier init, ReLU layers He/Kaiming init: each is the
    init that keeps the forward signal's scale for its activation, so the vanishing gap is
    the activation's doing, not a bad init. "x4" multiplies every hidden weight by 4 (a
    too-large init); "+BN" puts batch normalization between each Linear and its activation.
    """
    nn = torch.nn
    kind = act.split()[0].removesuffix("+BN")
    batch_norm, scale = act.endswith("+BN"), 4.0 if "x4" in act else 1.0
    activation = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[kind]
    layers: list[Any] = []
    fan_in = INPUTS
    for _ in range(depth):
        lin = nn.Linear(fan_in, width)
        if kind == "relu":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(lin.weight)
        with torch.no_grad():
            lin.weight.mul_(scale)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(activation())
        fan_in = width
    layers.append(nn.Linear(fan_in, 1))
    return nn.Sequential(*layers)


def _key(act: str) -> str:
    """A metric-name form of a network's label: `tanh x4+BN` -> `tanh_x4_bn`."""
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


PLAIN = ("sigmoid", "relu", "tanh x4")
WITH_BN = ("sigmoid+BN", "tanh x4+BN", "relu")
"""The batch-norm plot keeps plain ReLU as the yardstick both fixed networks should match."""
PLAIN_TITLE = "at init, plain: sigmoid vanishes, tanh with weights x4 explodes"
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
    """Measure per-layer gradients at init, then train every network with plain SGD."""
    import torch

    p = ctx.params
    depth, width, steps = int(p["depth"]), int(p["width"]), int(p["steps"])
    lr, batch = float(p["lr"]), int(p["batch"])
    yield Progress(0, steps, message=f"building five {depth}-layer networks")

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

    trained = {a: now[a][0] / now[a][-1] if now[a][-1] > 0 else math.nan for a in ACTS}
    final = {a: sum(losses[a][-10:]) / len(losses[a][-10:]) if losses[a] else math.nan for a in ACTS}
    metrics: dict[str, float] = {}
    for a in ACTS:
        metrics[f"{_key(a)}_first_grad"] = init[a][0]
        metrics[f"{_key(a)}_last_grad"] = init[a][-1]
        metrics[f"{_key(a)}_first_to_last"] = ratio[a]
        metrics[f"{_key(a)}_log10_first_to_last"] = math.log10(ratio[a])
        metrics[f"{_key(a)}_first_to_last_trained"] = trained[a]
        metrics[f"{_key(a)}_first_layer_change"] = first_moved[a]
        metrics[f"{_key(a)}_final_loss"] = final[a]
    yield Result(
        metrics=metrics,
        reached=point_shown(ratio, trained, final, steps),
        summary=(
            f"First layer's gradient over the last layer's at init: sigmoid {ratio['sigmoid']:.1e} "
            f"(vanishing), tanh with weights x4 {ratio['tanh x4']:.2g} (exploding), ReLU "
            f"{ratio['relu']:.2g}; with batch norm {ratio['sigmoid+BN']:.2g} (sigmoid) and "
            f"{ratio['tanh x4+BN']:.2g} (tanh x4). After {steps} SGD steps the training loss "
            f"(chance {CHANCE:.3f}) is {final['sigmoid']:.3f} for sigmoid and "
            f"{final['tanh x4']:.3f} for tanh x4; with batch norm {final['sigmoid+BN']:.3f} and "
            f"{final['tanh x4+BN']:.3f}."
        ),
    )


def point_shown(
    ratio: dict[str, float], trained: dict[str, float], final: dict[str, float], steps: int
) -> bool:
    """Sigmoid vanishes and tanh x4 explodes at init while ReLU is balanced; batch norm balances
    both, at init and after training, and (given steps to train) both learn while neither
    plain broken network does."""
    lo, hi = BALANCED
    at_init = ratio["sigmoid"] < 1e-3 and ratio["tanh x4"] > EXPLODES and lo < ratio["relu"] < hi
    fixed = all(lo < ratio[a] < hi and lo < trained[a] < hi for a in ("sigmoid+BN", "tanh x4+BN"))
    if not steps:
        return at_init and fixed
    learned = all(final[a] < LEARNED for a in ("sigmoid+BN", "tanh x4+BN"))
    stuck = all(final[a] > STUCK for a in ("sigmoid", "tanh x4"))
    return at_init and fixed and learned and stuck
