"""Transfer learning: a new task from 100 examples, from scratch, fine-tuned, or on frozen features."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Boundary,
    DemoContext,
    DemoSpec,
    Event,
    Param,
    Progress,
    Result,
    Table,
)

from ._common import grid_points
from ._stacked import forward, linear, step_each

METHODS = ("scratch", "finetune", "features")
LABELS = {"scratch": "from scratch", "finetune": "fine-tuned", "features": "feature extraction"}
RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
"""Adam rates every method tries; each is shown at its best on the validation set."""

SPEC = DemoSpec(
    id="fine-tuning",
    title="Transfer learning: fine-tuning and feature extraction",
    teaches=(
        "A network trained on a big related task has learned features a new task can reuse: "
        "from 100 examples, fine-tuning it or training only a new head on its frozen features "
        "both beat the same network trained from scratch, each at its best learning rate on the "
        "same data. With so few examples, keeping the features frozen does best of all."
    ),
    concepts=("transfer learning", "fine-tuning", "feature extraction", "pretraining", "small data"),
    params=(
        Param("examples", 100, "labelled examples of the new task", min=20, max=2000),
        Param("steps", 150, "full-batch Adam steps on the new task, for every method", min=10, max=2000),
        Param("pretrain_steps", 300, "Adam steps on the source task (4000 examples)", min=10, max=5000),
        Param("wiggle", 8.0, "how wiggly the 64 inputs are in the hidden point (harder to learn)", min=1.0, max=20.0),
    ),
    budget_s=30.0,
    metrics=(
        *((f"{m}_accuracy", f"test accuracy on the new task: {LABELS[m]}", "0..1") for m in METHODS),
        *((f"{m}_lr", f"the learning rate chosen on validation: {LABELS[m]}", "lr") for m in METHODS),
        ("source_accuracy", "the pretrained network's test accuracy on its own task", "0..1"),
        ("transfer_gain", "the worse transfer method's accuracy minus scratch's", "accuracy"),
    ),
)

INPUTS, HIDDEN = 64, 64
SOURCE_CLASSES, TARGET_CLASSES = 8, 4
SOURCE_SIZE, VALIDATION, TEST = 4000, 300, 2000


def sectors(torch: Any, z: Any, classes: int, offset: float) -> Any:
    """Which of `classes` equal angular sectors, turned by `offset` of a sector, each point is in."""
    angle = torch.atan2(z[:, 1], z[:, 0]) / (2 * math.pi) * classes + offset
    return angle.floor().long() % classes


class Tasks:
    """Hidden points z in [-1, 1]², seen only as x = sin(z·W + b): 64 wiggly readings."""

    def __init__(self, torch: Any, wiggle: float, gen: Any) -> None:
        self.torch = torch
        self.gen = gen
        self.w = torch.randn(2, INPUTS, generator=gen) * wiggle
        self.b = torch.rand(INPUTS, generator=gen) * 2 * math.pi

    def inputs(self, z: Any) -> Any:
        return self.torch.sin(z @ self.w + self.b)

    def draw(self, n: int, target: bool) -> tuple[Any, Any, Any]:
        """(z, x, label): the source task's 8 sectors, or the new task's 4 sectors turned by half."""
        z = self.torch.rand(n, 2, generator=self.gen) * 2 - 1
        label = sectors(self.torch, z, TARGET_CLASSES, 0.5) if target else sectors(self.torch, z, SOURCE_CLASSES, 0.0)
        return z, self.inputs(z), label


def pretrain(torch: Any, x: Any, y: Any, steps: int, gen: Any) -> list[tuple[Any, Any]]:
    """The source network (64 -> 64 -> 64 -> 8) trained on the source task's examples."""
    layers = [linear(torch, 1, INPUTS, HIDDEN, gen, "he"), linear(torch, 1, HIDDEN, HIDDEN, gen, "he")]
    layers.append(linear(torch, 1, HIDDEN, SOURCE_CLASSES, gen, "default"))
    optimizer = torch.optim.Adam([t for layer in layers for t in layer], lr=3e-3)
    for _ in range(steps):
        i = torch.randint(0, SOURCE_SIZE, (64,), generator=gen)
        loss = torch.nn.functional.cross_entropy(forward(torch, layers, x[i], torch.relu)[0], y[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return layers


def run(ctx: DemoContext) -> Iterator[Event]:
    """Pretrain once, then train 3 methods × 6 rates on the new task's few examples, side by side."""
    import torch

    p = ctx.params
    examples, steps = int(p["examples"]), int(p["steps"])
    gen = torch.Generator().manual_seed(ctx.seed)
    tasks = Tasks(torch, float(p["wiggle"]), gen)
    z_pre, x_pre, y_pre = tasks.draw(SOURCE_SIZE, target=False)
    yield Progress(0, steps, message="pretraining on the source task: 8 sectors, 4000 examples")
    yield _regions(
        torch, "source", f"The source task: which of 8 sectors a hidden point is in (200 of its {SOURCE_SIZE} examples)",
        lambda pts: sectors(torch, pts, SOURCE_CLASSES, 0.0), z_pre[:200], y_pre[:200],
    )
    source = pretrain(torch, x_pre, y_pre, int(p["pretrain_steps"]), gen)
    z_src, x_src, y_src = tasks.draw(TEST, target=False)
    with torch.no_grad():
        source_acc = float((forward(torch, source, x_src, torch.relu)[0].argmax(1) == y_src).float().mean())
    if ctx.should_stop():
        return

    z, x, y = tasks.draw(examples, target=True)
    _, x_val, y_val = tasks.draw(VALIDATION, target=True)
    _, x_test, y_test = tasks.draw(TEST, target=True)
    per = len(RATES)
    copies = len(METHODS) * per
    body = [linear(torch, copies, INPUTS, HIDDEN, gen, "he"), linear(torch, copies, HIDDEN, HIDDEN, gen, "he")]
    with torch.no_grad():  # copies per..end start from the pretrained body, the first `per` from scratch
        for (w, b), (w0, b0) in zip(body, source[:2], strict=True):
            w[per:] = w0[0]
            b[per:] = b0[0]
    layers = [*body, linear(torch, copies, HIDDEN, TARGET_CLASSES, gen, "default")]
    params = [t for layer in layers for t in layer]
    optimizer = torch.optim.Adam(params, lr=1.0)
    rates = torch.tensor(RATES * len(METHODS))
    frozen = torch.arange(copies) >= 2 * per  # feature extraction: the body never moves
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        logits = forward(torch, layers, x, torch.relu)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, TARGET_CLASSES), y.repeat(copies), reduction="sum")
        optimizer.zero_grad()
        (loss / examples).backward()
        for w, b in body:
            w.grad[frozen] = 0  # Adam's moments stay 0 there, so its update is exactly 0
            b.grad[frozen] = 0
        step_each(torch, optimizer, params, rates)  # each copy's Adam step at its own rate
        if step % 10 == 0 or step == steps:
            yield Progress(step, steps, {"loss": loss.item() / examples / copies})

    with torch.no_grad():
        val = (forward(torch, layers, x_val, torch.relu).argmax(-1) == y_val).float().mean(1)
        test = (forward(torch, layers, x_test, torch.relu).argmax(-1) == y_test).float().mean(1)
    chosen = {m: i * per + int(val[i * per : (i + 1) * per].argmax()) for i, m in enumerate(METHODS)}
    accuracy = {m: float(test[chosen[m]]) for m in METHODS}
    lr = {m: RATES[chosen[m] % per] for m in METHODS}

    for m in METHODS:
        copy = chosen[m]
        yield _regions(
            torch, f"regions_{m}", f"{LABELS[m]} (lr {lr[m]:g}): {accuracy[m]:.0%} on test",
            lambda pts, copy=copy: forward(
                torch, [(w[copy : copy + 1], b[copy : copy + 1]) for w, b in layers], tasks.inputs(pts), torch.relu
            )[0].argmax(1),
            z, y,
        )
    yield Table(
        key="methods",
        title=f"The new task from {examples} examples: test accuracy by learning rate (the best on validation is used)",
        columns=["method", *(f"{r:g}" for r in RATES)],
        rows=[[LABELS[m], *(f"{float(test[i * per + j]):.0%}" for j in range(per))] for i, m in enumerate(METHODS)],
    )
    gain = min(accuracy["finetune"], accuracy["features"]) - accuracy["scratch"]
    metrics = {f"{m}_accuracy": accuracy[m] for m in METHODS} | {f"{m}_lr": lr[m] for m in METHODS}
    metrics |= {"source_accuracy": source_acc, "transfer_gain": gain}
    yield Result(
        metrics,
        reached=gain >= 0.05 and source_acc >= 0.9,
        summary=(
            f"On the new task from {examples} examples: from scratch {accuracy['scratch']:.0%}, fine-tuned "
            f"{accuracy['finetune']:.0%}, feature extraction {accuracy['features']:.0%} (each at its best rate; "
            f"the pretrained network scores {source_acc:.0%} on its own task)."
        ),
    )


def _regions(torch: Any, key: str, title: str, predict: Any, z: Any, y: Any) -> Boundary:
    """Decision regions over the hidden plane, with the new task's training points."""
    xs, ys, points = grid_points(-1.0, 1.0, 25)
    with torch.no_grad():
        grid = predict(points).reshape(25, 25).float().tolist()
    labelled = [(float(a), float(b), int(c)) for (a, b), c in zip(z.tolist(), y.tolist(), strict=True)]
    return Boundary(key=key, title=title, xs=xs, ys=ys, grid=grid, points=labelled)
