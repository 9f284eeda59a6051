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
    Result,
    Table,
    Text,
)

SPEC = DemoSpec(
    id="rnn-vs-lstm",
    title="RNN vs LSTM on the adding problem",
    teaches=(
        "To add two numbers marked somewhere in a 50-step sequence a network must keep them "
        "in memory across many steps: the LSTM's gated cell state learns to, while a vanilla "
        "RNN trained just as long stays at the 0.167 error of always answering 1."
    ),
    concepts=(
        "RNN",
        "LSTM",
        "long-range dependencies",
        "vanishing gradients through time",
        "gating",
    ),
    params=(
        Param("length", 50, "sequence length T", min=5, max=200),
        Param("hidden", 32, "units in each recurrent layer", min=4, max=256),
        Param(
            "steps", 800, "maximum Adam steps (both networks get the same number)", min=25, max=5000
        ),
        Param("batch", 128, "sequences per step", min=8, max=1024),
        Param("lr", 0.01, "Adam learning rate for both networks", min=1e-4, max=0.1),
        Param(
            "target",
            0.01,
            "stop once the LSTM's test MSE is below this (0 = never)",
            min=0.0,
            max=1.0,
        ),
    ),
)

BASELINE = 1 / 6
"""MSE of always answering 1.0: the variance of a sum of two U(0, 1) numbers."""
EVAL_EVERY = 25
TEST_SIZE = 512
CLIP = 1.0


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
    """A one-layer recurrent net reading the sequence, then a linear read-out of its last state."""
    nn = torch.nn

    class Reader(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = (nn.LSTM if kind == "lstm" else nn.RNN)(2, hidden, batch_first=True)
            self.out = nn.Linear(hidden, 1)
            if kind == "lstm":
                # Forget-gate bias 1 (Gers et al. 2000): start by remembering, not forgetting.
                with torch.no_grad():
                    self.rnn.bias_ih_l0[hidden : 2 * hidden].fill_(1.0)
                    self.rnn.bias_hh_l0[hidden : 2 * hidden].zero_()

        def forward(self, x: Any) -> Any:
            states, _ = self.rnn(x)
            return self.out(states[:, -1])

    return Reader()


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train both networks step for step until the LSTM beats the target or steps run out."""
    import torch

    p = ctx.params
    length, hidden, steps = int(p["length"]), int(p["hidden"]), int(p["steps"])
    batch, lr, target = int(p["batch"]), float(p["lr"]), float(p["target"])
    yield Progress(0, steps, message=f"building an RNN and an LSTM with {hidden} units")
    yield Text(
        key="task",
        title="The adding problem",
        body=(
            f"Each input is {length} steps of (value, marker). Values are uniform in [0, 1]; "
            "exactly two steps carry marker 1, one in each half. The answer is the sum of the two "
            f"marked values, read after the last step. Answering 1.0 always scores MSE {BASELINE:.3f}."
        ),
    )

    gen = torch.Generator().manual_seed(ctx.seed)
    x_test, y_test = adding_batch(torch, TEST_SIZE, length, gen)
    nets = {k: build(torch, k, hidden) for k in ("rnn", "lstm")}
    opts = {k: torch.optim.Adam(n.parameters(), lr=lr) for k, n in nets.items()}
    xs: list[float] = []
    hist: dict[str, list[float]] = {"rnn": [], "lstm": []}
    solved_at: int | None = None
    done = 0

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        x, y = adding_batch(torch, batch, length, gen)
        for k, net in nets.items():
            loss = ((net(x) - y) ** 2).mean()
            opts[k].zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), CLIP)
            opts[k].step()
        done = step
        if step % 5 == 0:
            yield Progress(step, steps, {f"{k}_test_mse": v[-1] for k, v in hist.items() if v})
        if step % EVAL_EVERY and step != steps:
            continue
        with torch.no_grad():
            for k, net in nets.items():
                hist[k].append(float(((net(x_test) - y_test) ** 2).mean()))
        xs.append(float(step))
        yield Curves(
            key="test_mse",
            title=f"Test MSE on {TEST_SIZE} held-out sequences of length {length}",
            series={
                "RNN": (list(xs), list(hist["rnn"])),
                "LSTM": (list(xs), list(hist["lstm"])),
                "always answer 1.0": ([0.0, xs[-1]], [BASELINE, BASELINE]),
            },
            y_label="MSE",
            log_y=True,
        )
        if hist["lstm"][-1] < target:
            solved_at = step
            break

    rnn_mse, lstm_mse = hist["rnn"][-1], hist["lstm"][-1]
    n_params = {k: sum(t.numel() for t in n.parameters()) for k, n in nets.items()}
    yield Table(
        key="summary",
        title=f"After {done} steps of batch {batch}",
        columns=["network", "test MSE", "vs baseline 0.167", "parameters"],
        rows=[
            [name, f"{hist[k][-1]:.4f}", f"{hist[k][-1] / BASELINE:.0%}", n_params[k]]
            for k, name in (("rnn", "vanilla RNN"), ("lstm", "LSTM"))
        ],
    )
    reached = lstm_mse < 0.01 and rnn_mse > 0.1
    yield Result(
        metrics={
            "lstm_test_mse": lstm_mse,
            "rnn_test_mse": rnn_mse,
            "baseline_mse": BASELINE,
            "steps_run": float(done),
            "lstm_solved": float(solved_at is not None),
            "lstm_params": float(n_params["lstm"]),
            "rnn_params": float(n_params["rnn"]),
        },
        reached=reached,
        summary=(
            f"After {done} steps the LSTM's test MSE is {lstm_mse:.4f} and the RNN's "
            f"{rnn_mse:.3f} (always answering 1.0: {BASELINE:.3f})."
        ),
    )
