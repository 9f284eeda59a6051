"""Encoder-decoder with cross-attention: a toy English-to-French translation and its attention map."""

from __future__ import annotations

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
    Text,
)

SPEC = DemoSpec(
    id="encoder-decoder",
    title="Encoder-decoder: cross-attention learns to align a translation",
    teaches=(
        "The decoder writes the French sentence word by word, and its cross-attention reads "
        "the encoded English: each French word attends to the English word it translates, "
        "crossing over where French puts a colour after its noun (le chat noir) but not a "
        "size (le petit chat), and sentences never seen in training come out right."
    ),
    concepts=(
        "encoder-decoder",
        "cross-attention",
        "sequence-to-sequence",
        "machine translation",
        "alignment",
        "causal mask",
    ),
    params=(
        Param("d_model", 32, "width of the model", min=8, max=128),
        Param("steps", 400, "most Adam steps (stops early at the target)", min=1, max=5000),
        Param("batch", 64, "sentence pairs per step", min=8, max=1024),
        Param("lr", 3e-3, "Adam learning rate", min=1e-5, max=0.1),
        Param(
            "target",
            0.98,
            "stop once held-out sentences are this often exactly right",
            min=0.0,
            max=1.0,
        ),
    ),
    budget_s=20.0,
    metrics=(
        ("held_out_sentence_accuracy", "share of held-out sentences translated exactly", "0..1"),
        ("held_out_word_accuracy", "share of held-out words translated right", "0..1"),
        ("content_word_alignment", "cross-attention on the matching English word, per content word", "0..1"),
        ("crossing_alignment", "share of swapped noun/colour pairs whose attention crosses", "0..1"),
        ("steps", "training steps", "steps"),
    ),
)

DETERMINERS = (("the", "le"), ("a", "un"))
COLOURS = (("red", "rouge"), ("blue", "bleu"), ("green", "vert"), ("black", "noir"))
"""French puts these after the noun: le chat noir."""
SIZES = (("big", "grand"), ("small", "petit"), ("young", "jeune"), ("pretty", "joli"))
"""French puts these before the noun: le petit chat."""
NOUNS = (
    ("cat", "chat"),
    ("dog", "chien"),
    ("horse", "cheval"),
    ("rabbit", "lapin"),
    ("boat", "bateau"),
    ("book", "livre"),
)
"""Masculine and starting with a consonant, so no agreement and no elision (l'oiseau) to learn."""
VERBS = (("sees", "voit"), ("likes", "aime"), ("follows", "suit"), ("chases", "chasse"))
ADJECTIVES = COLOURS + SIZES
LENGTH = 7
SRC = ("<pad>",) + tuple(sorted({e for e, _ in DETERMINERS + COLOURS + SIZES + NOUNS + VERBS}))
TGT = ("<pad>", "<s>", "</s>") + tuple(
    sorted({f for _, f in DETERMINERS + COLOURS + SIZES + NOUNS + VERBS})
)
SRC_ID = {w: i for i, w in enumerate(SRC)}
TGT_ID = {w: i for i, w in enumerate(TGT)}
CONTENT = (1, 2, 3, 5, 6)
"""Output positions of adjectives, nouns and the verb (determiners repeat, so are ambiguous)."""


def phrase(
    det: tuple[str, str], adj: tuple[str, str], noun: tuple[str, str], at: int
) -> tuple[list[str], list[tuple[str, int]]]:
    """English 'det adj noun' and its French words, each with the English position it translates."""
    english = [det[0], adj[0], noun[0]]
    if adj in COLOURS:
        french = [(det[1], at), (noun[1], at + 2), (adj[1], at + 1)]
    else:
        french = [(det[1], at), (adj[1], at + 1), (noun[1], at + 2)]
    return english, french


def sentences(
    torch: Any, n: int, gen: Any, exclude: frozenset[tuple[int, ...]] = frozenset()
) -> tuple[Any, Any, Any]:
    """n pairs 'det adj noun verb det adj noun': English ids, French ids, and the alignment.

    English sentences in `exclude` are drawn again, so a test set stays unseen in training.
    """
    columns = (DETERMINERS, ADJECTIVES, NOUNS, VERBS, DETERMINERS, ADJECTIVES, NOUNS)
    src: list[list[int]] = []
    tgt: list[list[int]] = []
    align: list[list[int]] = []
    while len(src) < n:
        picks = torch.stack(
            [torch.randint(0, len(c), (n,), generator=gen) for c in columns], 1
        ).tolist()
        for row in picks:
            words = [columns[j][k] for j, k in enumerate(row)]
            e1, f1 = phrase(*words[:3], 0)
            e2, f2 = phrase(*words[4:], 4)
            english = [SRC_ID[w] for w in e1 + [words[3][0]] + e2]
            if tuple(english) in exclude or len(src) == n:
                continue
            french = f1 + [(words[3][1], 3)] + f2
            src.append(english)
            tgt.append([TGT_ID[w] for w, _ in french])
            align.append([i for _, i in french])
    return torch.tensor(src), torch.tensor(tgt), torch.tensor(align)


def build(torch: Any, d: int) -> Any:
    """One encoder layer and one decoder layer (post-norm, as in the original Transformer)."""
    import math

    nn = torch.nn

    class Attention(nn.Module):
        """Single-head scaled dot-product attention: softmax(Q·Kᵀ/√d)·V, weights returned."""

        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

        def forward(self, x: Any, memory: Any, mask: Any = None) -> tuple[Any, Any]:
            scores = self.q(x) @ self.k(memory).transpose(1, 2) / math.sqrt(d)
            if mask is not None:
                scores = scores.masked_fill(mask, float("-inf"))
            weights = scores.softmax(-1)
            return self.o(weights @ self.v(memory)), weights

    def ffn() -> Any:
        return nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))

    class Translator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.src_embed = nn.Embedding(len(SRC), d)
            self.tgt_embed = nn.Embedding(len(TGT), d)
            self.src_pos = nn.Parameter(0.5 * torch.randn(LENGTH, d))
            self.tgt_pos = nn.Parameter(0.5 * torch.randn(LENGTH + 1, d))
            self.enc_self = Attention()
            self.enc_ffn = ffn()
            self.dec_self = Attention()
            self.cross = Attention()
            self.dec_ffn = ffn()
            self.norms = nn.ModuleList(nn.LayerNorm(d) for _ in range(5))
            self.head = nn.Linear(d, len(TGT))

        def encode(self, src: Any) -> Any:
            h = self.src_embed(src) + self.src_pos
            h = self.norms[0](h + self.enc_self(h, h)[0])
            return self.norms[1](h + self.enc_ffn(h))

        def decode(self, memory: Any, tgt_in: Any) -> tuple[Any, Any]:
            """Logits for the next word at every position, and the cross-attention weights."""
            n = tgt_in.shape[1]
            h = self.tgt_embed(tgt_in) + self.tgt_pos[:n]
            future = torch.ones(n, n, dtype=torch.bool).triu(1)  # the causal mask
            h = self.norms[2](h + self.dec_self(h, h, future)[0])
            read, weights = self.cross(h, memory)  # queries from French, keys/values from English
            h = self.norms[3](h + read)
            h = self.norms[4](h + self.dec_ffn(h))
            return self.head(h), weights

    return Translator()


def greedy(torch: Any, model: Any, src: Any) -> tuple[Any, Any]:
    """Translate word by word, feeding each chosen word back in; returns words and attention."""
    with torch.no_grad():
        memory = model.encode(src)
        out = torch.full((src.shape[0], 1), TGT_ID["<s>"])
        for _ in range(LENGTH):
            logits, weights = model.decode(memory, out)
            out = torch.cat([out, logits[:, -1].argmax(-1, keepdim=True)], 1)
    return out[:, 1:], weights


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train with teacher forcing; test by greedy decoding of sentences with unseen pairs."""
    import torch
    import torch.nn.functional as F

    p = ctx.params
    steps, batch, target = int(p["steps"]), int(p["batch"]), float(p["target"])
    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    test_src, test_tgt, test_align = sentences(torch, 256, gen)
    unseen = frozenset(tuple(row) for row in test_src.tolist())
    yield Progress(0, steps, message="English → French, one encoder and one decoder layer")
    yield Text(
        key="task",
        title="The task",
        body=(
            "Translate 'det adj noun verb det adj noun' into French. Colours follow the noun "
            "(the black dog → le chien noir), sizes precede it (the small cat → le petit chat). "
            f"The {len(test_src)} test sentences never appear in training. Greedy decoding: "
            "each word the decoder picks is fed back in."
        ),
    )
    model = build(torch, int(p["d_model"]))
    optimizer = torch.optim.Adam(model.parameters(), lr=float(p["lr"]))
    start = torch.full((batch, 1), TGT_ID["<s>"])
    end = torch.full((batch, 1), TGT_ID["</s>"])

    xs: list[float] = []
    losses: list[float] = []
    token_acc: list[float] = []
    sentence_acc: list[float] = []
    step = 0
    while step < steps:
        if ctx.should_stop():
            return
        step += 1
        src, tgt, _ = sentences(torch, batch, gen, exclude=unseen)
        logits, _ = model.decode(model.encode(src), torch.cat([start, tgt], 1))
        loss = F.cross_entropy(logits.reshape(-1, len(TGT)), torch.cat([tgt, end], 1).reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 25 and step != steps:
            continue
        words, _ = greedy(torch, model, test_src)
        right = words == test_tgt
        xs.append(float(step))
        losses.append(float(loss.detach()))
        token_acc.append(float(right.float().mean()))
        sentence_acc.append(float(right.all(1).float().mean()))
        yield Progress(step, steps, {"loss": losses[-1], "held_out_sentences": sentence_acc[-1]})
        yield Curves(
            key="loss",
            title="Training loss (cross-entropy per French word, teacher forcing)",
            series={"loss": (list(xs), list(losses))},
            y_label="nats",
        )
        yield Curves(  # its own 0..1 axis: on the loss's axis 1.0 looked like half-way
            key="accuracy",
            title="Held-out sentences, greedy decoding: share right",
            series={
                "words right": (list(xs), list(token_acc)),
                "sentences right": (list(xs), list(sentence_acc)),
            },
            y_label="accuracy",
            y_min=0.0,
            y_max=1.0,
        )
        if sentence_acc[-1] >= target:
            break

    # Cross-attention with the correct French as input: which English word does each read?
    with torch.no_grad():
        _, weights = model.decode(
            model.encode(test_src),
            torch.cat([start[:1].expand(len(test_src), 1), test_tgt[:, :-1]], 1),
        )
    looked_at = weights.argmax(-1)
    content = torch.tensor(CONTENT)
    aligned = float((looked_at[:, content] == test_align[:, content]).float().mean())
    swapped = test_align != torch.arange(LENGTH)
    crossing = float((looked_at[swapped] == test_align[swapped]).float().mean())
    example = int(swapped.any(1).float().argmax())  # a sentence with a colour, so a crossing
    words, _ = greedy(torch, model, test_src)
    yield Heatmap(
        key="cross_attention",
        title="Cross-attention: French words (rows) read English words (columns)",
        values=[[round(float(v), 3) for v in row] for row in weights[example]],
        row_labels=[TGT[int(t)] for t in test_tgt[example]],
        col_labels=[SRC[int(s)] for s in test_src[example]],
        v_min=0.0,  # attention weights are probabilities
        v_max=1.0,
    )
    crossed = int(swapped[example].float().argmax())  # the first French word that reads out of order
    yield _step_through(torch, model, test_src[example], test_tgt[example], int(p["d_model"]), crossed)
    yield Table(
        key="translations",
        title="Held-out sentences, never seen in training",
        columns=["English", "model's French", ""],
        rows=[
            [
                " ".join(SRC[int(s)] for s in test_src[i]),
                " ".join(TGT[int(t)] for t in words[i]),
                "✓" if bool((words[i] == test_tgt[i]).all()) else "✗",
            ]
            for i in range(4)
        ],
    )
    final_sentences = sentence_acc[-1] if sentence_acc else 0.0
    reached = final_sentences >= 0.9 and aligned >= 0.9 and crossing >= 0.85
    yield Result(
        metrics={
            "held_out_sentence_accuracy": final_sentences,
            "held_out_word_accuracy": token_acc[-1] if token_acc else 0.0,
            "content_word_alignment": aligned,
            "crossing_alignment": crossing,
            "steps": float(step),
        },
        reached=reached,
        summary=(
            f"After {step} steps {final_sentences:.0%} of held-out sentences come out exactly "
            f"right. {aligned:.0%} of French content words attend most to the English word they "
            f"translate ({crossing:.0%} where the order crosses)."
        ),
    )


def _step_through(torch: Any, model: Any, src: Any, tgt: Any, d: int, at: int) -> AttentionInspect:
    """Cross-attention on one held-out sentence (the correct French as input): queries, keys
    and values as the model's layers made them, its weights, and its own mix of the values."""
    import math

    seen: dict[str, Any] = {}
    cross = model.cross
    hooks = [
        *(
            layer.register_forward_hook(lambda _m, _args, out, name=name: seen.__setitem__(name, out[0]))
            for name, layer in (("q", cross.q), ("k", cross.k), ("v", cross.v))
        ),
        cross.o.register_forward_pre_hook(lambda _m, args: seen.__setitem__("mix", args[0][0])),
    ]
    tgt_in = torch.cat([torch.tensor([TGT_ID["<s>"]]), tgt[:-1]])
    try:
        with torch.no_grad():
            _, weights = model.decode(model.encode(src[None]), tgt_in[None])
    finally:
        for hook in hooks:
            hook.remove()
    scores = seen["q"] @ seen["k"].T / math.sqrt(d)
    return AttentionInspect(
        key="step-through",
        title="Step through the cross-attention: a French word's scores over the English, softmax, mix",
        queries=[TGT[int(t)] for t in tgt],
        keys=[SRC[int(s)] for s in src],
        scores=scores.tolist(),
        weights=weights[0].tolist(),
        values=seen["v"].tolist(),
        outputs=seen["mix"].tolist(),
        scale=math.sqrt(d),
        at=at,
    )
