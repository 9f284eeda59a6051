"""Greedy vs beam search: a small language model whose locally best first word leads nowhere."""

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
    Result,
    Scatter,
    Table,
)

SPEC = DemoSpec(
    id="beam-search",
    title="Greedy vs beam search decoding",
    teaches=(
        "Greedy decoding takes the most probable next word at each step, so a first word that is "
        "likely but spreads its continuations thin beats a slightly less likely one with a sure "
        "continuation: the whole sentence it writes is less probable. Beam search keeps the k best "
        "prefixes and finds the better sentence; over many prompts it finds the model's most "
        "probable sentence more often, and width 1 is greedy."
    ),
    concepts=("greedy decoding", "beam search", "beam width", "sequence probability", "language model"),
    params=(
        Param("beam", 3, "beam width k (1 is greedy)", min=1, max=7),
        Param("trap_first", 0.6, "in the trap prompt: probability of the first word 'the'", min=0.5, max=0.9),
        Param("trap_spread", 4, "in the trap prompt: equally likely nouns after 'the'", min=2, max=4),
        Param("prompts", 32, "prompts, the trap and random ones, each its own distribution", min=2, max=64),
        Param("steps", 200, "Adam steps training the language model (cosine-decayed rate)", min=10, max=5000),
    ),
    metrics=(
        ("trap_greedy_prob", "model probability of greedy's sentence for the trap prompt", "0..1"),
        ("trap_beam_prob", "model probability of beam search's sentence for the trap prompt", "0..1"),
        ("trap_beam_over_greedy", "trap_beam_prob over trap_greedy_prob", "ratio"),
        ("greedy_best_share", "share of prompts where greedy finds the model's most probable sentence", "0..1"),
        ("beam_best_share", "share of prompts where beam search finds it", "0..1"),
        ("beam_better_share", "share of prompts where beam's sentence is more probable than greedy's", "0..1"),
        ("beam_worse_share", "share of prompts where beam's sentence is less probable than greedy's", "0..1"),
        ("mean_gain_nats", "mean log-probability beam's sentence gains over greedy's", "nats"),
    ),
)

WORDS = ("the", "a", "cat", "dog", "fox", "owl", ".")
NOUNS = (2, 3, 4, 5)
LENGTH = 3
TRAP_SAMPLES = 5000
SAMPLES = 200
"""Training sentences drawn for the trap prompt and for each random prompt."""
SURE = 0.9
"""In the trap prompt, the probability of 'cat' after 'a'."""
BATCH = 512
LR = 0.03


def grammars(torch: Any, prompts: int, first: float, spread: int) -> tuple[Any, Any, Any]:
    """Per prompt: p(w1), p(w2 | w1), p(w3 | w2). Prompt 0 is the trap; the rest are random
    (Dirichlet(0.5): some words likely, most not). Draws from torch's seeded global generator."""
    v = len(WORDS)
    dirichlet = torch.distributions.Dirichlet(torch.full((v,), 0.5))
    p1, p2, p3 = dirichlet.sample((prompts,)), dirichlet.sample((prompts, v)), dirichlet.sample((prompts, v))
    the, a, cat, dog, end = 0, 1, 2, 3, 6
    p1[0] = 0
    p1[0, the], p1[0, a] = first, 1 - first
    p2[0] = torch.full((v,), 1.0 / v)
    p2[0, the] = 0
    p2[0, the, list(NOUNS[:spread])] = 1.0 / spread
    p2[0, a] = 0
    p2[0, a, cat], p2[0, a, dog] = SURE, 1 - SURE
    p3[0] = 0
    p3[0, :, end] = 1.0
    return p1, p2, p3


def sample(torch: Any, p1: Any, p2: Any, p3: Any, gen: Any) -> Any:
    """Sentences (prompt, w1, w2, w3): TRAP_SAMPLES of the trap prompt, SAMPLES of each other."""
    counts = torch.tensor([TRAP_SAMPLES] + [SAMPLES] * (p1.shape[0] - 1))
    prompt = torch.repeat_interleave(torch.arange(p1.shape[0]), counts)
    w1 = torch.multinomial(p1[prompt], 1, generator=gen).squeeze(1)
    w2 = torch.multinomial(p2[prompt, w1], 1, generator=gen).squeeze(1)
    w3 = torch.multinomial(p3[prompt, w2], 1, generator=gen).squeeze(1)
    return torch.stack([prompt, w1, w2, w3], 1)


NONE = len(WORDS)
"""The token standing for a word not yet written."""


def language_model(torch: Any, prompts: int) -> Any:
    """A feed-forward neural language model (Bengio et al. 2003): embeddings of the prompt and
    the words so far (NONE where there is none yet) -> a hidden layer -> next-word logits."""
    nn = torch.nn

    class LM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.prompt = nn.Embedding(prompts, 16)
            self.word = nn.Embedding(len(WORDS) + 1, 16)
            self.mlp = nn.Sequential(nn.Linear(48, 64), nn.Tanh(), nn.Linear(64, len(WORDS)))

        def forward(self, prompt: Any, w1: Any, w2: Any) -> Any:
            return self.mlp(torch.cat([self.prompt(prompt), self.word(w1), self.word(w2)], 1))

    return LM()


def contexts(torch: Any, sentences: Any) -> tuple[Any, Any, Any, Any]:
    """Each sentence as three (prompt, w1 so far, w2 so far) -> next word examples."""
    prompt, w1, w2, w3 = sentences.unbind(1)
    none = torch.full_like(w1, NONE)
    return (
        prompt.repeat(3),
        torch.cat([none, w1, w1]),
        torch.cat([none, none, w2]),
        torch.cat([w1, w2, w3]),
    )


def tables(torch: Any, model: Any, prompts: int) -> list[Any]:
    """Every prompt's log p(w1), log p(w2 | w1), log p(w3 | w1 w2), from the model
    (as nested lists: the searches below index them thousands of times)."""
    v = len(WORDS)
    c = torch.arange(prompts)
    with torch.no_grad():
        first = torch.log_softmax(model(c, torch.full_like(c, NONE), torch.full_like(c, NONE)), -1)
        c2, w1 = c.repeat_interleave(v), torch.arange(v).repeat(prompts)
        second = torch.log_softmax(model(c2, w1, torch.full_like(c2, NONE)), -1).view(prompts, v, v)
        c3 = c.repeat_interleave(v * v)
        w1, w2 = torch.arange(v).repeat_interleave(v).repeat(prompts), torch.arange(v).repeat(v * prompts)
        third = torch.log_softmax(model(c3, w1, w2), -1).view(prompts, v, v, v)
    return [first.tolist(), second.tolist(), third.tolist()]


def score(lp: list[Any], c: int, words: tuple[int, ...]) -> float:
    """log p(words) under the model for prompt c (a prefix of any length)."""
    total = 0.0
    for t, w in enumerate(words):
        row = lp[t][c]
        for earlier in words[:t]:
            row = row[earlier]
        total += row[w]
    return total


def beam_search(lp: list[Any], c: int, width: int) -> tuple[tuple[int, ...], list[list[tuple[tuple[int, ...], float]]]]:
    """The best sentence beam search of this width returns, and the beam kept after each step."""
    beam: list[tuple[tuple[int, ...], float]] = [((), 0.0)]
    kept = []
    for _ in range(LENGTH):
        grown = [(words + (w,), s + score(lp, c, words + (w,)) - score(lp, c, words)) for words, s in beam for w in range(len(WORDS))]
        grown.sort(key=lambda item: -item[1])
        beam = grown[:width]
        kept.append(beam)
    return beam[0][0], kept


def best(lp: list[Any], c: int) -> tuple[int, ...]:
    """The model's most probable sentence, by trying all of them."""
    v = range(len(WORDS))
    return max(((a, b, d) for a in v for b in v for d in v), key=lambda words: score(lp, c, words))


def _say(words: tuple[int, ...]) -> str:
    return " ".join(WORDS[w] for w in words)


def run(ctx: DemoContext) -> Iterator[Event]:
    """Train the language model, then decode every prompt greedily, with the beam and exhaustively."""
    import torch

    p = ctx.params
    width, prompts, steps = int(p["beam"]), int(p["prompts"]), int(p["steps"])
    gen = torch.Generator().manual_seed(ctx.seed)
    torch.manual_seed(ctx.seed)
    p1, p2, p3 = grammars(torch, prompts, float(p["trap_first"]), int(p["trap_spread"]))
    prompt, w1, w2, target = contexts(torch, sample(torch, p1, p2, p3, gen))
    model = language_model(torch, prompts)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    # Decaying the rate to 0 averages out the mini-batch noise, so the model's probabilities
    # settle near the sentences' frequencies instead of wobbling around them.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    losses: list[float] = []
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        i = torch.randint(0, target.shape[0], (BATCH,), generator=gen)
        loss = torch.nn.functional.cross_entropy(model(prompt[i], w1[i], w2[i]), target[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 20 == 0 or step == steps:
            yield Progress(step, steps, {"loss": losses[-1]})
        if step % 50 == 0 or step == steps or step == 1:
            xs = [float(i + 1) for i in range(len(losses))]
            yield Curves(
                key="loss", title="Language model's training loss (cross-entropy per word)", series={"loss": (xs, list(losses))}, y_label="nats"
            )

    lp = tables(torch, model, prompts)
    widths = range(1, len(WORDS) + 1)
    found = {k: [] for k in widths}
    chosen: list[tuple[float, float, float]] = []
    for c in range(prompts):
        top = score(lp, c, best(lp, c))
        for k in widths:
            found[k].append(score(lp, c, beam_search(lp, c, k)[0]) >= top - 1e-9)
        chosen.append((score(lp, c, beam_search(lp, c, 1)[0]), score(lp, c, beam_search(lp, c, width)[0]), top))

    greedy_words, greedy_kept = beam_search(lp, 0, 1)
    beam_words, beam_kept = beam_search(lp, 0, width)
    yield Table(
        key="trap",
        title=f"The trap prompt: 'the' ({float(p['trap_first']):.0%}) then {int(p['trap_spread'])} nouns, or 'a' then 'cat' ({SURE:.0%})",
        columns=["step", "greedy keeps", f"beam (k = {width}) keeps"],
        rows=[
            [t + 1, _kept(greedy_kept[t]), _kept(beam_kept[t])]
            for t in range(LENGTH)
        ],
    )
    low = min(g for g, _, _ in chosen)
    diagonal = [low * i / 20 for i in range(21)]
    yield Scatter(
        key="prompts",
        title=f"Every prompt: log p of greedy's sentence (x) and beam's, k = {width} (y); above y = x, beam wins",
        series={"prompts": ([g for g, _, _ in chosen], [b for _, b, _ in chosen]), "y = x": (diagonal, diagonal)},
    )
    shares = [sum(found[k]) / prompts for k in widths]
    yield Curves(
        key="widths",
        title=f"Share of the {prompts} prompts where the beam finds the model's most probable sentence",
        series={"found the best": ([float(k) for k in widths], shares)},
        x_label="beam width k (1 = greedy)",
        y_label="share",
        y_min=0.0,
        y_max=1.0,
    )
    trap_greedy, trap_beam = math.exp(score(lp, 0, greedy_words)), math.exp(score(lp, 0, beam_words))
    better = sum(b > g + 1e-9 for g, b, _ in chosen) / prompts
    worse = sum(b < g - 1e-9 for g, b, _ in chosen) / prompts
    metrics = {
        "trap_greedy_prob": trap_greedy,
        "trap_beam_prob": trap_beam,
        "trap_beam_over_greedy": trap_beam / trap_greedy,
        "greedy_best_share": shares[0],
        "beam_best_share": shares[width - 1],
        "beam_better_share": better,
        "beam_worse_share": worse,
        "mean_gain_nats": sum(b - g for g, b, _ in chosen) / prompts,
    }
    yield Result(
        metrics,
        reached=(
            width > 1
            and greedy_words[0] == 0
            and beam_words[0] == 1
            and trap_beam > 1.5 * trap_greedy
            and shares[width - 1] > shares[0]
            and worse <= 1 / prompts
        ),
        summary=(
            f"On the trap prompt greedy writes '{_say(greedy_words)}' (p = {trap_greedy:.2f}); beam search "
            f"(k = {width}) writes '{_say(beam_words)}' (p = {trap_beam:.2f}). Over {prompts} prompts greedy "
            f"finds the model's most probable sentence in {shares[0]:.0%}, the beam in {shares[width - 1]:.0%}."
        ),
    )


def _kept(beam: list[tuple[tuple[int, ...], float]]) -> str:
    """`the cat .15 · a cat .36`: the first three prefixes kept, with their probabilities."""
    shown = " · ".join(f"{_say(words)} {math.exp(s):.2f}" for words, s in beam[:3])
    return shown + (f" (+{len(beam) - 3})" if len(beam) > 3 else "")
