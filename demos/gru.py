"""GRU beside the vanilla RNN and the LSTM: carry a marked value across 20 noisy steps."""

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
    RefLine,
    Result,
    Table,
)

from ._recurrent import reader

SPEC = DemoSpec(
    id="gru",
    title="GRU beside the RNN and the LSTM",
    teaches=(
        "A value marked near the start must survive 15+ steps of noise. The GRU's update "
        "gate learns to copy its state forward (z ≈ 1) except at the mark, so the GRU "
        "solves the task, like the LSTM, with two gates instead of three and a quarter fewer "
        "weights; the vanilla RNN, trained longer, stays at the error of guessing 0."
    ),
    concepts=("GRU", "update gate", "reset gate", "LSTM", "RNN", "long-range dependencies"),
    params=(
        Param("length", 20, "time steps per sequence", min=6, max=60),
        Param("hidden", 32, "units in each recurrent network", min=4, max=128),
        Param(
            "steps",
            250,
            "Adam steps for the RNN; the GRU and LSTM stop once solved",
            min=10,
            max=3000,
        ),
        Param("batch", 128, "sequences per step", min=8, max=1024),
        Param("lr_rnn", 0.01, "RNN learning rate (best of 0.003-0.1 for it)", min=1e-4, max=0.3),
        Param("lr_gru", 0.1, "GRU learning rate (best of 0.01-0.1 for it)", min=1e-4, max=0.3),
        Param("lr_lstm", 0.01, "LSTM learning rate (best of 0.01-0.1 for it)", min=1e-4, max=0.3),
        Param(
            "target", 0.01, "a network has solved the task below this test MSE", min=0.0, max=0.3
        ),
    ),
    budget_s=20.0,
    metrics=(
        *(
            (f"{net}_{name}", f"{what}: {label}", unit)
            for net, label in (("rnn", "RNN"), ("gru", "GRU"), ("lstm", "LSTM"))
            for name, what, unit in (
                ("test_mse", "test error carrying the marked value", "≥ 0"),
                ("steps", "training steps", "steps"),
                ("params", "parameters", "count"),
            )
        ),
        ("baseline_mse", "error of always predicting the mean", "≥ 0"),
        ("gru_update_gate_while_holding", "GRU update gate (share of the old state kept) while holding the value", "0..1"),
        ("gru_hand_vs_torch_diff", "largest gap between a hand-written GRU step and torch's", "≥ 0"),
    ),
)

KINDS = ("rnn", "gru", "lstm")
NAMES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}
BASELINE = 1 / 3
"""MSE of always answering 0: the variance of a value uniform on [-1, 1]."""
MARK_WITHIN = 5
"""The marked step is one of the first MARK_WITHIN steps."""
CLIP = 1.0
"""Gradient-norm clipping, the same for all three networks."""
EVAL_EVERY = 10


def make_batch(torch: Any, n: int, length: int, gen: Any) -> tuple[Any, Any, Any]:
    """Inputs (n, length, 2) = (value, mark); target the marked value; and the mark positions."""
    values = torch.rand(n, length, generator=gen) * 2 - 1
    mark = torch.randint(0, MARK_WITHIN, (n,), generator=gen)
    flags = torch.zeros(n, length)
    rows = torch.arange(n)
    flags[rows, mark] = 1.0
    return torch.stack([values, flags], 2), values[rows, mark].unsqueeze(1), mark


def build(torch: Any, kind: str, hidden: int) -> Any:
    """A one-layer recurrent network and a linear read-out of its last hidden state."""
    return reader(torch, kind, hidden)


def gru_gates(gru: Any, x: Any) -> dict[str, Any]:
    """Re-run a torch GRU step by step from its weights: r, z, n and h, each (batch, T, units).

    torch stacks the gates as r, z, n:  r = σ(W_ir x + b_ir + W_hr h + b_hr),
    z = σ(W_iz x + b_iz + W_hz h + b_hz),  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h' = (1 − z) ⊙ n + z ⊙ h.
    """
    import torch

    w_ih, w_hh, b_ih, b_hh = gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0
    h = torch.zeros(x.shape[0], gru.hidden_size)
    out: dict[str, list[Any]] = {"r": [], "z": [], "n": [], "h": []}
    with torch.no_grad():
        for t in range(x.shape[1]):
            xi = (x[:, t] @ w_ih.T + b_ih).chunk(3, 1)
            hh = (h @ w_hh.T + b_hh).chunk(3, 1)
            r = torch.sigmoid(xi[0] + hh[0])
            z = torch.sigmoid(xi[1] + hh[1])
            n = torch.tanh(xi[2] + r * hh[2])
            h = (1 - z) * n + z * h
            for name, value in zip("rznh", (r, z, n, h), strict=True):
                out[name].append(value)
    return {name: torch.stack(values, 1) for name, values in out.items()}


def _update_gate_maps(before: Any, after: Any, units: list[int], mark: int) -> Iterator[Heatmap]:
    """The update gate of chosen units at every step of one sequence, before and after training.

    Both maps share the fixed scale 0..1 (the gate's whole range), so a colour means the same
    z in each: z = 1 keeps the old state, z = 0 takes the new one.
    """
    cols = ["*" if t == mark else str(t % 10) for t in range(before.shape[0])]
    for key, z, when in (("update_gate_before", before, "before"), ("update_gate", after, "after")):
        yield Heatmap(
            key=key,
            title=f"GRU update gate z per step (* = the mark), {when} training",
            values=[[round(float(v), 3) for v in z[:, u]] for u in units],
            row_labels=[f"unit {u}" for u in units],
            col_labels=cols,
            v_min=0.0,
            v_max=1.0,
        )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train the three networks on the same batches; the gated ones stop once solved."""
    import torch

    p = ctx.params
    length, hidden, steps, batch = (
        int(p["length"]),
        int(p["hidden"]),
        int(p["steps"]),
        int(p["batch"]),
    )
    target = float(p["target"])
    yield Progress(0, steps, message=f"RNN, GRU and LSTM with {hidden} units each")

    gen = torch.Generator().manual_seed(ctx.seed)
    x_test, y_test, mark_test = make_batch(torch, 512, length, gen)
    nets = {k: build(torch, k, hidden) for k in KINDS}
    opts = {
        k: torch.optim.Adam(net.parameters(), lr=float(p[f"lr_{k}"])) for k, net in nets.items()
    }
    n_params = {k: sum(t.numel() for t in net.parameters()) for k, net in nets.items()}
    example = x_test[:1]
    z_before = gru_gates(nets["gru"].rnn, example)["z"][0]

    def test_mse(kind: str) -> float:
        with torch.no_grad():
            return float(((nets[kind](x_test) - y_test) ** 2).mean())

    history: dict[str, tuple[list[float], list[float]]] = {k: ([0.0], [test_mse(k)]) for k in KINDS}

    def curves() -> Curves:
        return Curves(
            key="test_mse",
            title=f"Test MSE on 512 held-out sequences of length {length} (guessing 0: 0.333)",
            series={NAMES[k]: (list(xs), list(ys)) for k, (xs, ys) in history.items()},
            y_label="MSE",
            log_y=True,
            refs=(RefLine(BASELINE, "guessing 0"),),
        )

    yield curves()  # the starting point at once, before the first steps
    solved_at: dict[str, int] = {}
    step = 0
    while step < steps:
        if ctx.should_stop():
            return
        step += 1
        x, y, _ = make_batch(torch, batch, length, gen)
        for kind, net in nets.items():
            if kind in solved_at:
                continue
            loss = ((net(x) - y) ** 2).mean()
            opts[kind].zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), CLIP)
            opts[kind].step()
        if step % EVAL_EVERY and step != steps:
            continue
        for kind in KINDS:
            if kind in solved_at:
                continue
            mse = test_mse(kind)
            history[kind][0].append(float(step))
            history[kind][1].append(mse)
            if mse < target:
                solved_at[kind] = step
        yield Progress(step, steps, {f"{k}_test_mse": history[k][1][-1] for k in KINDS})
        yield curves()
        if "rnn" in solved_at:
            break

    gates = gru_gates(nets["gru"].rnn, x_test)
    with torch.no_grad():
        torch_h, _ = nets["gru"].rnn(x_test)
    hand_diff = float((gates["h"] - torch_h).abs().max())
    # The units the read-out listens to most carry the value; show their update gates.
    weight = nets["gru"].out.weight.detach().abs()[0]
    units = [int(u) for u in weight.argsort(descending=True)[:6]]
    mark = int(mark_test[0])
    z_after = gates["z"][0]
    yield from _update_gate_maps(z_before, z_after, units[:4], mark)

    final = {k: history[k][1][-1] for k in KINDS}
    yield Table(
        key="summary",
        title="Same task, same batches, gradient clipping at 1 for all",
        columns=["network", "gates", "weights", "learning rate", "steps", "test MSE"],
        rows=[
            [
                NAMES[k],
                {"rnn": "none", "gru": "update, reset", "lstm": "input, forget, output"}[k],
                n_params[k],
                f"{float(p[f'lr_{k}']):g}",
                solved_at.get(k, step),
                f"{final[k]:.4f}",
            ]
            for k in KINDS
        ],
    )
    # Where the value is held (after the mark), the memory units' update gates stay near 1.
    t = torch.arange(length)
    hold = (t.unsqueeze(0) > mark_test.unsqueeze(1)).unsqueeze(2)
    z_units = gates["z"][:, :, units[:2]]
    z_hold = float((z_units * hold).sum() / (hold.sum() * len(units[:2])))
    reached = (
        final["gru"] < target
        and final["lstm"] < target
        and final["rnn"] > 0.5 * BASELINE
        and n_params["gru"] < n_params["lstm"]
    )
    yield Result(
        metrics={
            "rnn_test_mse": final["rnn"],
            "gru_test_mse": final["gru"],
            "lstm_test_mse": final["lstm"],
            "baseline_mse": BASELINE,
            "rnn_steps": float(solved_at.get("rnn", step)),
            "gru_steps": float(solved_at.get("gru", step)),
            "lstm_steps": float(solved_at.get("lstm", step)),
            "rnn_params": float(n_params["rnn"]),
            "gru_params": float(n_params["gru"]),
            "lstm_params": float(n_params["lstm"]),
            "gru_update_gate_while_holding": z_hold,
            "gru_hand_vs_torch_diff": hand_diff,
        },
        reached=reached,
        summary=(
            f"GRU solved it in {solved_at.get('gru', step)} steps, LSTM in "
            f"{solved_at.get('lstm', step)}; the RNN is at {final['rnn']:.3f} after {step} "
            f"(guessing 0: {BASELINE:.3f}). The GRU has {n_params['gru']} weights, the LSTM "
            f"{n_params['lstm']}; its memory units' update gates average {z_hold:.2f} while holding."
        ),
    )
