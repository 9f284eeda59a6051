"""Logistic regression: a sigmoid and binary cross-entropy, trained by gradient descent in 2-D."""

from __future__ import annotations

from collections.abc import Iterator

from studydl.domain.demos import (
    Boundary,
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Param,
    Progress,
    Result,
)

SPEC = DemoSpec(
    id="logistic-regression",
    title="Logistic regression: sigmoid + binary cross-entropy",
    teaches=(
        "A linear score squashed by a sigmoid and trained with binary cross-entropy "
        "learns a straight decision boundary; its gradient is X^T(sigmoid(Xw) - y) / n."
    ),
    concepts=("logistic regression", "sigmoid", "binary cross-entropy", "decision boundary"),
    params=(
        Param("samples", 200, "number of training points", min=10, max=5000),
        Param("steps", 300, "gradient-descent steps", min=1, max=5000),
        Param("lr", 0.5, "learning rate", min=1e-4, max=10.0),
        Param("spread", 1.0, "standard deviation of each class blob", min=0.1, max=5.0),
        Param("grid", 25, "resolution of the drawn decision boundary", min=5, max=80),
    ),
    metrics=(
        ("accuracy", "training accuracy", "0..1"),
        ("loss_initial", "cross-entropy before training", "≥ 0"),
        ("loss_final", "cross-entropy after training", "≥ 0"),
        ("grad_formula_diff", "largest gap between the formula (p - y)x and autograd's gradient", "≥ 0"),
        ("w1", "learned weight of the first feature", "weight"),
        ("w2", "learned weight of the second feature", "weight"),
        ("b", "learned bias", "weight"),
    ),
)

TARGET_ACCURACY = 0.9


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train w, b on two Gaussian blobs by full-batch gradient descent; draw the boundary."""
    import torch
    import torch.nn.functional as F

    p = ctx.params
    n = int(p["samples"])
    steps = int(p["steps"])
    lr = float(p["lr"])
    spread = float(p["spread"])
    res = int(p["grid"])

    gen = torch.Generator().manual_seed(ctx.seed)
    y = (torch.arange(n) % 2).float()
    centres = torch.tensor([[-1.5, -1.0], [1.5, 1.0]])
    x = centres[y.long()] + spread * torch.randn(n, 2, generator=gen)
    xb = torch.cat([x, torch.ones(n, 1)], dim=1)  # last column is the bias

    def bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy of sigmoid(logits), written stably: softplus(z) - y z."""
        # Same value as F.binary_cross_entropy_with_logits, whose log-sigmoid kernel
        # parallelises even 200 elements and stalls on a busy 2-core CPU.
        return (F.softplus(logits) - target * logits).mean()

    w = torch.zeros(3, requires_grad=True)
    with torch.no_grad():
        first_loss = float(bce(xb @ w, y))
    yield Progress(0, steps, {"loss": first_loss}, "gradient descent from w = 0")

    lo = x.min(dim=0).values - 0.5
    hi = x.max(dim=0).values + 0.5
    gx = torch.linspace(float(lo[0]), float(hi[0]), res)
    gy = torch.linspace(float(lo[1]), float(hi[1]), res)
    mesh_y, mesh_x = torch.meshgrid(gy, gx, indexing="ij")
    grid_b = torch.stack([mesh_x.flatten(), mesh_y.flatten(), torch.ones(res * res)], dim=1)
    points = [
        (float(a), float(b), int(c)) for (a, b), c in zip(x.tolist(), y.tolist(), strict=True)
    ]

    xs: list[float] = []
    losses: list[float] = []
    accs: list[float] = []
    refresh_progress = max(1, steps // 30)
    refresh_frames = max(1, steps // 6)
    grad_diff = 0.0
    loss_value = first_loss
    acc = 0.0
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        logits = xb @ w
        loss = bce(logits, y)
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            if step == 1:
                # The gradient by hand equals autograd's: X^T (sigmoid(Xw) - y) / n.
                by_hand = xb.T @ (torch.sigmoid(logits) - y) / n
                grad_diff = float((by_hand - grad).abs().max())
            w -= lr * grad
            logits = xb @ w
            loss_value = float(bce(logits, y))
            acc = float(((logits > 0).float() == y).float().mean())
        xs.append(float(step))
        losses.append(loss_value)
        accs.append(acc)
        if step % refresh_progress == 0 or step == steps:
            yield Progress(step, steps, {"loss": loss_value, "accuracy": acc})
        if step % refresh_frames == 0 or step == steps:
            yield Curves(
                "loss",
                "Binary cross-entropy and accuracy",
                series={"BCE loss": (list(xs), list(losses)), "accuracy": (list(xs), list(accs))},
                y_label="value",
            )
            with torch.no_grad():
                probs = torch.sigmoid(grid_b @ w).reshape(res, res)
            yield Boundary(
                "boundary",
                f"P(class 1) after {step} steps; the boundary is where it crosses 0.5",
                xs=gx.tolist(),
                ys=gy.tolist(),
                grid=probs.tolist(),
                points=points,
            )

    reached = acc >= TARGET_ACCURACY and loss_value < first_loss
    w_final = w.detach().tolist()
    yield Result(
        {
            "accuracy": acc,
            "loss_initial": first_loss,
            "loss_final": loss_value,
            "grad_formula_diff": grad_diff,
            "w1": w_final[0],
            "w2": w_final[1],
            "b": w_final[2],
        },
        reached=reached,
        summary=(
            f"Loss {first_loss:.3f} -> {loss_value:.3f}, accuracy {acc:.0%}; the hand-written "
            f"gradient matches autograd to {grad_diff:.1e}."
        ),
    )
