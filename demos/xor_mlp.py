"""Demo 2: a hidden layer with a nonlinearity learns XOR."""

from __future__ import annotations

from collections.abc import Iterator

from studydl.domain.demos import DemoContext, DemoSpec, Event, Param, Progress, Result

from ._common import Ticker, boundary_frame, loss_curves

SPEC = DemoSpec(
    id="xor-mlp",
    title="MLP: one hidden layer solves XOR",
    teaches=(
        "With a hidden layer and a nonlinear activation, the network bends its "
        "decision boundary and classifies all four XOR points correctly."
    ),
    concepts=("multilayer perceptron", "hidden layer", "nonlinearity", "XOR"),
    params=(
        Param("hidden", 8, "hidden units", min=2, max=64),
        Param("activation", "tanh", "hidden activation", choices=("tanh", "relu", "sigmoid")),
        Param("lr", 0.05, "Adam learning rate", min=0.0001, max=1.0),
        Param("steps", 1000, "most full-batch training steps", min=1, max=20000),
        Param(
            "target_loss",
            0.05,
            "stop once every point is right and the loss is below this",
            min=0.0,
            max=1.0,
        ),
    ),
    metrics=(
        ("loss", "final binary cross-entropy", "≥ 0"),
        ("accuracy", "share of the four XOR points classified right", "0..1"),
        ("steps", "training steps taken (it stops once solved)", "steps"),
    ),
)


PROGRESS_EVERY = 5
"""Steps between Progress events (by count, not time: a replay of the run is the same run)."""


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train a 2-hidden-1 MLP on the four XOR points, drawing its boundary as it learns."""
    import torch
    from torch import nn

    p = ctx.params
    steps = int(p["steps"])
    activation = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}[str(p["activation"])]
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([0.0, 1.0, 1.0, 0.0])
    model = nn.Sequential(
        nn.Linear(2, int(p["hidden"])), activation(), nn.Linear(int(p["hidden"]), 1)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=float(p["lr"]))
    loss_fn = nn.BCEWithLogitsLoss()
    ticker = Ticker(0.1)
    losses: list[float] = []
    loss_value, acc = float("nan"), 0.0

    def probability(points: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(model(points)).squeeze(1)

    def frames(step: int) -> Iterator[Event]:
        yield boundary_frame("boundary", f"Decision regions after {step} steps", probability, x, y)
        yield loss_curves("loss", "Training loss (binary cross-entropy)", {"loss": losses})

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        logits = model(x).squeeze(1)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
        losses.append(loss_value)
        acc = float(((logits > 0).float() == y).float().mean())
        done = acc == 1.0 and loss_value < float(p["target_loss"])
        if step % PROGRESS_EVERY == 0 or done or step == steps:
            yield Progress(step, steps, {"loss": loss_value, "accuracy": acc})
        if ticker.due() or done or step == steps:
            yield from frames(step)
        if done:
            break

    with torch.no_grad():
        acc = float(((model(x).squeeze(1) > 0).float() == y).float().mean())
    metrics = {"loss": loss_value, "accuracy": acc, "steps": float(len(losses))}
    yield Result(
        metrics,
        reached=acc == 1.0,
        summary=f"XOR accuracy {acc:.0%} after {len(losses)} steps (loss {loss_value:.3f}).",
    )
