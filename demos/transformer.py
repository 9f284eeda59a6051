"""Transformer: self-attention learns to reverse digit sequences; a causal mask hides the future."""

from __future__ import annotations

import math
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
    Table,
)

SPEC = DemoSpec(
    id="transformer",
    title="Transformer: attention reverses a sequence",
    teaches=(
        "Self-attention lets every position read any other, so output t learns to attend to "
        "input L-1-t (an anti-diagonal); a causal mask zeroes attention to later positions, "
        "so changing a future token cannot change earlier outputs."
    ),
    concepts=("transformer", "self-attention", "positional embedding", "causal mask"),
    params=(
        Param("length", 6, "digits per sequence", min=2, max=16),
        Param("vocab", 10, "distinct tokens (digits)", min=2, max=50),
        Param("d_model", 32, "width of the model", min=8, max=256),
        Param("steps", 400, "most Adam steps (stops early at the target)", min=1, max=20000),
        Param("batch", 128, "sequences per step", min=8, max=2048),
        Param("lr", 3e-3, "Adam learning rate", min=1e-5, max=0.1),
        Param("target", 0.99, "stop once test token accuracy reaches this", min=0.0, max=1.0),
    ),
)

TARGET_ACCURACY = 0.95


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train a one-layer, one-head transformer to reverse digits; then show the causal mask."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    p = ctx.params
    length = int(p["length"])
    vocab = int(p["vocab"])
    d = int(p["d_model"])
    steps = int(p["steps"])
    batch = int(p["batch"])

    class TinyTransformer(nn.Module):
        """Embeddings, one pre-norm single-head attention block, an MLP block and a readout."""

        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, d)
            self.pos = nn.Parameter(0.5 * torch.randn(length, d))
            self.norm1 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.norm2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
            self.head = nn.Linear(d, vocab)

        def forward(self, tokens: torch.Tensor, causal: bool = False) -> tuple[Any, Any]:
            """Logits (batch, length, vocab) and attention weights (batch, length, length)."""
            h = self.embed(tokens) + self.pos
            q, k, v = self.qkv(self.norm1(h)).chunk(3, dim=-1)
            scores = q @ k.transpose(1, 2) / math.sqrt(d)
            if causal:
                future = torch.ones(length, length, dtype=torch.bool).triu(diagonal=1)
                scores = scores.masked_fill(future, float("-inf"))
            attn = torch.softmax(scores, dim=-1)
            h = h + self.proj(attn @ v)
            h = h + self.mlp(self.norm2(h))
            return self.head(h), attn

    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    model = TinyTransformer()
    optimizer = torch.optim.Adam(model.parameters(), lr=float(p["lr"]))
    test = torch.randint(0, vocab, (512, length), generator=gen)
    example = test[0]
    yield Progress(0, steps, {}, f"reverse {length} digits: output t copies input {length - 1}-t")

    def evaluate() -> tuple[float, float, Any]:
        with torch.no_grad():
            logits, attn = model(test)
        right = logits.argmax(-1) == test.flip(1)
        return float(right.float().mean()), float(right.all(1).float().mean()), attn

    xs: list[float] = []
    losses: list[float] = []
    accs: list[float] = []
    refresh_progress = max(1, steps // 40)
    refresh_frames = max(1, steps // 8)
    acc, seq_acc, attn = evaluate()
    step = 0
    while step < steps:
        if ctx.should_stop():
            return
        step += 1
        x = torch.randint(0, vocab, (batch, length), generator=gen)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), x.flip(1).reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % refresh_progress == 0 or step == steps:
            acc, seq_acc, attn = evaluate()
            xs.append(float(step))
            losses.append(loss.item())
            accs.append(acc)
            yield Progress(step, steps, {"loss": losses[-1], "token_accuracy": acc})
            done = acc >= float(p["target"])
            if step % refresh_frames == 0 or step == steps or done:
                yield Curves(
                    "loss",
                    "Cross-entropy and test token accuracy",
                    series={"loss": (list(xs), list(losses)), "accuracy": (list(xs), list(accs))},
                    y_label="value",
                )
                yield _attention_map("attention", f"Attention after {step} steps", attn[0], example)
            if done:
                break

    # The causal mask: the same weights, attention limited to positions <= t.
    model.eval()
    with torch.no_grad():
        _, masked = model(example.unsqueeze(0), causal=True)
        masked = masked[0]
    upper = float(masked.triu(diagonal=1).abs().max()) if length > 1 else 0.0
    yield _attention_map(
        "causal",
        "Causal mask: attention weights above the diagonal are exactly 0",
        masked,
        example,
    )
    rows, leak_causal, leak_full = _future_changes(model, test[:64], vocab)
    yield Table(
        "invariance",
        "Change one token: how much do outputs at earlier positions move?",
        columns=["changed position", "max change, no mask", "max change, causal mask"],
        rows=rows,
    )

    anti_diagonal = float(attn.flip(2).diagonal(dim1=1, dim2=2).mean())
    reached = acc >= TARGET_ACCURACY and upper == 0.0 and leak_causal < 1e-6
    yield Result(
        {
            "token_accuracy": acc,
            "sequence_accuracy": seq_acc,
            "steps": float(step),
            "anti_diagonal_attention": anti_diagonal,
            "masked_upper_max": upper,
            "causal_leak": leak_causal,
            "unmasked_leak": leak_full,
        },
        reached=reached,
        summary=(
            f"Reversal learned to {acc:.1%} token accuracy in {step} steps. Under the causal "
            f"mask a changed token moves earlier outputs by {leak_causal:.1g} "
            f"(without it by {leak_full:.2f})."
        ),
    )


def _attention_map(key: str, title: str, attn: Any, tokens: Any) -> Heatmap:
    """Rows are output positions (queries), columns input positions (keys), labelled by digit."""
    digits = [int(t) for t in tokens.tolist()]
    return Heatmap(
        key,
        title,
        values=[[round(v, 4) for v in row] for row in attn.tolist()],
        row_labels=[f"out {t} ={digits[-1 - t]}" for t in range(len(digits))],
        col_labels=[f"in {s} ={digit}" for s, digit in enumerate(digits)],
    )


def _future_changes(model: Any, tokens: Any, vocab: int) -> tuple[list[list[Any]], float, float]:
    """For each position j > 0, change token j and measure the change in outputs before j."""
    import torch

    rows: list[list[Any]] = []
    leak_causal = 0.0
    leak_full = 0.0
    with torch.no_grad():
        base_full, _ = model(tokens)
        base_causal, _ = model(tokens, causal=True)
        for j in range(1, tokens.shape[1]):
            changed = tokens.clone()
            changed[:, j] = (changed[:, j] + 1) % vocab
            new_full, _ = model(changed)
            new_causal, _ = model(changed, causal=True)
            full = float((new_full[:, :j] - base_full[:, :j]).abs().max())
            causal = float((new_causal[:, :j] - base_causal[:, :j]).abs().max())
            leak_full = max(leak_full, full)
            leak_causal = max(leak_causal, causal)
            rows.append([j, f"{full:.3f}", f"{causal:.1g}"])
    return rows, leak_causal, leak_full
