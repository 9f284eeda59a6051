"""Softmax + cross-entropy over four classes against four one-vs-rest logistic regressions."""

from __future__ import annotations

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

from ._common import boundary_frame

LAYOUTS: dict[str, tuple[tuple[float, float], ...]] = {
    "line": ((-3.0, -1.0), (-1.0, -0.33), (1.0, 0.33), (3.0, 1.0)),
    "square": ((-1.5, -1.5), (1.5, -1.5), (1.5, 1.5), (-1.5, 1.5)),
}
"""Class centres. On the line the two middle classes cannot be cut from the rest by one line."""
SURE, UNSURE = 0.6, 0.4
"""On the line the point is: softmax gives middle points' true class at least SURE on average,
one-vs-rest's own classifier at most UNSURE (its base rate is 1/4)."""

SPEC = DemoSpec(
    id="softmax-cross-entropy",
    title="Softmax + cross-entropy vs one-vs-rest, four classes",
    teaches=(
        "Softmax turns one score per class into a single probability distribution (it sums "
        "to 1) and cross-entropy trains all classes jointly, so a class lying between two "
        "others gets a confident region of its own. One-vs-rest trains each class against "
        "the rest alone: no line cuts a middle class from classes on both its sides, so its "
        "classifier stays near its base rate of 1/4 (its own points get about 0.27; softmax "
        "gives them 0.7-0.96), and the four probabilities need not sum to 1. Arg-max "
        "one-vs-rest still labels many middle points right, where the neighbours' classifiers "
        "are even less sure, but within 400 steps it is never the more accurate model."
    ),
    concepts=("softmax", "cross-entropy", "multiclass classification", "one-vs-rest", "logits"),
    params=(
        Param("layout", "line", "where the four class centres sit", choices=tuple(LAYOUTS)),
        Param(
            "spread", 0.4, "standard deviation of each class around its centre", min=0.1, max=2.0
        ),
        Param("steps", 400, "full-batch gradient descent steps for every model", min=1, max=5000),
        Param(
            "points",
            400,
            "training points (validation and test sets are as large)",
            min=40,
            max=4000,
        ),
    ),
    budget_s=15.0,
    metrics=(
        *(
            (f"{m}_{kind}", f"{what}: {label}", unit)
            for m, label in (("softmax", "softmax + cross-entropy"), ("ovr", "one-vs-rest"))
            for kind, what, unit in (
                ("test_accuracy", "test accuracy", "0..1"),
                ("lr", "the tuned learning rate", "lr"),
                ("middle_accuracy", "test accuracy on the worse of the two middle classes", "0..1"),
                ("middle_true_prob", "mean probability given the true class, test points of the middle classes", "0..1"),
                ("ends_accuracy", "test accuracy on the two outer classes", "0..1"),
            )
        ),
        ("softmax_prob_sum_max_error", "largest distance of softmax's probability sum from 1", "≥ 0"),
        ("ovr_prob_sum_min", "smallest sum of the one-vs-rest probabilities at a point", "≥ 0"),
        ("ovr_prob_sum_max", "largest sum of the one-vs-rest probabilities at a point", "≥ 0"),
        ("ovr_unclaimed_share", "share of points no one-vs-rest classifier claims", "0..1"),
        ("ovr_overclaimed_share", "share of points several one-vs-rest classifiers claim", "0..1"),
    ),
)

LRS = (0.1, 0.3, 1.0, 3.0)
"""Both models try every learning rate; each keeps the one with the best validation accuracy."""
KINDS = ("softmax", "ovr")
NAMES = {"softmax": "softmax + CE", "ovr": "one-vs-rest"}
VIEW = 4.5


def blobs(torch: Any, n: int, centres: Any, spread: float, gen: Any) -> tuple[Any, Any]:
    """n points, classes drawn uniformly, each Gaussian around its class centre."""
    labels = torch.randint(0, centres.shape[0], (n,), generator=gen)
    return centres[labels] + spread * torch.randn(n, 2, generator=gen), labels


def losses(torch: Any, weights: Any, bias: Any, x: Any, y: Any) -> dict[str, Any]:
    """Per-learning-rate loss of each model: weights (kinds, lrs, 2, K), bias (kinds, lrs, 1, K)."""
    F = torch.nn.functional
    logits = x @ weights + bias  # (kinds, lrs, n, K)
    classes = logits.shape[-1]
    soft = F.cross_entropy(logits[0].reshape(-1, classes), y.repeat(len(LRS)), reduction="none")
    target = F.one_hot(y, classes).float().expand_as(logits[1])
    ovr = F.binary_cross_entropy_with_logits(logits[1], target, reduction="none").sum(-1)
    return {"softmax": soft.reshape(len(LRS), -1).mean(1), "ovr": ovr.mean(1)}


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train both models at every learning rate in lockstep; keep each one's best by validation."""
    import torch

    p = ctx.params
    steps, n, spread = int(p["steps"]), int(p["points"]), float(p["spread"])
    centres = torch.tensor(LAYOUTS[str(p["layout"])])
    classes = centres.shape[0]
    yield Progress(0, steps, message=f"{classes} classes, {len(LRS)} learning rates per model")

    gen = torch.Generator().manual_seed(ctx.seed)
    x, y = blobs(torch, n, centres, spread, gen)
    x_val, y_val = blobs(torch, n, centres, spread, gen)
    x_test, y_test = blobs(torch, n, centres, spread, gen)
    # Both models: one linear score per class, starting at zero. Only the loss differs.
    weights = torch.zeros(len(KINDS), len(LRS), 2, classes, requires_grad=True)
    bias = torch.zeros(len(KINDS), len(LRS), 1, classes, requires_grad=True)
    rate = torch.tensor(LRS).view(1, len(LRS), 1, 1)
    history: list[list[list[float]]] = []
    """history[t][kind][lr]: training loss at the t-th recorded step."""
    xs: list[float] = []

    def accuracy(xv: Any, yv: Any) -> Any:
        with torch.no_grad():
            return ((xv @ weights + bias).argmax(-1) == yv).float().mean(-1)  # (kinds, lrs)

    def chosen() -> list[int]:
        """Index of each model's best learning rate on the validation set."""
        return [int(i) for i in accuracy(x_val, y_val).argmax(1)]

    def frames(step: int) -> Iterator[Event]:
        best = chosen()
        for k, kind in enumerate(KINDS):
            w, b = weights[k, best[k]].detach(), bias[k, best[k]].detach()
            yield boundary_frame(
                f"regions_{kind}",
                f"{NAMES[kind]} (lr {LRS[best[k]]:g}): predicted class after {step} steps",
                lambda pts, w=w, b=b: (pts @ w + b).argmax(1),
                x_test[:160],
                y_test[:160],
                lo=-VIEW,
                hi=VIEW,
                n=31,
            )
        yield Curves(
            key="loss",
            title="Training loss at each model's chosen learning rate",
            series={
                f"{NAMES[kind]} lr {LRS[best[k]]:g}": (list(xs), [h[k][best[k]] for h in history])
                for k, kind in enumerate(KINDS)
            },
            y_label="loss",
            log_y=True,
        )

    refresh_progress = max(1, steps // 40)
    refresh_frames = max(1, steps // 6)
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        per_lr = losses(torch, weights, bias, x, y)
        grads = torch.autograd.grad(sum(v.sum() for v in per_lr.values()), (weights, bias))
        with torch.no_grad():
            weights -= rate * grads[0]
            bias -= rate * grads[1]
        if step % refresh_progress == 0 or step == steps:
            xs.append(float(step))
            history.append([per_lr[kind].tolist() for kind in KINDS])
            acc = accuracy(x_val, y_val)
            yield Progress(
                step,
                steps,
                {f"{kind}_val_accuracy": float(acc[k].max()) for k, kind in enumerate(KINDS)},
            )
        if step % refresh_frames == 0 or step == steps:
            yield from frames(step)

    best = chosen()
    val = accuracy(x_val, y_val)
    with torch.no_grad():
        logits = x_test @ weights + bias
        predicted = logits.argmax(-1)
        test = (predicted == y_test).float().mean(-1)
        grid = torch.cartesian_prod(
            torch.linspace(-VIEW, VIEW, 61), torch.linspace(-VIEW, VIEW, 61)
        )
        scores = grid @ weights[1, best[1]] + bias[1, best[1]]
        ovr_sum = torch.sigmoid(scores).sum(1)
        claims = (scores > 0).sum(1)
        soft_sum = torch.softmax(grid @ weights[0, best[0]] + bias[0, best[0]], 1).sum(1)
    per_class = {
        kind: [
            float((predicted[k, best[k]][y_test == c] == c).float().mean()) for c in range(classes)
        ]
        for k, kind in enumerate(KINDS)
    }
    yield Table(
        key="tuning",
        title="Validation accuracy for every learning rate (each model keeps its best)",
        columns=["learning rate", *(NAMES[k] for k in KINDS)],
        rows=[
            [f"{lr:g}", *(f"{float(val[k, i]):.1%}" for k in range(len(KINDS)))]
            for i, lr in enumerate(LRS)
        ],
    )
    yield Table(
        key="per_class",
        title=f"Test accuracy per class ({len(y_test)} held-out points)",
        columns=["model", *(f"class {c}" for c in range(classes)), "all"],
        rows=[
            [NAMES[kind], *(f"{v:.0%}" for v in per_class[kind]), f"{float(test[k, best[k]]):.1%}"]
            for k, kind in enumerate(KINDS)
        ],
    )
    none_claims = float((claims == 0).float().mean())
    many_claims = float((claims > 1).float().mean())
    yield Table(
        key="probabilities",
        title="Do the class probabilities add up to 1? (over the whole plane shown)",
        columns=["model", "sum of probabilities", "no class > 0.5", "several > 0.5"],
        rows=[
            [
                NAMES["softmax"],
                f"{float(soft_sum.min()):.4f} … {float(soft_sum.max()):.4f}",
                "—",
                "—",
            ],
            [
                NAMES["ovr"],
                f"{float(ovr_sum.min()):.2f} … {float(ovr_sum.max()):.2f}",
                f"{none_claims:.0%} of the plane",
                f"{many_claims:.0%} of the plane",
            ],
        ],
    )

    soft_acc, ovr_acc = float(test[0, best[0]]), float(test[1, best[1]])
    sums_one = float((soft_sum - 1).abs().max()) < 1e-5
    ovr_off = float((ovr_sum - 1).abs().max()) > 0.2
    true_prob = _middle_true_prob(torch, logits, best, y_test, classes)
    yield Table(
        key="middle",
        title="The two middle classes' test points: how sure, how often right",
        columns=["model", "p(true class), mean", "right (worse class)"],
        rows=[
            [NAMES[kind], f"{true_prob[kind]:.2f}", f"{min(per_class[kind][1:-1]):.0%}"]
            for kind in KINDS
        ],
    )
    if p["layout"] == "line":
        point = (
            true_prob["softmax"] >= SURE >= UNSURE >= true_prob["ovr"] and soft_acc >= ovr_acc
        )
    else:
        point = soft_acc >= 0.95 and ovr_acc >= 0.95
    metrics = {
        "softmax_test_accuracy": soft_acc,
        "ovr_test_accuracy": ovr_acc,
        "softmax_lr": LRS[best[0]],
        "ovr_lr": LRS[best[1]],
        "softmax_prob_sum_max_error": float((soft_sum - 1).abs().max()),
        "ovr_prob_sum_min": float(ovr_sum.min()),
        "ovr_prob_sum_max": float(ovr_sum.max()),
        "ovr_unclaimed_share": none_claims,
        "ovr_overclaimed_share": many_claims,
    }
    for kind in KINDS:  # per class is in the table; here the classes between others vs the ends
        inner, outer = per_class[kind][1:-1], per_class[kind][:1] + per_class[kind][-1:]
        metrics[f"{kind}_middle_accuracy"] = min(inner)
        metrics[f"{kind}_ends_accuracy"] = min(outer)
        metrics[f"{kind}_middle_true_prob"] = true_prob[kind]
    yield Result(
        metrics=metrics,
        reached=point and sums_one and ovr_off,
        summary=(
            f"Middle classes' points: softmax gives the true class {true_prob['softmax']:.2f} on "
            f"average, one-vs-rest's own classifier {true_prob['ovr']:.2f} (base rate 0.25). Test "
            f"accuracy: softmax {soft_acc:.1%}, one-vs-rest {ovr_acc:.1%} (each at its best "
            f"learning rate, {steps} steps). Softmax probabilities always sum to 1; one-vs-rest's "
            f"range from {float(ovr_sum.min()):.2f} to {float(ovr_sum.max()):.2f}."
        ),
    )


def _middle_true_prob(
    torch: Any, logits: Any, best: list[int], y: Any, classes: int
) -> dict[str, float]:
    """Mean probability each model (at its chosen rate) gives the true class of the test points
    of the classes between the first and the last: softmax's share, one-vs-rest's own sigmoid."""
    middle = (y > 0) & (y < classes - 1)
    truth = y[middle].unsqueeze(1)
    with torch.no_grad():
        soft = torch.softmax(logits[0, best[0]][middle], dim=1).gather(1, truth)
        ovr = torch.sigmoid(logits[1, best[1]][middle]).gather(1, truth)
    return {"softmax": float(soft.mean()), "ovr": float(ovr.mean())}
