"""Linear regression: gradient descent walks to the weights the normal equation gives at once."""

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
    id="linear-regression",
    title="Linear regression: gradient descent vs the closed form",
    teaches=(
        "Gradient descent on the mean squared error converges to the same weights "
        "as the closed-form least-squares solution (the normal equation)."
    ),
    concepts=("linear regression", "mean squared error", "gradient descent", "normal equation"),
    params=(
        Param("samples", 200, "number of training points", min=10, max=5000),
        Param("features", 3, "number of input features (plus a bias)", min=1, max=20),
        Param("steps", 300, "gradient-descent steps", min=1, max=5000),
        Param("lr", 0.1, "learning rate", min=1e-4, max=1.0),
        Param("noise", 0.3, "standard deviation of the label noise", min=0.0, max=5.0),
    ),
    metrics=(
        ("loss_gd", "mean squared error after gradient descent", "≥ 0"),
        ("loss_closed", "mean squared error of the closed-form solution", "≥ 0"),
        ("max_abs_diff", "largest gap between the two solutions' weights", "≥ 0"),
        ("steps", "gradient descent steps", "steps"),
    ),
)

TOLERANCE = 1e-2
"""The teaching point is reached when every GD weight is this close to the closed form."""


def run(ctx: DemoContext) -> Iterator[Event]:
    """Fit y = Xw + b by full-batch gradient descent and compare with torch.linalg.lstsq."""
    import torch

    p = ctx.params
    n = int(p["samples"])
    d = int(p["features"])
    steps = int(p["steps"])
    lr = float(p["lr"])
    noise = float(p["noise"])

    gen = torch.Generator().manual_seed(ctx.seed)
    x = torch.randn(n, d, generator=gen)
    true_w = torch.randn(d, generator=gen)
    true_b = float(torch.randn(1, generator=gen))
    y = x @ true_w + true_b + noise * torch.randn(n, generator=gen)
    xb = torch.cat([x, torch.ones(n, 1)], dim=1)  # last column is the bias

    # The closed form: the minimiser of ||Xw - y||^2, solved stably by least squares.
    w_closed = torch.linalg.lstsq(xb, y.unsqueeze(1)).solution.squeeze(1)
    loss_closed = float(((xb @ w_closed - y) ** 2).mean())

    w = torch.zeros(d + 1, requires_grad=True)
    yield Progress(0, steps, {"loss_closed": loss_closed}, "gradient descent from w = 0")

    xs: list[float] = []
    losses: list[float] = []
    dists: list[float] = []
    refresh = max(1, steps // 10)
    max_diff = float((w.detach() - w_closed).abs().max())
    loss_value = float(((xb @ w.detach() - y) ** 2).mean())
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        loss = ((xb @ w - y) ** 2).mean()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * grad
            loss_value = float(((xb @ w - y) ** 2).mean())
            max_diff = float((w - w_closed).abs().max())
        xs.append(float(step))
        losses.append(loss_value)
        dists.append(max(max_diff, 1e-12))
        if step % refresh == 0 or step == steps:
            yield Progress(step, steps, {"loss": loss_value, "max_abs_diff": max_diff})
            yield _curves(xs, losses, dists, loss_closed)

    w_gd = w.detach()
    names = [f"w{j + 1}" for j in range(d)] + ["b"]
    truth = [*(float(v) for v in true_w), true_b]
    rows = [
        [name, round(float(g), 5), round(float(c), 5), round(t, 5), f"{abs(float(g - c)):.2e}"]
        for name, g, c, t in zip(names, w_gd, w_closed, truth, strict=True)
    ]
    yield Table(
        "weights",
        "Weights: gradient descent vs closed form",
        columns=["weight", "gradient descent", "closed form", "true", "|difference|"],
        rows=rows,
    )
    reached = max_diff < TOLERANCE
    yield Result(
        {
            "loss_gd": loss_value,
            "loss_closed": loss_closed,
            "max_abs_diff": max_diff,
            "steps": float(steps),
        },
        reached=reached,
        summary=(
            f"After {steps} steps the GD weights are within {max_diff:.1e} of the closed form "
            f"(loss {loss_value:.4f} vs {loss_closed:.4f})."
            if reached
            else f"GD is still {max_diff:.1e} away from the closed form: more steps or a larger lr."
        ),
    )


def _curves(xs: list[float], losses: list[float], dists: list[float], floor: float) -> Curves:
    """The training loss against the closed-form loss, and the distance to the closed form."""
    return Curves(
        "loss",
        "Loss and distance to the closed-form weights",
        series={
            "GD loss (MSE)": (list(xs), list(losses)),
            "closed-form loss": ([xs[0], xs[-1]], [floor, floor]),
            "max |w_gd - w_closed|": (list(xs), list(dists)),
        },
        y_label="value",
        log_y=True,
    )
