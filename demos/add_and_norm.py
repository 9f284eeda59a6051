"""Add & Norm: a deep stack with residual connections and layer norm against the plain stack."""

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
)

from . import _stacked
from ._toy_data import spirals

SPEC = DemoSpec(
    id="add-and-norm",
    title="Add & Norm: residual connections and layer norm in a deep net",
    teaches=(
        "Stacked plainly with torch's default init, 30 layers shrink the signal and the "
        "gradient layer by layer and the network never leaves chance; the same layers as "
        "x ← LayerNorm(x + f(x)) keep both at a steady size and train. A carefully scaled "
        "(He) init also rescues the plain stack: Add & Norm just doesn't depend on it."
    ),
    concepts=(
        "residual connection",
        "skip connection",
        "layer normalization",
        "Add & Norm",
        "vanishing gradients",
        "initialization",
    ),
    params=(
        Param("depth", 30, "layers in the stack", min=2, max=60),
        Param("width", 32, "units per layer", min=8, max=128),
        Param(
            "steps",
            120,
            "most Adam steps (every variant and learning rate gets the same)",
            min=10,
            max=3000,
        ),
        Param("batch", 128, "examples per step", min=8, max=1024),
        Param(
            "target",
            0.95,
            "stop once Add & Norm reaches this validation accuracy",
            min=0.0,
            max=1.0,
        ),
    ),
    budget_s=20.0,
    metrics=(
        ("steps", "training steps for every stack", "steps"),
        *(
            (f"{key}_{name}", f"{what}: {label}", unit)
            for key, label in (("plain", "plain stack, default init"), ("plain_he", "plain stack, He init"), ("add_norm", "Add & Norm stack"))
            for name, what, unit in (
                ("val_accuracy", "validation accuracy at its best learning rate", "0..1"),
                ("best_lr", "the learning rate that trained it best", "lr"),
                ("grad_first_to_last", "gradient norm at the first layer over the last", "ratio"),
                ("signal_last_layer", "spread (std) of the signal at the last layer", "≥ 0"),
            )
        ),
    ),
)

LRS = (3e-4, 1e-3, 3e-3)
"""Every variant trains at each of these Adam learning rates; each keeps its best."""
VARIANTS = ("plain", "plain-he", "add-norm")
NAMES = {"plain": "plain", "plain-he": "plain, He init", "add-norm": "Add & Norm"}
LEARNED = 0.9
"""Validation accuracy that counts as trained (chance is 1/3)."""


def build(torch: Any, depth: int, width: int, gen: Any) -> dict[str, Any]:
    """Two stacks: plain (3 copies at default init + 3 at He init) and Add & Norm (default init).

    Parameters are packed (copy, layer, ...) so Adam updates a handful of tensors per step.
    """
    nn = torch.nn
    n = len(LRS)

    def layers(init: str) -> list[Any]:
        """[input W, b, hidden W (copies, depth-1, w, w), hidden b, head W, b] for n copies."""
        g = torch.Generator().manual_seed(int(torch.randint(0, 2**31, (1,), generator=gen)))
        first = _stacked.linear(torch, n, 2, width, g, init)
        hidden = [_stacked.linear(torch, n, width, width, g, init) for _ in range(depth - 1)]
        head = _stacked.linear(torch, n, width, 3, g, init)
        packed = [torch.stack([pair[j].detach() for pair in hidden], 1) for j in (0, 1)]
        return [t.detach() for t in first] + packed + [t.detach() for t in head]

    class Stack(nn.Module):
        def __init__(self, tensors: list[Any], add_norm: bool) -> None:
            super().__init__()
            self.params = nn.ParameterList(nn.Parameter(t.clone()) for t in tensors)
            self.add_norm = add_norm
            copies = tensors[0].shape[0]
            if add_norm:
                # Layer norm's learned scale and shift, per copy and layer.
                self.gamma = nn.Parameter(torch.ones(copies, depth - 1, 1, width))
                self.beta = nn.Parameter(torch.zeros(copies, depth - 1, 1, width))

        def forward(self, x: Any, keep: list[Any] | None = None) -> Any:
            """Logits (copies, batch, 3); `keep` collects each hidden layer's output."""
            w_in, b_in, w, b, w_out, b_out = self.params
            h = _stacked.apply(torch, x, w_in, b_in)
            ws, bs = w.unbind(1), b.unbind(1)  # one backward op for all layers, not one each
            gammas, betas = (
                (self.gamma.unbind(1), self.beta.unbind(1)) if self.add_norm else ((), ())
            )
            for i in range(depth - 1):
                f = torch.relu(_stacked.apply(torch, h, ws[i], bs[i]))
                if self.add_norm:
                    normed = torch.nn.functional.layer_norm(h + f, (width,))
                    h = normed * gammas[i] + betas[i]
                else:
                    h = f
                if keep is not None:
                    h.retain_grad()
                    keep.append(h)
            return _stacked.apply(torch, h, w_out, b_out)

    default, he = layers("default"), layers("he")
    plain = [torch.cat([a, b]) for a, b in zip(default, he, strict=True)]
    # Add & Norm starts from exactly the weights of the default-init plain copies.
    return {"plain": Stack(plain, add_norm=False), "add-norm": Stack(default, add_norm=True)}


def run(ctx: DemoContext) -> Iterator[Event]:
    """Measure signal and gradient per layer at init, then train all variants in lockstep."""
    import torch

    p = ctx.params
    depth, width, steps, batch = int(p["depth"]), int(p["width"]), int(p["steps"]), int(p["batch"])
    yield Progress(0, steps, message=f"three {depth}-layer stacks × {len(LRS)} learning rates")

    gen = torch.Generator().manual_seed(ctx.seed)
    x, y = spirals(torch, 2000, gen)
    x_val, y_val = spirals(torch, 1000, gen)
    nets = build(torch, depth, width, gen)
    n = len(LRS)
    rows = {"plain": slice(0, n), "plain-he": slice(n, 2 * n), "add-norm": slice(0, n)}
    owner = {"plain": "plain", "plain-he": "plain", "add-norm": "add-norm"}
    loss_fn = torch.nn.functional.cross_entropy

    # At init: how big is each layer's output, and its gradient, in the first copy of each?
    signal: dict[str, list[float]] = {}
    grads: dict[str, list[float]] = {}
    for v in VARIANTS:
        keep: list[Any] = []
        logits = nets[owner[v]](x[:batch], keep)[rows[v].start]
        loss_fn(logits, y[:batch]).backward()
        # How much each layer's output still varies with the input: std over the batch.
        signal[v] = [float(h[rows[v].start].detach().std(0).mean()) for h in keep]
        grads[v] = [float(h.grad[rows[v].start].norm()) for h in keep]
        nets[owner[v]].zero_grad()
    layer_xs = [float(i + 1) for i in range(depth - 1)]
    yield Curves(
        key="signal",
        title="At init: how much each layer's output varies with the input (std)",
        series={NAMES[v]: (layer_xs, [max(s, 1e-30) for s in signal[v]]) for v in VARIANTS},
        x_label="layer",
        y_label="std",
        log_y=True,
    )
    yield Curves(
        key="grads",
        title="At init: gradient of the loss at each layer's output",
        series={NAMES[v]: (layer_xs, [max(g, 1e-30) for g in grads[v]]) for v in VARIANTS},
        x_label="layer",
        y_label="‖∂loss/∂h‖",
        log_y=True,
    )

    opts = {k: torch.optim.Adam(net.parameters(), lr=1.0) for k, net in nets.items()}
    rates = {"plain": torch.tensor(LRS * 2), "add-norm": torch.tensor(LRS)}
    xs: list[float] = []
    history: dict[str, list[list[float]]] = {v: [] for v in VARIANTS}
    """Per variant, per evaluation: validation accuracy of each learning rate."""

    def validate() -> dict[str, list[float]]:
        with torch.no_grad():
            acc = {k: (net(x_val).argmax(-1) == y_val).float().mean(1) for k, net in nets.items()}
        return {v: acc[owner[v]][rows[v]].tolist() for v in VARIANTS}

    step = 0
    acc = validate()
    while step < steps:
        if ctx.should_stop():
            return
        step += 1
        idx = torch.randint(0, x.shape[0], (batch,), generator=gen)
        for k, net in nets.items():
            logits = net(x[idx])
            copies = logits.shape[0]
            per_copy = loss_fn(logits.reshape(-1, 3), y[idx].repeat(copies), reduction="none")
            opts[k].zero_grad()
            per_copy.view(copies, -1).mean(1).sum().backward()
            _stacked.step_each(torch, opts[k], list(net.parameters()), rates[k])
        if step % 5 and step != steps:
            continue
        acc = validate()
        xs.append(float(step))
        for v in VARIANTS:
            history[v].append(acc[v])
        best = {v: max(acc[v]) for v in VARIANTS}
        yield Progress(
            step, steps, {f"{v.replace('-', '_')}_val_accuracy": best[v] for v in VARIANTS}
        )
        done = min(best["add-norm"], best["plain-he"]) >= float(p["target"])
        if step % 25 == 0 or done or step == steps:
            yield Curves(
                key="accuracy",
                title="Validation accuracy, each variant at its best learning rate (chance 33%)",
                series={NAMES[v]: (list(xs), [max(h) for h in history[v]]) for v in VARIANTS},
                y_label="accuracy",
            )
        if done:
            break

    best_lr = {v: LRS[max(range(n), key=lambda i, v=v: acc[v][i])] for v in VARIANTS}
    final = {v: max(acc[v]) for v in VARIANTS}
    yield Table(
        key="summary",
        title=f"Validation accuracy after {step} Adam steps, by learning rate",
        columns=["variant", *(f"lr {lr:g}" for lr in LRS), "first/last-layer gradient"],
        rows=[
            [NAMES[v], *(f"{a:.0%}" for a in acc[v]), f"{grads[v][0] / grads[v][-1]:.2g}"]
            for v in VARIANTS
        ],
    )
    ratio = {v: grads[v][0] / grads[v][-1] for v in VARIANTS}
    reached = (
        final["add-norm"] >= LEARNED
        and final["plain"] < 0.6
        and final["plain-he"] >= LEARNED
        and ratio["plain"] < 1e-3
        and 0.1 < ratio["add-norm"] < 10
    )
    metrics: dict[str, float] = {"steps": float(step)}
    for v in VARIANTS:
        key = v.replace("-", "_")
        metrics[f"{key}_val_accuracy"] = final[v]
        metrics[f"{key}_best_lr"] = best_lr[v]
        metrics[f"{key}_grad_first_to_last"] = ratio[v]
        metrics[f"{key}_signal_last_layer"] = signal[v][-1]
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"After {step} steps at each one's best learning rate: Add & Norm "
            f"{final['add-norm']:.0%}, plain {final['plain']:.0%} (its first layer got "
            f"{ratio['plain']:.1g} of the last layer's gradient at init), plain with He init "
            f"{final['plain-he']:.0%}."
        ),
    )
