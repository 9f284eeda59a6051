"""An MLP overfits 20 noisy points; L2, L1, dropout and early stopping each rein it in."""

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
    Paths,
    Progress,
    Result,
    Table,
)

SPEC = DemoSpec(
    id="regularization",
    title="Overfitting and four ways to regularize",
    teaches=(
        "A big network trained long on few noisy points drives training loss toward zero "
        "while loss on new points climbs; an L2 or L1 penalty (L1 also zeroes most weights) "
        "or stopping at the step that was best on a validation set each score lower on a "
        "held-out test set that chose nothing. Dropout is shown too: on 20 points its noise "
        "can cost more than it saves."
    ),
    concepts=("overfitting", "L2 / weight decay", "L1", "dropout", "early stopping", "validation"),
    params=(
        Param("points", 20, "training points", min=5, max=500),
        Param(
            "noise",
            0.3,
            "std of the label noise (its square is the best possible MSE)",
            min=0.0,
            max=1.0,
        ),
        Param("hidden", 64, "units in each of the two hidden layers", min=4, max=256),
        Param("steps", 600, "full-batch Adam steps", min=50, max=20000),
        Param("lr", 0.02, "Adam learning rate", min=1e-4, max=0.1),
        Param("l2", 1e-3, "L2 penalty λ·Σw²", min=0.0, max=1.0),
        Param("l1", 3e-4, "L1 penalty λ·Σ|w|", min=0.0, max=1.0),
        Param("dropout", 0.5, "dropout probability on hidden units", min=0.0, max=0.9),
        Param(
            "patience",
            100,
            "early stopping: steps without a new best validation loss",
            min=10,
            max=5000,
        ),
    ),
    metrics=(
        *(
            (f"{m}_{kind}", f"{what}: {label}", unit)
            for m, label in (("none", "no regularization"), ("l2", "L2"), ("l1", "L1"), ("dropout", "dropout"), ("early_stopping", "early stopping"))
            for kind, what, unit in (
                ("train", "final training error", "MSE"),
                ("val", "final validation error", "MSE"),
                ("test", "held-out test error", "MSE"),
            )
        ),
        *(
            (f"{m}_best_val", f"lowest validation error during training: {label}", "MSE")
            for m, label in (("none", "no regularization"), ("l2", "L2"), ("l1", "L1"), ("dropout", "dropout"))
        ),
        *(
            (f"{m}_near_zero", f"share of the weights near zero: {label}", "0..1")
            for m, label in (("none", "no regularization"), ("l2", "L2"), ("l1", "L1"), ("dropout", "dropout"))
        ),
        ("none_gap", "validation minus training error without regularization", "MSE"),
        ("early_stop_step", "the step early stopping kept", "steps"),
        ("noise_floor", "the error a perfect model still makes (noise variance)", "MSE"),
    ),
)

METHODS = ("none", "L2", "L1", "dropout")
"""Members of the ensemble trained side by side; early stopping watches 'none'."""
EVAL_EVERY = 10
NEAR_ZERO = 0.01
"""A weight counts as pruned when |w| is below this."""


def target(x: Any) -> Any:
    """The true function the points are sampled from."""
    return (3 * x).sin()


def _data(torch: Any, n: int, noise: float, gen: Any) -> tuple[Any, Any]:
    """n points with x uniform on [-1, 1] and noisy labels."""
    x = torch.rand(n, 1, generator=gen) * 2 - 1
    return x, target(x) + noise * torch.randn(n, 1, generator=gen)


class Ensemble:
    """Four 1-h-h-1 tanh MLPs stored as stacked tensors, so one batched step trains all four.

    Adam's update is elementwise, so the members never interact: stacking only saves the
    per-call overhead that dominates such tiny networks.
    """

    def __init__(self, torch: Any, hidden: int, dropout: float, gen: Any) -> None:
        self.torch = torch
        k = len(METHODS)
        self.weights = []
        self.biases = []
        for fan_in, fan_out in ((1, hidden), (hidden, hidden), (hidden, 1)):
            bound = 1 / math.sqrt(fan_in)
            w = (torch.rand(k, fan_in, fan_out, generator=gen) * 2 - 1) * bound
            self.weights.append(w.requires_grad_())
            self.biases.append(torch.zeros(k, 1, fan_out, requires_grad=True))
        self.p_drop = torch.tensor([dropout if m == "dropout" else 0.0 for m in METHODS]).view(
            k, 1, 1
        )
        self.gen = gen

    def parameters(self) -> list[Any]:
        """All trainable tensors."""
        return self.weights + self.biases

    def __call__(self, x: Any, train: bool = False) -> Any:
        """Outputs of every member, shape (members, n, 1); dropout only when training."""
        h = x.expand(len(METHODS), -1, -1)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < last:
                h = h.tanh()
                if train:
                    keep = self.torch.rand(h.shape, generator=self.gen) >= self.p_drop
                    h = h * keep / (1 - self.p_drop)
        return h

    def penalties(self) -> tuple[Any, Any]:
        """Σw² and Σ|w| over the weight matrices, one value per member."""
        sq = sum((w * w).sum(dim=(1, 2)) for w in self.weights)
        ab = sum(w.abs().sum(dim=(1, 2)) for w in self.weights)
        return sq, ab

    def snapshot(self, member: int) -> list[Any]:
        """A copy of one member's tensors."""
        return [t[member].detach().clone() for t in self.parameters()]

    def forward_one(self, tensors: list[Any], x: Any) -> Any:
        """Evaluate a snapshot taken with `snapshot`."""
        n = len(self.weights)
        h = x
        for i in range(n):
            h = h @ tensors[i] + tensors[n + i]
            if i < n - 1:
                h = h.tanh()
        return h


def _curve_frames(
    xs: list[float], hist: dict[str, tuple[list[float], list[float]]], stop: int | None
) -> Iterator[Event]:
    """Train vs validation MSE for each method, and for early stopping up to its stop."""
    for m in METHODS:
        tr, va = hist[m]
        yield Curves(
            key=f"curves_{m}",
            title=f"{m if m != 'none' else 'no regularization'}: train vs validation MSE",
            series={"train": (xs, list(tr)), "validation": (xs, list(va))},
            y_label="MSE",
            log_y=True,
        )
    tr, va = hist["none"]
    cut = len(xs) if stop is None else xs.index(float(stop)) + 1
    yield Curves(
        key="curves_early",
        title="early stopping: the unregularized run, halted at its best validation step"
        if stop is not None
        else "early stopping: watching the unregularized run's validation loss",
        series={"train": (xs[:cut], tr[:cut]), "validation": (xs[:cut], va[:cut])},
        y_label="MSE",
        log_y=True,
    )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train the four members together, then compare final validation losses."""
    import torch

    p = ctx.params
    steps, patience = int(p["steps"]), int(p["patience"])
    yield Progress(0, steps, message="sampling points and building four MLPs")

    gen = torch.Generator().manual_seed(ctx.seed)
    x_tr, y_tr = _data(torch, int(p["points"]), float(p["noise"]), gen)
    x_va, y_va = _data(torch, 400, float(p["noise"]), gen)
    x_te, y_te = _data(torch, 400, float(p["noise"]), gen)  # scores every method, chooses nothing
    x_grid = torch.linspace(-1, 1, 101).unsqueeze(1)
    net = Ensemble(torch, int(p["hidden"]), float(p["dropout"]), gen)
    opt = torch.optim.Adam(net.parameters(), lr=float(p["lr"]))
    l2 = torch.tensor([float(p["l2"]) if m == "L2" else 0.0 for m in METHODS])
    l1 = torch.tensor([float(p["l1"]) if m == "L1" else 0.0 for m in METHODS])

    xs: list[float] = []
    hist: dict[str, tuple[list[float], list[float]]] = {m: ([], []) for m in METHODS}
    best_val, best_step, best_train = math.inf, 0, math.inf
    best_snap = net.snapshot(0)
    stop_step: int | None = None
    refresh = max(EVAL_EVERY, (steps // 8) // EVAL_EVERY * EVAL_EVERY)

    def fits() -> Paths:
        """The true function, the training points, and the unregularized, L2 and early-stopped fits.

        Four lines and the points stay readable; L1 and dropout have their own curves.
        """
        gx = x_grid.flatten().tolist()
        with torch.no_grad():
            out = net(x_grid)[:, :, 0].tolist()
            early = net.forward_one(best_snap, x_grid).flatten().tolist()
        lines = {"true function": (gx, target(x_grid).flatten().tolist())}
        lines |= {f"{m} fit": (gx, out[METHODS.index(m)]) for m in ("none", "L2")}
        lines["early stopping fit"] = (gx, early)
        return Paths(
            key="fits",
            title="Fits on [-1, 1]: the unregularized one chases the noise",
            paths=lines,
            points={"train points": (x_tr.flatten().tolist(), y_tr.flatten().tolist())},
            markers=False,
        )

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        mse = ((net(x_tr, train=True) - y_tr) ** 2).mean(dim=(1, 2))
        sq, ab = net.penalties()
        opt.zero_grad()
        (mse + l2 * sq + l1 * ab).sum().backward()
        opt.step()
        if step % EVAL_EVERY and step != steps:
            continue
        with torch.no_grad():
            tr = ((net(x_tr) - y_tr) ** 2).mean(dim=(1, 2)).tolist()
            va = ((net(x_va) - y_va) ** 2).mean(dim=(1, 2)).tolist()
        xs.append(float(step))
        for i, m in enumerate(METHODS):
            hist[m][0].append(tr[i])
            hist[m][1].append(va[i])
        if stop_step is None:
            if va[0] < best_val:
                best_val, best_step, best_train = va[0], step, tr[0]
                best_snap = net.snapshot(0)
            elif step - best_step >= patience:
                stop_step = best_step
        yield Progress(step, steps, {f"{m}_val": va[i] for i, m in enumerate(METHODS)})
        if step % refresh == 0 or step == steps:
            yield from _curve_frames(xs, hist, stop_step)
            yield fits()

    with torch.no_grad():
        test = ((net(x_te) - y_te) ** 2).mean(dim=(1, 2)).tolist()
        early_test = float(((net.forward_one(best_snap, x_te) - y_te) ** 2).mean())
    final = {m: (hist[m][0][-1], hist[m][1][-1]) for m in METHODS}
    final["early stopping"] = (best_train, best_val)
    tests = dict(zip(METHODS, test, strict=True)) | {"early stopping": early_test}
    weights = [w.detach().abs() for w in net.weights]
    near_zero = {
        m: float(sum((w[i] < NEAR_ZERO).sum() for w in weights) / sum(w[i].numel() for w in weights))
        for i, m in enumerate(METHODS)
    }
    metrics: dict[str, float] = {}
    for m, (tr_f, va_f) in final.items():
        key = m.lower().replace(" ", "_")
        metrics[f"{key}_train"] = tr_f
        metrics[f"{key}_val"] = va_f
        if m in hist:
            metrics[f"{key}_best_val"] = min(hist[m][1])
    for m, value in tests.items():
        metrics[f"{m.lower().replace(' ', '_')}_test"] = value
    for m, share in near_zero.items():
        metrics[f"{m.lower()}_near_zero"] = share
    metrics["none_gap"] = final["none"][1] - final["none"][0]
    metrics["early_stop_step"] = float(best_step)
    metrics["noise_floor"] = float(p["noise"]) ** 2

    yield Table(
        key="summary",
        title=f"After {steps} steps (noise floor σ² = {metrics['noise_floor']:.3f})",
        columns=["method", "train MSE", "validation MSE", "test MSE", f"weights |w| < {NEAR_ZERO:g}"],
        rows=[
            [
                m if m != "early stopping" else f"early stop (step {best_step})",
                f"{tr_f:.4f}",
                f"{va_f:.4f}",
                f"{tests[m]:.4f}",
                f"{near_zero[m]:.0%}" if m in near_zero else "",
            ]
            for m, (tr_f, va_f) in final.items()
        ],
    )
    yield Curves(
        key="weights",
        title="Every weight's |w|, largest first: L1 drives most of them to zero",
        series={
            m: (
                [float(k + 1) for k in range(len(ranked))],
                [max(v, 1e-6) for v in ranked],
            )
            for i, m in enumerate(METHODS)
            if (ranked := sorted(torch.cat([w[i].flatten() for w in weights]).tolist(), reverse=True))
        },
        x_label="weight (ranked)",
        y_label="|w|",
        log_y=True,
    )
    none_tr, none_te = final["none"][0], tests["none"]
    better = [m for m in tests if m != "none" and tests[m] < none_te]
    reached = (
        none_te > 2 * none_tr
        and "L2" in better
        and "early stopping" in better
        and near_zero["L1"] > near_zero["none"] + 0.2
    )
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"Unregularized: train {none_tr:.4f} vs test {none_te:.4f}. Lower test loss with "
            f"{', '.join(better) or 'none of them'}: "
            + ", ".join(f"{m} {tests[m]:.4f}" for m in tests if m != "none")
            + f". Early stopping picked step {best_step} on validation. L1 left "
            f"{near_zero['L1']:.0%} of weights near zero (none: {near_zero['none']:.0%})."
        ),
    )
