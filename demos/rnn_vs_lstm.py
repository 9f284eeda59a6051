"""The adding problem: an LSTM carries two marked numbers across 50 steps, a vanilla RNN cannot."""

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
    RefLine,
    Result,
    Table,
    Text,
)

from ._recurrent import reader

SPEC = DemoSpec(
    id="rnn-vs-lstm",
    title="RNN vs LSTM on the adding problem",
    teaches=(
        "To add two numbers marked somewhere in a 50-step sequence a network must keep them "
        "in memory across many steps: the LSTM's gated cell state learns to, while a vanilla "
        "RNN, trained with the same settings for several times as long, stays at the 0.167 "
        "error of always answering 1, because its gradient fades step by step back in time."
    ),
    concepts=(
        "RNN",
        "LSTM",
        "long-range dependencies",
        "vanishing gradients through time",
        "gating",
        "gradient clipping",
    ),
    params=(
        Param("length", 50, "sequence length T", min=5, max=200),
        Param("hidden", 16, "units in each recurrent layer", min=4, max=256),
        Param("steps", 1000, "most Adam steps for the LSTM", min=25, max=5000),
        Param("batch", 64, "sequences per step", min=8, max=1024),
        Param("lr", 0.03, "Adam learning rate for both networks", min=1e-4, max=0.1),
        Param("clip", 1.0, "clip both networks' gradient norm to this (0 = no clipping)", min=0.0, max=100.0),
        Param(
            "rnn_factor",
            3.0,
            "after the LSTM solves the task the RNN trains on to this many times its steps",
            min=1.0,
            max=10.0,
        ),
        Param(
            "target",
            0.01,
            "the LSTM stops once its test MSE is below this (0 = never)",
            min=0.0,
            max=1.0,
        ),
    ),
    metrics=(
        *(
            (f"{net}_{kind}", f"{what}: {label}", unit)
            for net, label in (("lstm", "LSTM"), ("rnn", "RNN"))
            for kind, what, unit in (
                ("test_mse", "test error on the adding problem", "≥ 0"),
                ("steps", "training steps", "steps"),
                ("params", "parameters", "count"),
                ("clipped_share", "share of steps whose gradient was clipped", "0..1"),
                ("grad_first_half_to_last", "gradient norm over the first half of the steps over that at the last", "ratio"),
            )
        ),
        ("baseline_mse", "error of always predicting the mean sum", "≥ 0"),
        ("lstm_solved", "1 if the LSTM beat the baseline clearly", "0 or 1"),
    ),
)

BASELINE = 1 / 6
"""MSE of always answering 1.0: the variance of a sum of two U(0, 1) numbers."""
EVAL_EVERY = 25
TEST_SIZE = 512
SOLVED = 0.01
FAILED = 0.1


def adding_batch(torch: Any, n: int, length: int, gen: Any) -> tuple[Any, Any]:
    """n sequences of (value, marker) pairs; the target is the sum of the two marked values.

    One marker falls in the first half and one in the second (Hochreiter & Schmidhuber 1997).
    """
    values = torch.rand(n, length, generator=gen)
    rows = torch.arange(n)
    first = torch.randint(0, length // 2, (n,), generator=gen)
    second = torch.randint(length // 2, length, (n,), generator=gen)
    markers = torch.zeros(n, length)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    return torch.stack([values, markers], dim=-1), (values * markers).sum(1, keepdim=True)


def build(torch: Any, kind: str, hidden: int) -> Any:
    """A one-layer recurrent net reading the sequence, then a linear read-out of its last state.

    Both read-outs start at the mean answer (bias 1.0), so neither spends steps learning it.
    """
    return reader(torch, kind, hidden, out_bias=1.0)


def gradient_through_time(torch: Any, net: Any, x: Any, y: Any) -> list[float]:
    """‖∂loss/∂x_t‖ for each time step t: how much step t can still teach the network."""
    inputs = x.clone().requires_grad_(True)
    loss = ((net(inputs) - y) ** 2).mean()
    (grad,) = torch.autograd.grad(loss, inputs)
    return [max(float(v), 1e-30) for v in grad.norm(dim=(0, 2))]


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train both step for step until the LSTM solves it; then the RNN alone, several times longer."""
    import torch

    p = ctx.params
    length, hidden, steps = int(p["length"]), int(p["hidden"]), int(p["steps"])
    batch, lr, target = int(p["batch"]), float(p["lr"]), float(p["target"])
    clip, factor = float(p["clip"]), float(p["rnn_factor"])
    yield Progress(0, steps, message=f"building an RNN and an LSTM with {hidden} units")
    clipping = f"gradient norm clipped to {clip:g}" if clip > 0 else "no gradient clipping"
    yield Text(
        key="task",
        title="The adding problem",
        body=(
            f"Each input is {length} steps of (value, marker). Values are uniform in [0, 1]; "
            "exactly two steps carry marker 1, one in each half. The answer is the sum of the two "
            f"marked values, read after the last step. Answering 1.0 always scores MSE {BASELINE:.3f}.\n\n"
            f"Both networks: {hidden} units, Adam lr {lr:g}, batch {batch}, {clipping}. "
            f"Once the LSTM is below MSE {target:g} it stops and the RNN trains on to "
            f"{factor:g}x its steps."
        ),
    )

    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    x_test, y_test = adding_batch(torch, TEST_SIZE, length, gen)
    nets = {k: build(torch, k, hidden) for k in ("rnn", "lstm")}
    opts = {k: torch.optim.Adam(n.parameters(), lr=lr) for k, n in nets.items()}
    xs: dict[str, list[float]] = {"rnn": [], "lstm": []}
    hist: dict[str, list[float]] = {"rnn": [], "lstm": []}
    clipped = {"rnn": 0, "lstm": 0}
    trained = {"rnn": 0, "lstm": 0}
    active = ["rnn", "lstm"]
    solved_at: int | None = None
    limit = steps

    def curves() -> Curves:
        return Curves(
            key="test_mse",
            title=f"Test MSE on {TEST_SIZE} held-out sequences of length {length} ({clipping})",
            series={
                "RNN": (list(xs["rnn"]), list(hist["rnn"])),
                "LSTM": (list(xs["lstm"]), list(hist["lstm"])),
            },
            y_label="MSE",
            log_y=True,
            refs=(RefLine(BASELINE, "always answering 1.0"),),
        )

    step = 0
    while step < limit:
        if ctx.should_stop():
            return
        step += 1
        x, y = adding_batch(torch, batch, length, gen)
        for k in active:
            net = nets[k]
            loss = ((net(x) - y) ** 2).mean()
            opts[k].zero_grad()
            loss.backward()
            if clip > 0:
                norm = torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
                clipped[k] += int(float(norm) > clip)
            opts[k].step()
            trained[k] = step
        if step % 5 == 0:
            yield Progress(step, limit, {f"{k}_test_mse": v[-1] for k, v in hist.items() if v})
        if step % EVAL_EVERY and step != limit:
            continue
        with torch.no_grad():
            for k in active:
                hist[k].append(float(((nets[k](x_test) - y_test) ** 2).mean()))
                xs[k].append(float(step))
        yield curves()
        if solved_at is None and hist["lstm"][-1] < target:
            solved_at = step
            active = ["rnn"]
            limit = min(max(step, round(factor * step)), int(factor * steps))
            yield Progress(step, limit, message=f"LSTM solved it at step {step}; the RNN trains on")

    grads = {k: gradient_through_time(torch, nets[k], x_test[:256], y_test[:256]) for k in nets}
    time_steps = [float(t + 1) for t in range(length)]
    yield Curves(
        key="grad_time",
        title="‖∂loss/∂input at step t‖ after training: the RNN's fades back in time",
        series={"RNN": (time_steps, grads["rnn"]), "LSTM": (time_steps, grads["lstm"])},
        x_label="time step t",
        y_label="gradient norm",
        log_y=True,
    )
    half = length // 2
    fade = {k: (sum(g[:half]) / half) / max(g[-1], 1e-30) for k, g in grads.items()}
    rnn_mse, lstm_mse = hist["rnn"][-1], hist["lstm"][-1]
    n_params = {k: sum(t.numel() for t in n.parameters()) for k, n in nets.items()}
    names = (("rnn", "vanilla RNN"), ("lstm", "LSTM"))
    yield Table(
        key="summary",
        title=f"Batch {batch}, Adam lr {lr:g}, {clipping}",
        columns=["network", "steps", "test MSE", "vs 0.167", "clipped steps", "params"],
        rows=[
            [
                name,
                trained[k],
                f"{hist[k][-1]:.4f}",
                f"{hist[k][-1] / BASELINE:.0%}",
                f"{clipped[k] / max(1, trained[k]):.0%}" if clip > 0 else "off",
                n_params[k],
            ]
            for k, name in names
        ],
    )
    reached = (
        solved_at is not None
        and lstm_mse < SOLVED
        and rnn_mse > FAILED
        and trained["rnn"] >= factor * solved_at - 1
    )
    yield Result(
        metrics={
            "lstm_test_mse": lstm_mse,
            "rnn_test_mse": rnn_mse,
            "baseline_mse": BASELINE,
            "lstm_steps": float(trained["lstm"]),
            "rnn_steps": float(trained["rnn"]),
            "lstm_solved": float(solved_at is not None),
            "lstm_params": float(n_params["lstm"]),
            "rnn_params": float(n_params["rnn"]),
            "rnn_clipped_share": clipped["rnn"] / max(1, trained["rnn"]),
            "lstm_clipped_share": clipped["lstm"] / max(1, trained["lstm"]),
            "rnn_grad_first_half_to_last": fade["rnn"],
            "lstm_grad_first_half_to_last": fade["lstm"],
        },
        reached=reached,
        summary=(
            f"The LSTM reached test MSE {lstm_mse:.4f} in {trained['lstm']} steps; the RNN, "
            f"trained {trained['rnn']} steps, is at {rnn_mse:.3f} (always answering 1.0: "
            f"{BASELINE:.3f}). Its gradient from the first half of the sequence is "
            f"{fade['rnn']:.0e} of the last step's (LSTM: {fade['lstm']:.0e})."
        ),
    )
