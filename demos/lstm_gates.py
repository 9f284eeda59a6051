"""LSTM gates: watch the forget gate hold a marked value across distractors until recall."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Heatmap,
    Param,
    Progress,
    Result,
)

SPEC = DemoSpec(
    id="lstm-gates",
    title="LSTM gates: remember a marked value",
    teaches=(
        "To carry a value across many steps, the LSTM learns to open its input gate at the "
        "mark and to raise its forget gate from about 0.73 at initialization to near 1, so "
        "the cell state holds the value until recall (trained until it recalls the value "
        "almost exactly: test error below 0.003)."
    ),
    concepts=(
        "LSTM",
        "forget gate",
        "input gate",
        "output gate",
        "cell state",
        "forget-gate bias",
    ),
    params=(
        Param("length", 12, "time steps per sequence", min=6, max=60),
        Param("hidden", 2, "LSTM units (two are enough, and easy to read)", min=1, max=128),
        Param("steps", 600, "most Adam steps (stops early at the target)", min=1, max=20000),
        Param("batch", 128, "sequences per step", min=8, max=2048),
        Param(
            "forget_bias",
            1.0,
            "initial forget-gate bias (1, the usual init: the gate starts at σ(1) = 0.73)",
            min=-5.0,
            max=10.0,
        ),
        Param("lr", 3e-2, "Adam learning rate", min=1e-5, max=0.1),
        Param(
            "target_mse",
            0.003,
            "stop once the test recall MSE is below this (at 0.01 some seeds have not yet "
            "sharpened the input gate)",
            min=0.0,
            max=1.0,
        ),
    ),
    metrics=(
        ("test_mse", "test error recalling the marked value", "≥ 0"),
        ("steps", "training steps", "steps"),
        ("hand_vs_torch_diff", "largest gap between a hand-written LSTM step and torch's", "≥ 0"),
        ("memory_unit", "index of the cell unit that holds the value", "index"),
        ("memory_corr", "correlation of that unit's cell state with the value", "0..1"),
        ("forget_hold", "mean forget gate of the memory unit while holding", "0..1"),
        ("forget_hold_min_mean", "lowest forget gate while holding, averaged over sequences", "0..1"),
        ("input_mark", "mean input gate of the memory unit at the marked step", "0..1"),
        ("input_hold", "mean input gate of the memory unit while holding", "0..1"),
        ("forget_hold_before", "forget_hold before training", "0..1"),
        ("forget_hold_min_mean_before", "forget_hold_min_mean before training", "0..1"),
        ("input_mark_before", "input_mark before training", "0..1"),
        ("input_hold_before", "input_hold before training", "0..1"),
    ),
)

TARGET_MSE = 0.05
"""Predicting 0 every time scores 1/3 (values are uniform on [-1, 1])."""


def make_batch(count: int, length: int, gen: Any) -> tuple[Any, Any, Any, Any]:
    """Inputs (count, length, 3) = [value, mark, recall], targets, mark and recall times."""
    import torch

    values = torch.rand(count, length, generator=gen) * 2 - 1  # a distractor at every step
    quarter = max(1, length // 4)
    mark = torch.randint(0, quarter, (count,), generator=gen)
    recall = torch.randint(length - quarter, length, (count,), generator=gen)
    rows = torch.arange(count)
    flags = torch.zeros(count, length, 2)
    flags[rows, mark, 0] = 1.0
    flags[rows, recall, 1] = 1.0
    x = torch.cat([values.unsqueeze(2), flags], dim=2)
    return x, values[rows, mark], mark, recall


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train an LSTM on the recall task, then recompute its gates by hand from its weights."""
    import torch
    from torch import nn

    p = ctx.params
    length = int(p["length"])
    hidden = int(p["hidden"])
    steps = int(p["steps"])
    batch = int(p["batch"])

    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    lstm = nn.LSTM(3, hidden, batch_first=True)
    with torch.no_grad():  # the forget gate is the second of PyTorch's i, f, g, o chunks
        lstm.bias_ih_l0[hidden : 2 * hidden].fill_(float(p["forget_bias"]))
        lstm.bias_hh_l0[hidden : 2 * hidden].zero_()
    readout = nn.Linear(hidden, 1)
    params = [*lstm.parameters(), *readout.parameters()]
    optimizer = torch.optim.Adam(params, lr=float(p["lr"]))
    test_x, test_y, test_mark, test_recall = make_batch(512, length, gen)
    yield Progress(0, steps, {}, "remember the value at the mark, say it at the recall cue")
    gates_before = _gates_by_hand(lstm, test_x)
    yield from _gate_frames(gates_before, test_x, int(test_mark[0]), int(test_recall[0]), 0, "before training", "_before")

    def predict(x: torch.Tensor, recall: torch.Tensor) -> torch.Tensor:
        out, _ = lstm(x)
        return readout(out[torch.arange(x.shape[0]), recall]).squeeze(1)

    xs: list[float] = []
    losses: list[float] = []
    test_losses: list[float] = []
    refresh = max(1, steps // 60)
    refresh_frames = max(1, steps // 6)
    test_mse = float((test_y**2).mean())
    step = 0
    while step < steps:
        if ctx.should_stop():
            return
        step += 1
        x, y, _, recall = make_batch(batch, length, gen)
        loss = ((predict(x, recall) - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % refresh == 0 or step == steps:
            with torch.no_grad():
                test_mse = float(((predict(test_x, test_recall) - test_y) ** 2).mean())
            xs.append(float(step))
            losses.append(loss.item())
            test_losses.append(test_mse)
            yield Progress(step, steps, {"loss": losses[-1], "test_mse": test_mse})
            done = test_mse < float(p["target_mse"])
            if step % refresh_frames == 0 or done or step == steps:
                yield Curves(
                    "loss",
                    "Recall error (MSE; always answering 0 scores 0.33)",
                    series={
                        "train": (list(xs), list(losses)),
                        "test": (list(xs), list(test_losses)),
                    },
                    y_label="MSE",
                    log_y=True,
                )
            if done:
                break

    gates = _gates_by_hand(lstm, test_x)
    with torch.no_grad():
        torch_h, _ = lstm(test_x)
    hand_diff = float((gates["h"] - torch_h).abs().max())
    stats = _memory_stats(gates, test_y, test_mark, test_recall)
    unit = int(stats["memory_unit"])
    before = _phase_means(gates_before, unit, test_mark, test_recall)
    yield from _gate_frames(gates, test_x, int(test_mark[0]), int(test_recall[0]), unit, f"after {step} steps")

    reached = (
        test_mse < TARGET_MSE
        and stats["forget_hold"] > 0.9
        and stats["forget_hold"] > before["forget_hold"] + 0.15
        and stats["input_mark"] > stats["input_hold"]
    )
    yield Result(
        {
            "test_mse": test_mse,
            "steps": float(step),
            "hand_vs_torch_diff": hand_diff,
            **stats,
            **{f"{k}_before": v for k, v in before.items()},
        },
        reached=reached,
        summary=(
            f"Recall MSE {test_mse:.4f} after {step} steps. Unit {unit} carries the value: its "
            f"forget gate, {before['forget_hold']:.2f} at initialization, learned to stay at "
            f"{stats['forget_hold']:.2f} while holding it; its input gate is "
            f"{stats['input_mark']:.2f} at the mark vs {stats['input_hold']:.2f} after."
        ),
    )


def _gates_by_hand(lstm: Any, x: Any) -> dict[str, Any]:
    """Re-run the LSTM step by step from its weights; PyTorch stacks the gates as i, f, g, o."""
    import torch

    w_ih, w_hh = lstm.weight_ih_l0, lstm.weight_hh_l0
    bias = lstm.bias_ih_l0 + lstm.bias_hh_l0
    count, length, _ = x.shape
    units = lstm.hidden_size
    h = torch.zeros(count, units)
    c = torch.zeros(count, units)
    names = ("i", "f", "g", "o", "c", "h")
    out: dict[str, list[Any]] = {name: [] for name in names}
    with torch.no_grad():
        for t in range(length):
            pre = x[:, t] @ w_ih.T + h @ w_hh.T + bias
            i, f, g, o = pre.chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            for name, value in zip(names, (i, f, g, o, c, h), strict=True):
                out[name].append(value)
    return {name: torch.stack(values, dim=1) for name, values in out.items()}  # (count, T, units)


def _memory_stats(gates: dict[str, Any], value: Any, mark: Any, recall: Any) -> dict[str, float]:
    """Find the unit whose cell state tracks the marked value; average its gates per phase."""
    import torch

    count, length, units = gates["c"].shape
    rows = torch.arange(count)
    held = gates["c"][rows, recall - 1]  # the cell just before the recall cue
    centred = held - held.mean(0)
    v = value - value.mean()
    corr = (centred * v.unsqueeze(1)).sum(0) / (centred.norm(dim=0) * v.norm() + 1e-12)
    unit = int(corr.abs().argmax())

    return {
        "memory_unit": float(unit),
        "memory_corr": float(corr[unit].abs()),
        **_phase_means(gates, unit, mark, recall),
    }


def _phase_means(gates: dict[str, Any], unit: int, mark: Any, recall: Any) -> dict[str, float]:
    """One unit's forget and input gates averaged at the mark and while holding (after it)."""
    import torch

    count, length, _ = gates["c"].shape
    rows = torch.arange(count)
    t = torch.arange(length).unsqueeze(0)
    hold = (t > mark.unsqueeze(1)) & (t < recall.unsqueeze(1))  # strictly between mark and recall
    f_u, i_u = gates["f"][:, :, unit], gates["i"][:, :, unit]
    return {
        "forget_hold": float(f_u[hold].mean()),
        "forget_hold_min_mean": float(f_u.masked_fill(~hold, 2.0).min(dim=1).values.mean()),
        "input_mark": float(i_u[rows, mark].mean()),
        "input_hold": float(i_u[hold].mean()),
    }


def _gate_frames(
    gates: dict[str, Any], x: Any, mark: int, recall: int, unit: int, when: str, suffix: str = ""
) -> Iterator[Heatmap]:
    """Heatmaps of one test sequence: the memory unit's gates, and every unit's forget gate."""
    length = x.shape[1]
    cols = ["M" if t == mark else "R" if t == recall else str(t) for t in range(length)]

    def series(name: str) -> list[float]:
        return [round(v, 3) for v in gates[name][0, :, unit].tolist()]

    yield Heatmap(
        f"memory{suffix}",
        f"Unit {unit} {when}: input x, gates i, f, o (0..1), cell c; M = mark, R = recall",
        values=[
            [round(v, 3) for v in x[0, :, 0].tolist()],
            series("i"),
            series("f"),
            series("o"),
            series("c"),
        ],
        row_labels=["value x", "input i", "forget f", "output o", "cell c"],
        col_labels=cols,
        v_min=-1.0,  # one scale for before and after (and for values, gates and cell alike)
        v_max=1.0,
    )
    units = gates["f"].shape[2]
    if units == 1:
        return
    for name, label in (("f", "Forget"), ("i", "Input"), ("o", "Output")):
        yield Heatmap(
            f"gate_{name}{suffix}",
            f"{label} gate of every unit {when} (unit {unit} holds the value)",
            values=[[round(v, 3) for v in row] for row in gates[name][0].T.tolist()],
            row_labels=[f"unit {u}" + (" *" if u == unit else "") for u in range(units)],
            col_labels=cols,
            v_min=0.0,  # a gate's whole range: before and after training read alike
            v_max=1.0,
        )
