"""Demo 5: batch vs stochastic vs mini-batch gradient descent on one linear regression."""

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
    id="gradient-descent",
    title="Batch, stochastic and mini-batch gradient descent",
    teaches=(
        "In one epoch, stochastic GD makes one noisy update per sample while batch GD makes "
        "a single smooth one; mini-batches sit in between."
    ),
    concepts=("gradient descent", "stochastic gradient descent", "mini-batch", "epoch"),
    params=(
        Param("samples", 256, "training points", min=8, max=10000),
        Param("features", 3, "input features", min=1, max=50),
        Param("epochs", 10, "passes over the data for every method", min=1, max=500),
        Param("batch_size", 32, "mini-batch size", min=2, max=10000),
        Param("lr", 0.05, "learning rate, the same for all three", min=0.0001, max=1.0),
        Param("noise", 0.1, "label noise standard deviation", min=0.0, max=5.0),
    ),
    metrics=(
        *(
            (f"{kind}_{name}", f"{what}: {label} gradient descent", unit)
            for name, label in (("batch", "batch"), ("minibatch", "mini-batch"), ("stochastic", "stochastic"))
            for kind, what, unit in (
                ("loss", "final training loss", "≥ 0"),
                ("updates", "weight updates made", "count"),
                ("rises", "share of updates after which the loss went up", "0..1"),
            )
        ),
    ),
)

MAX_POINTS = 800
"""Longest series sent to a front end; SGD's curve is thinned to this."""


def _thin(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    stride = max(1, -(-len(xs) // MAX_POINTS))
    keep = list(range(0, len(xs), stride))
    if keep[-1] != len(xs) - 1:
        keep.append(len(xs) - 1)
    return [xs[i] for i in keep], [ys[i] for i in keep]


def run(ctx: DemoContext) -> Iterator[Event]:
    """Fit the same data three ways and record the full-data loss after every update."""
    import torch

    p = ctx.params
    n, d, epochs = int(p["samples"]), int(p["features"]), int(p["epochs"])
    lr = float(p["lr"])
    x = torch.randn(n, d)
    true_w = torch.randn(d)
    y = x @ true_w + 0.5 + float(p["noise"]) * torch.randn(n)
    xb = torch.cat([x, torch.ones(n, 1)], dim=1)  # bias as a constant feature
    methods = {"batch": n, "mini-batch": min(int(p["batch_size"]), n), "stochastic": 1}
    by_update: dict[str, tuple[list[float], list[float]]] = {}
    by_samples: dict[str, tuple[list[float], list[float]]] = {}
    metrics: dict[str, float] = {}
    total = epochs * len(methods)

    for m_index, (method, size) in enumerate(methods.items()):
        key = method.replace("-", "")
        w = torch.zeros(d + 1)
        updates, seen, ups = 0, 0, 0
        prev = float(((xb @ w - y) ** 2).mean())
        u_xs, s_xs, losses = [0.0], [0.0], [prev]
        for epoch in range(1, epochs + 1):
            order = torch.randperm(n)
            for start in range(0, n, size):
                if ctx.should_stop():
                    return
                idx = order[start : start + size]
                xi, yi = xb[idx], y[idx]
                w -= lr * 2 * xi.T @ (xi @ w - yi) / len(idx)  # gradient of the batch MSE
                updates += 1
                seen += len(idx)
                loss = float(((xb @ w - y) ** 2).mean())
                ups += loss > prev
                prev = loss
                u_xs.append(float(updates))
                s_xs.append(float(seen))
                losses.append(loss)
            step = m_index * epochs + epoch
            yield Progress(step, total, {f"loss_{key}": loss}, f"{method} epoch {epoch}")
        by_update[method] = _thin(u_xs, losses)
        by_samples[method] = _thin(s_xs, losses)
        metrics[f"loss_{key}"] = losses[-1]
        metrics[f"updates_{key}"] = float(updates)
        metrics[f"rises_{key}"] = ups / updates
        yield Curves(
            "by-updates",
            "Full-data loss vs number of updates",
            dict(by_update),
            x_label="updates",
            y_label="MSE",
            log_y=True,
        )
        yield Curves(
            "by-samples",
            "Full-data loss vs samples seen",
            dict(by_samples),
            x_label="samples seen",
            y_label="MSE",
            log_y=True,
        )

    yield Table(
        key="summary",
        title=f"{epochs} epochs of {n} samples, lr={lr:g}",
        columns=["method", "batch size", "updates", "per epoch", "loss went up", "final loss"],
        rows=[
            [
                method,
                size,
                int(metrics[f"updates_{k}"]),
                int(metrics[f"updates_{k}"]) // epochs,
                f"{metrics[f'rises_{k}']:.0%}",
                round(metrics[f"loss_{k}"], 4),
            ]
            for method, size in methods.items()
            for k in [method.replace("-", "")]
        ],
    )
    reached = (
        metrics["updates_stochastic"] > metrics["updates_minibatch"] > metrics["updates_batch"]
        and metrics["rises_batch"] == 0.0
        and metrics["rises_stochastic"] > 0.0
    )
    yield Result(
        metrics,
        reached,
        summary=(
            f"Per epoch: SGD {int(metrics['updates_stochastic']) // epochs} updates "
            f"(loss rose on {metrics['rises_stochastic']:.0%}), batch 1 smooth update; final loss "
            f"batch {metrics['loss_batch']:.3f}, mini-batch {metrics['loss_minibatch']:.3f}, "
            f"SGD {metrics['loss_stochastic']:.3f}."
        ),
    )
