"""Demo 3: activation functions, their derivatives by autograd, and softmax."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
    id="activations",
    title="Activation functions and their derivatives",
    teaches=(
        "Sigmoid's slope never exceeds 0.25 and tanh's never exceeds 1, so deep stacks "
        "of them shrink gradients; ReLU passes a slope of exactly 1 for positive inputs."
    ),
    concepts=("activation function", "sigmoid", "tanh", "ReLU", "softmax", "vanishing gradient"),
    params=(
        Param("points", 201, "samples on the x axis (made odd to include 0)", min=11, max=5001),
        Param("span", 5.0, "x runs from -span to span", min=1.0, max=20.0),
        Param("negative_slope", 0.1, "slope of leaky ReLU below zero", min=0.0, max=1.0),
        Param("temperature", 1.0, "softmax temperature", min=0.05, max=20.0),
    ),
    metrics=(
        *(
            (f"max_grad_{name}", f"largest slope of {label} over the plotted x range", "≥ 0")
            for name, label in (
                ("sigmoid", "the sigmoid"), ("tanh", "tanh"), ("softsign", "softsign"),
                ("relu", "ReLU"), ("leaky_relu", "leaky ReLU"), ("softplus", "softplus"),
            )
        ),
        ("softmax_sum", "sum of the softmax of the example scores", "1"),
        ("softmax_max", "largest softmax probability of the example scores", "0..1"),
        ("autograd_vs_formula", "largest gap between autograd's and the hand-written derivatives", "≥ 0"),
    ),
)

LOGITS = (2.0, 1.0, 0.1, -1.0)


def _functions(slope: float) -> dict[str, tuple[Callable, Callable, str]]:
    """name -> (function, derivative written by hand, derivative as a formula)."""
    import torch
    import torch.nn.functional as F

    sig = torch.sigmoid
    return {
        "sigmoid": (sig, lambda x: sig(x) * (1 - sig(x)), "σ(x)(1-σ(x))"),
        "tanh": (torch.tanh, lambda x: 1 - torch.tanh(x) ** 2, "1 - tanh²(x)"),
        "softsign": (F.softsign, lambda x: 1 / (1 + x.abs()) ** 2, "1/(1+|x|)²"),
        "relu": (torch.relu, lambda x: (x > 0).to(x.dtype), "1 if x>0 else 0"),
        "leaky_relu": (
            lambda x: F.leaky_relu(x, slope),
            lambda x: torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope)),
            f"1 if x>0 else {slope:g}",
        ),
        "softplus": (F.softplus, sig, "σ(x)"),
    }


GROUPS = (
    ("squash", "Squashing activations: sigmoid, tanh, softsign", ("sigmoid", "tanh", "softsign")),
    ("rectify", "Rectifiers: ReLU, leaky ReLU, softplus", ("relu", "leaky_relu", "softplus")),
)
"""Three curves per plot: six in one plot hid each other (one colour per character cell)."""


def run(ctx: DemoContext) -> Iterator[Event]:
    """Plot each activation and its autograd derivative, check it by hand, then softmax a vector."""
    import torch

    span = float(ctx.params["span"])
    # An odd count puts x = 0, where sigmoid and tanh peak, on a sample.
    points = int(ctx.params["points"]) | 1
    x = torch.linspace(-span, span, points, dtype=torch.float64)
    functions = _functions(float(ctx.params["negative_slope"]))
    values: dict[str, tuple[list[float], list[float]]] = {}
    slopes: dict[str, tuple[list[float], list[float]]] = {}
    rows: list[list[object]] = []
    metrics: dict[str, float] = {}
    xs = x.tolist()
    worst = 0.0

    for step, (name, (fn, by_hand, formula)) in enumerate(functions.items(), start=1):
        if ctx.should_stop():
            return
        xg = x.clone().requires_grad_(True)
        y = fn(xg)
        (grad,) = torch.autograd.grad(y.sum(), xg)
        diff = float((grad - by_hand(x)).abs().max())
        worst = max(worst, diff)
        values[name] = (xs, y.detach().tolist())
        slopes[name] = (xs, grad.tolist())
        metrics[f"max_grad_{name}"] = float(grad.max())
        rows.append([name, formula, round(float(grad.max()), 4), f"{diff:.1e}"])
        yield Progress(step, len(functions), {f"max_grad_{name}": float(grad.max())}, name)

    for key, title, names in GROUPS:
        group = [n for n in names if n in values]
        yield Curves(key=f"functions_{key}", title=title, series={n: values[n] for n in group}, x_label="x", y_label="f(x)")
        yield Curves(
            key=f"derivatives_{key}",
            title="Their derivatives (autograd), on one scale 0..1 for both families",
            series={n: slopes[n] for n in group},
            x_label="x",
            y_label="f'(x)",
            y_min=0.0,
            y_max=1.0,
        )
    yield Table(
        key="slopes",
        title="Largest slope of each activation; autograd vs the formula",
        columns=["activation", "f'(x)", "max f'", "|autograd - formula|"],
        rows=rows,
    )

    temperature = float(ctx.params["temperature"])
    logits = torch.tensor(LOGITS, dtype=torch.float64)
    probs = torch.softmax(logits / temperature, dim=0)
    yield Table(
        key="softmax",
        title=f"softmax(z / {temperature:g}) turns scores into probabilities that sum to 1",
        columns=["z", "exp(z/T)", "softmax"],
        rows=[
            [z, round(float(e), 4), round(float(p), 4)]
            for z, e, p in zip(LOGITS, torch.exp(logits / temperature), probs, strict=True)
        ],
    )
    metrics["softmax_sum"] = float(probs.sum())
    metrics["softmax_max"] = float(probs.max())
    metrics["autograd_vs_formula"] = worst
    reached = (
        abs(metrics["max_grad_sigmoid"] - 0.25) < 1e-3
        and abs(metrics["max_grad_tanh"] - 1.0) < 1e-3
        and worst < 1e-9
        and abs(metrics["softmax_sum"] - 1.0) < 1e-9
    )
    yield Result(
        metrics,
        reached,
        summary=(
            f"max slope: sigmoid {metrics['max_grad_sigmoid']:.3f}, tanh {metrics['max_grad_tanh']:.3f}, "
            f"relu {metrics['max_grad_relu']:.0f}; autograd matches the formulas to {worst:.0e}."
        ),
    )
