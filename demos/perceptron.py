"""Demo 1: a single-layer perceptron learns AND and OR; on XOR its rule cycles forever."""

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

from ._common import boundary_frame

SPEC = DemoSpec(
    id="perceptron",
    title="Perceptron: AND, OR, and the XOR wall",
    teaches=(
        "A perceptron draws one straight line. The perceptron rule finds a line that gets AND "
        "and OR right; for XOR the best line gets 3 of the 4 points and no line gets all 4, "
        "so the rule never settles: pass after pass it moves the line through the same few "
        "positions and back, a cycle whose lines can do worse than a constant guess."
    ),
    concepts=("perceptron", "linear separability", "step function", "XOR", "perceptron cycling"),
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
        ("best_line_acc_xor", f"best XOR accuracy of any of {360 * 121:,} lines tried", "0..1"),
        ("xor_cycle_epochs", "passes after which the XOR weights repeat exactly (0: not seen)", "epochs"),
        ("xor_cycle_from_epoch", "the pass whose weights the cycle returns to", "epochs"),
        ("xor_cycle_min_acc", "lowest XOR accuracy along the cycle", "0..1"),
        ("xor_cycle_max_acc", "highest XOR accuracy along the cycle", "0..1"),
    ),
)

GATES = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0)}
SAME = 1e-9
"""Weights this close count as the same (the rule adds multiples of lr: float64 keeps them exact)."""


def best_line_accuracy(torch: Any, x: Any, target: Any) -> float:
    """The best accuracy of any line w·x + b = 0 over a grid of 360 directions and 121 offsets."""
    angles = torch.arange(360, dtype=torch.float64) * math.pi / 180
    w = torch.stack([angles.cos(), angles.sin()], dim=1)  # (360, 2)
    b = torch.linspace(-1.5, 1.5, 121, dtype=torch.float64)
    scores = (x @ w.T).unsqueeze(-1) + b  # (4, 360, 121)
    right = ((scores >= 0).double() == target.view(4, 1, 1)).double().mean(dim=0)
    return float(right.max())


def find_cycle(states: list[tuple[float, ...]]) -> tuple[int, int] | None:
    """(first epoch, period) of the first end-of-epoch state equal to an earlier one, or None."""
    for e, state in enumerate(states):
        for j in range(e):
            if max(abs(a - b) for a, b in zip(states[j], state, strict=True)) < SAME:
                return j + 1, e - j
    return None


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train one perceptron per gate with the perceptron rule; on XOR, find and show its cycle."""
    import torch

    epochs = int(ctx.params["epochs"])
    lr = float(ctx.params["lr"])
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    rows: list[list[object]] = []
    metrics: dict[str, float] = {}
    total = epochs * len(GATES)
    step = 0
    updates: list[float] = []  # XOR accuracy after each update
    weights: list[tuple[float, float, float]] = []  # XOR (w1, w2, b) after each update
    guesses: list[int] = []  # XOR: the rule's output on the point it saw, before its update

    for gate, labels in GATES.items():
        target = torch.tensor(labels, dtype=torch.float64)
        w = (torch.randn(2) * 0.1).double()
        b = torch.zeros((), dtype=torch.float64)
        converged_at: int | None = None
        best = 0.0
        epoch_states: list[tuple[float, ...]] = []
        for epoch in range(1, epochs + 1):
            if ctx.should_stop():
                return
            errors = 0
            for xi, ti in zip(x, target, strict=True):
                yi = (xi @ w + b >= 0).double()
                w = w + lr * (ti - yi) * xi
                b = b + lr * (ti - yi)
                errors += int(yi != ti)
                acc = float(((x @ w + b >= 0).double() == target).double().mean())
                best = max(best, acc)  # the best any line along the way managed
                if gate == "XOR":
                    updates.append(acc)
                    weights.append((float(w[0]), float(w[1]), float(b)))
                    guesses.append(int(yi))
            epoch_states.append((float(w[0]), float(w[1]), float(b)))
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
            lambda p, w=w, b=b: (p @ w.float() + b.float() >= 0).float(),
            x.float(),
            target.float(),
        )
    xor_target = torch.tensor(GATES["XOR"], dtype=torch.float64)
    metrics["best_line_acc_xor"] = best_line_accuracy(torch, x, xor_target)
    cycle = find_cycle(epoch_states)  # the XOR run's, the last gate trained
    start, period = cycle if cycle else (0, 0)
    along = updates[start * 4 :] if cycle else updates
    metrics |= {
        "xor_cycle_epochs": float(period),
        "xor_cycle_from_epoch": float(start),
        "xor_cycle_min_acc": min(along),
        "xor_cycle_max_acc": max(along),
    }
    yield from _xor_frames(updates, weights, metrics["best_line_acc_xor"], start, period)
    if period:
        yield _cycle_table(weights, guesses, updates, start, period)
    yield Table(
        key="gates",
        title="One straight line per gate",
        columns=["gate", "final acc", "best acc", "converged at epoch", "w1", "w2", "b"],
        rows=list(rows),
    )

    reached = (
        metrics["acc_and"] == 1.0
        and metrics["acc_or"] == 1.0
        and metrics["best_line_acc_xor"] == 0.75
        and metrics["best_acc_xor"] <= 0.75
        and period > 0
    )
    loop = (
        f"the rule's weights repeat every {'pass' if period == 1 else f'{period} passes'} from "
        f"pass {start} on: a cycle whose lines get {metrics['xor_cycle_min_acc']:.0%} to "
        f"{metrics['xor_cycle_max_acc']:.0%} of XOR right"
        if period
        else f"no cycle seen within {epochs} passes"
    )
    yield Result(
        metrics,
        reached,
        summary=(
            f"AND {metrics['acc_and']:.0%}, OR {metrics['acc_or']:.0%}. On XOR the best of "
            f"{360 * 121:,} lines gets {metrics['best_line_acc_xor']:.0%}, and {loop}."
        ),
    )


def _xor_frames(
    updates: list[float], weights: list[tuple[float, float, float]], best_line: float, start: int, period: int
) -> Iterator[Event]:
    """XOR accuracy and weights after every update over the first passes: the same loop again and again."""
    shown = min(len(updates), 4 * max(8, start + 3 * period))
    xs = [float(k + 1) for k in range(shown)]
    loop = f"from pass {start} they repeat every {4 * period} updates" if period else "no repeat seen"
    yield Curves(
        key="xor-accuracy",
        title=f"XOR: accuracy after each update of the perceptron rule, first {shown // 4} passes",
        series={"XOR accuracy": (xs, updates[:shown])},
        x_label="update (4 per pass)",
        y_label="accuracy",
        y_min=0.0,
        y_max=1.0,
        refs=(RefLine(best_line, f"the best line: {best_line:.0%}"), RefLine(0.5, "a constant guess")),
    )
    yield Curves(
        key="xor-weights",
        title=f"XOR weights after each update: {loop}",
        series={
            name: (xs, [state[i] for state in weights[:shown]])
            for i, name in enumerate(("w1", "w2", "b"))
        },
        x_label="update (4 per pass)",
        y_label="weight",
    )


def _cycle_table(
    weights: list[tuple[float, float, float]], guesses: list[int], updates: list[float], start: int, period: int
) -> Table:
    """One turn of the XOR cycle, update by update, ending where it began."""
    points = list(zip(((0, 0), (0, 1), (1, 0), (1, 1)), GATES["XOR"], strict=True))
    first = 4 * start  # index of the first update after pass `start`
    rows: list[list[object]] = [
        [f"pass {start}", "", "", "", *_rounded(weights[first - 1]), f"{updates[first - 1]:.0%}"]
    ]
    for k in range(first, first + 4 * period):
        (x1, x2), t = points[k % 4]
        rows.append(
            [f"update {k + 1}", f"({x1},{x2})", t, guesses[k], *_rounded(weights[k]), f"{updates[k]:.0%}"]
        )
    return Table(
        key="xor-cycle",
        title=f"XOR: one turn of the cycle, back where it began after {4 * period} updates",
        columns=["when", "point", "target", "rule said", "w1", "w2", "b", "XOR acc"],
        rows=rows,
    )


def _rounded(state: tuple[float, float, float]) -> list[str]:
    return [f"{v:.3f}" for v in state]
