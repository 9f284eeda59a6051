"""Transformer: a causal (decoder-only) model learns to reverse digits, trained with its mask."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    AttentionInspect,
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
    title="Transformer: a causal decoder learns to reverse a sequence",
    teaches=(
        "Trained with a causal mask, each position may attend only to itself and earlier ones, "
        "yet after the separator the model reads the input back to front (an anti-diagonal "
        "of attention) and writes the reversal one token at a time. Trained without the mask, "
        "changing a later token changes earlier outputs: nothing stops it reading the future."
    ),
    concepts=("transformer", "self-attention", "positional embedding", "causal mask", "decoder", "teacher forcing"),
    params=(
        Param("length", 6, "digits per sequence", min=2, max=12),
        Param("vocab", 10, "distinct tokens (digits)", min=2, max=50),
        Param("d_model", 32, "width of the model", min=8, max=256),
        Param("steps", 600, "most Adam steps (stops early at the target)", min=1, max=20000),
        Param("batch", 128, "sequences per step", min=8, max=2048),
        Param("lr", 3e-3, "Adam learning rate", min=1e-5, max=0.1),
        Param("causal", True, "train (and run) with the causal mask; off: later tokens leak into earlier outputs"),
        Param("target", 0.99, "stop once teacher-forced answer accuracy reaches this", min=0.0, max=1.0),
    ),
    metrics=(
        ("answer_accuracy", "share of answer tokens right with teacher forcing", "0..1"),
        ("generated_accuracy", "share of tokens right when the model writes the answer itself", "0..1"),
        ("generated_sequences", "share of sequences reversed without a mistake", "0..1"),
        ("steps", "training steps", "steps"),
        ("anti_diagonal_attention", "attention on the mirrored input token", "0..1"),
        ("attention_above_diagonal", "attention on later tokens (the mask forbids it)", "0..1"),
        ("future_leak", "largest change in earlier outputs when a later token changes", "≥ 0"),
        ("causal", "1 if no output depends on a later token", "0 or 1"),
    ),
)

TARGET_ACCURACY = 0.95


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train a one-layer, one-head decoder on `digits SEP reversed-digits`, next token by next token."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    p = ctx.params
    length, vocab, d = int(p["length"]), int(p["vocab"]), int(p["d_model"])
    steps, batch, causal = int(p["steps"]), int(p["batch"]), bool(p["causal"])
    sep = vocab  # one extra token between the digits and their reversal
    span = 2 * length  # the model reads s[:-1] and predicts s[1:]

    class TinyDecoder(nn.Module):
        """Embeddings, one pre-norm single-head attention block, an MLP block and a readout."""

        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab + 1, d)
            self.pos = nn.Parameter(0.5 * torch.randn(span, d))
            self.norm1 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.norm2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
            self.head = nn.Linear(d, vocab)

        def forward(self, tokens: torch.Tensor) -> tuple[Any, Any]:
            """Logits (batch, n, vocab) and attention weights (batch, n, n)."""
            n = tokens.shape[1]
            h = self.embed(tokens) + self.pos[:n]
            q, k, v = self.qkv(self.norm1(h)).chunk(3, dim=-1)
            scores = q @ k.transpose(1, 2) / math.sqrt(d)
            if causal:
                future = torch.ones(n, n, dtype=torch.bool).triu(diagonal=1)
                scores = scores.masked_fill(future, float("-inf"))
            attn = torch.softmax(scores, dim=-1)
            h = h + self.proj(attn @ v)
            h = h + self.mlp(self.norm2(h))
            return self.head(h), attn

    def sequences(n: int) -> tuple[Any, Any]:
        """Inputs `x SEP rev(x)[:-1]` and targets `rev(x)` at the answer positions."""
        x = torch.randint(0, vocab, (n, length), generator=gen)
        full = torch.cat([x, torch.full((n, 1), sep), x.flip(1)], dim=1)
        return full[:, :-1], full[:, length + 1 :]

    def generate(prompt: Any) -> Any:
        """Greedy decoding: feed `x SEP`, append the model's own answer one token at a time."""
        tokens = torch.cat([prompt, torch.full((prompt.shape[0], 1), sep)], dim=1)
        with torch.no_grad():
            for _ in range(length):
                logits, _ = model(tokens)
                tokens = torch.cat([tokens, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
        return tokens[:, length + 1 :]

    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    model = TinyDecoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=float(p["lr"]))
    test_in, test_out = sequences(512)
    example = test_in[0]
    mask = "with the causal mask" if causal else "WITHOUT a causal mask"
    yield Progress(0, steps, {}, f"reverse {length} digits after a separator, {mask}")

    def evaluate() -> tuple[float, Any]:
        with torch.no_grad():
            logits, attn = model(test_in)
        right = logits[:, length:].argmax(-1) == test_out
        return float(right.float().mean()), attn

    xs: list[float] = []
    losses: list[float] = []
    accs: list[float] = []
    refresh_progress = max(1, steps // 40)
    refresh_frames = max(1, steps // 8)
    acc, attn = evaluate()
    yield _attention_map("attention", "Attention before training", attn[0], example, length)
    step = 0
    while step < steps:
        if ctx.should_stop():
            return
        step += 1
        inputs, answers = sequences(batch)
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits[:, length:].reshape(-1, vocab), answers.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % refresh_progress == 0 or step == steps:
            acc, attn = evaluate()
            xs.append(float(step))
            losses.append(loss.item())
            accs.append(acc)
            yield Progress(step, steps, {"loss": losses[-1], "answer_accuracy": acc})
            done = acc >= float(p["target"])
            if step % refresh_frames == 0 or step == steps or done:
                yield Curves("loss", "Cross-entropy on the answer tokens", series={"train": (list(xs), list(losses))}, y_label="nats")
                yield Curves(
                    "accuracy",
                    "Answer tokens right, next token given the true prefix (teacher forcing)",
                    series={"test": (list(xs), list(accs))},
                    y_label="accuracy",
                    y_min=0.0,
                    y_max=1.0,
                )
                yield _attention_map("attention", f"Attention after {step} steps", attn[0], example, length)
            if done:
                break

    model.eval()
    generated = generate(test_in[:, :length])
    gen_acc = float((generated == test_out).float().mean())
    gen_seq = float((generated == test_out).all(1).float().mean())
    upper = float(attn[0].triu(diagonal=1).abs().max())
    yield _step_through(model, example, length, d, causal)
    rows, leak = _future_changes(model, test_in[:64], vocab)
    yield Table(
        "invariance",
        "Change one input token: how much do outputs at earlier positions move?",
        columns=["changed position", "max change before it"],
        rows=rows,
    )
    yield Table(
        "generation",
        "Writing the answer itself, one token at a time (no true prefix to lean on)",
        columns=["", "teacher-forced", "generated"],
        rows=[["tokens right", f"{acc:.1%}", f"{gen_acc:.1%}"], ["whole answers right", "", f"{gen_seq:.1%}"]],
    )
    answer = attn[:, length:, :length]  # answer queries over input keys
    anti = float(answer.flip(2).diagonal(dim1=1, dim2=2).mean())
    if causal:
        reached = gen_acc >= TARGET_ACCURACY and upper == 0.0 and leak < 1e-6
    else:  # the point: without the mask, later tokens reach earlier outputs
        reached = leak > 1e-3
    yield Result(
        {
            "answer_accuracy": acc,
            "generated_accuracy": gen_acc,
            "generated_sequences": gen_seq,
            "steps": float(step),
            "anti_diagonal_attention": anti,
            "attention_above_diagonal": upper,
            "future_leak": leak,
            "causal": float(causal),
        },
        reached=reached,
        summary=(
            f"Trained {mask} for {step} steps: {acc:.1%} of answer tokens right given the true "
            f"prefix, {gen_acc:.1%} when it writes the answer itself. A changed token moves "
            f"earlier outputs by at most {leak:.2g}."
        ),
    )


def _attention_map(key: str, title: str, attn: Any, tokens: Any, length: int) -> Heatmap:
    """Rows are query positions, columns key positions, labelled by the token they read."""
    labels = ["|" if i == length else str(int(t)) for i, t in enumerate(tokens.tolist())]
    return Heatmap(
        key,
        title + " (rows: position reading, columns: position read; | = separator)",
        values=[[round(v, 3) for v in row] for row in attn.tolist()],
        row_labels=[f"{i} {t}" for i, t in enumerate(labels)],
        col_labels=labels,
        v_min=0.0,  # attention weights are probabilities: one scale for every map
        v_max=1.0,
    )


def _future_changes(model: Any, tokens: Any, vocab: int) -> tuple[list[list[Any]], float]:
    """For each input position j > 0, change token j and measure the change in outputs before j."""
    import torch

    rows: list[list[Any]] = []
    leak = 0.0
    with torch.no_grad():
        base, _ = model(tokens)
        for j in range(1, tokens.shape[1]):
            changed = tokens.clone()
            changed[:, j] = (changed[:, j] + 1) % vocab
            new, _ = model(changed)
            moved = float((new[:, :j] - base[:, :j]).abs().max())
            leak = max(leak, moved)
            rows.append([j, f"{moved:.2g}"])
    return rows, leak


def _step_through(model: Any, tokens: Any, length: int, d: int, causal: bool) -> AttentionInspect:
    """The head on the example sequence: queries, keys and values as the model made them
    (hooks on its layers), its attention weights, and its own mix of the values."""
    import torch

    seen: dict[str, Any] = {}
    hooks = [
        model.qkv.register_forward_hook(lambda _m, _args, out: seen.__setitem__("qkv", out[0])),
        model.proj.register_forward_pre_hook(lambda _m, args: seen.__setitem__("mix", args[0][0])),
    ]
    try:
        with torch.no_grad():
            _, attn = model(tokens[None])
    finally:
        for hook in hooks:
            hook.remove()
    q, k, v = seen["qkv"].chunk(3, dim=-1)
    scores = q @ k.T / math.sqrt(d)
    if causal:
        n = len(tokens)
        scores = scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(diagonal=1), float("-inf"))
    labels = ["|" if i == length else str(int(t)) for i, t in enumerate(tokens.tolist())]
    return AttentionInspect(
        key="step-through",
        title="Step through the attention head: one query's scores, softmax and mix of values",
        queries=labels,
        keys=labels,
        scores=scores.tolist(),
        weights=attn[0].tolist(),
        values=v.tolist(),
        outputs=seen["mix"].tolist(),
        scale=math.sqrt(d),
        at=length,  # the separator: it writes the first answer token
    )
