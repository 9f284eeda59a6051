"""Batch normalization: the same deep MLP with and without it, over a sweep of learning rates."""

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
    Progress,
    RefLine,
    Result,
    Table,
)

from . import _stacked
from ._common import boundary_frame
from ._series import finite
from ._toy_data import spirals

SPEC = DemoSpec(
    id="batch-norm",
    title="Batch normalization: training at a high learning rate",
    teaches=(
        "Both networks learn the spirals at a small learning rate, but at a high one the "
        "plain network's updates throw it off and it stalls at chance or diverges, while batch norm "
        "re-centres and re-scales every layer over the mini-batch and keeps training: it "
        "widens the range of learning rates that work."
    ),
    concepts=("batch normalization", "learning rate", "internal activations", "training stability"),
    params=(
        Param("lr_high", 0.3, "the high SGD learning rate both networks face", min=0.01, max=3.0),
        Param("depth", 6, "hidden layers", min=2, max=16),
        Param("width", 32, "units per hidden layer", min=8, max=128),
        Param("steps", 200, "SGD steps for every network and learning rate", min=10, max=3000),
        Param("batch", 128, "examples per mini-batch (batch norm's statistics)", min=8, max=1024),
    ),
    budget_s=20.0,
    metrics=(
        ("plain_acc_at_lr_high", "accuracy of the plain network at lr_high", "0..1"),
        ("batchnorm_acc_at_lr_high", "accuracy of the batch-norm network at lr_high", "0..1"),
        ("plain_best_acc", "plain network's accuracy at its best rate", "0..1"),
        ("plain_best_lr", "plain network's best rate in the sweep", "lr"),
        ("batchnorm_best_acc", "batch-norm network's accuracy at its best rate", "0..1"),
        ("plain_largest_working_lr", "largest swept rate at which the plain network trains", "lr"),
        ("batchnorm_largest_working_lr", "largest swept rate at which the batch-norm network trains", "lr"),
        ("plain_diverged_at_lr_high", "1 if the plain network diverged at lr_high", "0 or 1"),
    ),
)

LRS = (0.01, 0.03, 0.1, 0.3, 1.0)
"""The sweep both networks get, plus `lr_high` if it is not already one of these."""
MOMENTUM = 0.9
LEARNED = 0.9
"""Validation accuracy that counts as 'learned' (chance is 1/3)."""
KINDS = ("plain", "batchnorm")
NAMES = {"plain": "plain", "batchnorm": "batch norm"}


def build(torch: Any, copies: int, depth: int, width: int, norm: bool, gen: Any) -> Any:
    """`copies` identical MLPs (He init); with `norm`, Linear -> BatchNorm -> ReLU per layer."""
    nn = torch.nn
    F = nn.functional

    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weights = nn.ParameterList()
            self.gammas = nn.ParameterList()
            self.betas = nn.ParameterList()
            fan_in = 2
            for _ in range(depth):
                w, b = _stacked.linear(torch, copies, fan_in, width, gen, "he")
                self.weights.extend([w, b])
                fan_in = width
            self.head = nn.ParameterList(_stacked.linear(torch, copies, width, 3, gen, "he"))
            if norm:
                for i in range(depth):
                    self.gammas.append(nn.Parameter(torch.ones(copies, 1, width)))
                    self.betas.append(nn.Parameter(torch.zeros(copies, 1, width)))
                    self.register_buffer(f"mean{i}", torch.zeros(copies * width))
                    self.register_buffer(f"var{i}", torch.ones(copies * width))

        def forward(self, x: Any) -> Any:
            h = x
            for i in range(depth):
                h = _stacked.apply(torch, h, self.weights[2 * i], self.weights[2 * i + 1])
                if norm:
                    # Each copy's units are separate channels: statistics over the batch only.
                    batch = h.shape[1]
                    flat = F.batch_norm(
                        h.transpose(0, 1).reshape(batch, -1),
                        getattr(self, f"mean{i}"),
                        getattr(self, f"var{i}"),
                        self.gammas[i].reshape(-1),
                        self.betas[i].reshape(-1),
                        training=self.training,
                    )
                    h = flat.reshape(batch, copies, width).transpose(0, 1)
                h = torch.relu(h)
            return _stacked.apply(torch, h, self.head[0], self.head[1])

    return Stack()


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train both networks at every learning rate on the same batches; compare at lr_high."""
    import torch

    p = ctx.params
    depth, width, steps, batch = int(p["depth"]), int(p["width"]), int(p["steps"]), int(p["batch"])
    high = float(p["lr_high"])
    lrs = tuple(sorted({*LRS, high}))
    at = lrs.index(high)
    yield Progress(0, steps, message=f"{len(lrs)} learning rates × with and without batch norm")

    gen = torch.Generator().manual_seed(ctx.seed)
    x, y = spirals(torch, 2000, gen)
    x_val, y_val = spirals(torch, 1000, gen)
    nets = {k: build(torch, len(lrs), depth, width, k == "batchnorm", gen) for k in KINDS}
    # The batch-norm copies start from the same weights as the plain ones.
    with torch.no_grad():
        for a, b in zip(nets["plain"].weights, nets["batchnorm"].weights, strict=True):
            b.copy_(a)
        for a, b in zip(nets["plain"].head, nets["batchnorm"].head, strict=True):
            b.copy_(a)
    opts = {k: torch.optim.SGD(n.parameters(), lr=1.0, momentum=MOMENTUM) for k, n in nets.items()}
    rates = torch.tensor(lrs)
    loss_fn = torch.nn.functional.cross_entropy
    losses: dict[str, list[float]] = {k: [] for k in KINDS}
    xs: list[float] = []
    dead: dict[str, set[int]] = {k: set() for k in KINDS}

    def validate() -> dict[str, list[float]]:
        out = {}
        with torch.no_grad():
            for k, net in nets.items():
                net.eval()
                acc = (net(x_val).argmax(-1) == y_val).float().mean(1)
                net.train()
                out[k] = [0.0 if i in dead[k] else float(a) for i, a in enumerate(acc)]
        return out

    def frames(step: int, acc: dict[str, list[float]]) -> Iterator[Event]:
        yield Curves(
            key="sweep",
            title=f"Validation accuracy by learning rate after {step} steps",
            series={NAMES[k]: (list(lrs), acc[k]) for k in KINDS},
            x_label="learning rate",
            y_label="accuracy",
            y_min=0.0,
            y_max=1.0,
            log_x=True,
            refs=(RefLine(1 / 3, "chance"), RefLine(high, f"lr {high:g} (the plots below)", axis="x")),
        )
        yield Curves(
            key="loss",
            title=f"Training loss at lr {high:g} (ln 3 = 1.10 is chance)"
            + (" (a line ends at inf/NaN)" if any(at in d for d in dead.values()) else ""),
            series={NAMES[k]: finite(xs, losses[k]) for k in KINDS},
            y_label="cross-entropy",
            log_y=True,
        )
        for k, net in nets.items():
            net.eval()
            yield boundary_frame(
                f"regions_{k}",
                f"{NAMES[k]} at lr {high:g}: validation accuracy {acc[k][at]:.0%}",
                lambda pts, net=net: net(pts)[at].argmax(-1),
                x_val[:150],
                y_val[:150],
                lo=-2.2,
                hi=2.2,
                n=31,
            )
            net.train()

    refresh = max(1, steps // 5)
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        idx = torch.randint(0, x.shape[0], (batch,), generator=gen)
        xb, yb = x[idx], y[idx]
        for k, net in nets.items():
            logits = net(xb)
            per_copy = (
                loss_fn(logits.reshape(-1, 3), yb.repeat(len(lrs)), reduction="none")
                .view(len(lrs), -1)
                .mean(1)
            )
            ok = torch.isfinite(per_copy).tolist()
            dead[k] |= {i for i, fine in enumerate(ok) if not fine}
            value = float(per_copy[at].detach())
            losses[k].append(value if math.isfinite(value) else math.nan)
            opts[k].zero_grad()
            per_copy.nan_to_num(0.0, 0.0, 0.0).sum().backward()
            _stacked.step_each(torch, opts[k], list(net.parameters()), rates)
        xs.append(float(step))
        if step % 5 == 0 or step == steps:
            yield Progress(step, steps, {f"{k}_loss_at_lr_high": losses[k][-1] for k in KINDS})
        if step % refresh == 0 or step == steps:
            yield from frames(step, validate())

    acc = validate()
    best = {k: max(range(len(lrs)), key=lambda i, k=k: acc[k][i]) for k in KINDS}
    widest = {
        k: max((r for r, a in zip(lrs, acc[k], strict=True) if a >= LEARNED), default=0.0)
        for k in KINDS
    }
    yield Table(
        key="summary",
        title=f"Validation accuracy after {steps} SGD steps (momentum {MOMENTUM})",
        columns=["learning rate", *(NAMES[k] for k in KINDS)],
        rows=[
            [f"{r:g}" + (" ◀" if i == at else ""), *(_cell(acc[k][i], i in dead[k]) for k in KINDS)]
            for i, r in enumerate(lrs)
        ],
    )
    reached = (
        acc["batchnorm"][at] >= LEARNED
        and acc["plain"][at] < 0.6
        and acc["plain"][best["plain"]] >= LEARNED
        and widest["batchnorm"] > widest["plain"]
    )
    metrics = {
        "plain_acc_at_lr_high": acc["plain"][at],
        "batchnorm_acc_at_lr_high": acc["batchnorm"][at],
        "plain_best_acc": acc["plain"][best["plain"]],
        "plain_best_lr": lrs[best["plain"]],
        "batchnorm_best_acc": acc["batchnorm"][best["batchnorm"]],
        "plain_largest_working_lr": widest["plain"],
        "batchnorm_largest_working_lr": widest["batchnorm"],
        "plain_diverged_at_lr_high": float(at in dead["plain"]),
    }
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"At lr {high:g}: batch norm {acc['batchnorm'][at]:.0%}, plain {acc['plain'][at]:.0%}"
            f"{' (diverged)' if at in dead['plain'] else ''}. The plain network does learn at its "
            f"best rate ({lrs[best['plain']]:g}: {acc['plain'][best['plain']]:.0%}); it works up to "
            f"lr {widest['plain']:g}, batch norm up to {widest['batchnorm']:g}."
        ),
    )


def _cell(accuracy: float, diverged: bool) -> str:
    return "diverged" if diverged else f"{accuracy:.0%}"
