"""Demo 1: a single-layer perceptron learns AND and OR but never XOR."""

from __future__ import annotations

from collections.abc import Iterator

from studydl.domain.demos import DemoContext, DemoSpec, Event, Param, Progress, Result, Table

from ._common import boundary_frame

SPEC = DemoSpec(
    id="perceptron",
    title="Perceptron: AND, OR, and the XOR wall",
    teaches=(
        "A perceptron draws one straight line, so it learns AND and OR perfectly "
        "but can never get more than 3 of the 4 XOR points right."
    ),
    concepts=("perceptron", "linear separability", "step function", "XOR"),
    params=(
        Param("epochs", 25, "passes over the four points per gate", min=1, max=1000),
        Param("lr", 0.1, "learning rate of the perceptron rule", min=0.001, max=10.0),
    ),
    metrics=(
        *(
            (f"{prefix}acc_{gate}", f"{what} on {gate.upper()}", "0..1")
            for gate in ("and", "or", "xor")
            for prefix, what in (("", "final accuracy"), ("best_", "best accuracy during training"))
        ),
    ),
)

GATES = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0)}


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train one perceptron per gate with the perceptron rule and compare accuracies."""
    import torch

    epochs = int(ctx.params["epochs"])
    lr = float(ctx.params["lr"])
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    rows: list[list[object]] = []
    metrics: dict[str, float] = {}
    total = epochs * len(GATES)
    step = 0

    for gate, labels in GATES.items():
        target = torch.tensor(labels, dtype=torch.float32)
        w = torch.randn(2) * 0.1
        b = torch.zeros(())
        converged_at: int | None = None
        best = 0.0
        for epoch in range(1, epochs + 1):
            if ctx.should_stop():
                return
            errors = 0
            for xi, ti in zip(x, target, strict=True):
                yi = (xi @ w + b >= 0).float()
                w = w + lr * (ti - yi) * xi
                b = b + lr * (ti - yi)
                errors += int(yi != ti)
                acc = float(((x @ w + b >= 0).float() == target).float().mean())
                best = max(best, acc)  # the best any line along the way managed
            step += 1
            if errors == 0 and converged_at is None:
                converged_at = epoch
            yield Progress(step, total, {f"acc_{gate.lower()}": acc}, f"{gate} epoch {epoch}")
        metrics[f"acc_{gate.lower()}"] = acc
        metrics[f"best_acc_{gate.lower()}"] = best
        rows.append(
            [
                gate,
                f"{acc:.0%}",
                f"{best:.0%}",
                converged_at or "never",
                *(round(float(v), 3) for v in (*w, b)),
            ]
        )
        yield boundary_frame(
            f"boundary-{gate.lower()}",
            f"{gate}: {acc:.0%} with the line {float(w[0]):.2f}·x1 + {float(w[1]):.2f}·x2 + {float(b):.2f} = 0",
            lambda p, w=w, b=b: (p @ w + b >= 0).float(),
            x,
            target,
        )
    yield Table(
        key="gates",
        title="One straight line per gate",
        columns=["gate", "final acc", "best acc", "converged at epoch", "w1", "w2", "b"],
        rows=list(rows),
    )

    reached = (
        metrics["acc_and"] == 1.0 and metrics["acc_or"] == 1.0 and metrics["best_acc_xor"] <= 0.75
    )
    yield Result(
        metrics,
        reached,
        summary=(
            f"AND {metrics['acc_and']:.0%}, OR {metrics['acc_or']:.0%}, "
            f"XOR at best {metrics['best_acc_xor']:.0%}: no single line separates XOR."
        ),
    )
