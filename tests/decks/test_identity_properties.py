"""Realistic edit sequences synced step by step into a real SQLite file: where does history go?

Each card of the model has a lineage (the card it has always been) and a topic (what
its question asks: a question of the pool; a typo keeps it, and so does a duplicate
pasted into another deck). Reviews are tagged with both. The pool is drawn from as it
is, near misses included: questions one added, removed or swapped word away from
another, a negation, a digit, a sign, a first letter apart; each is about something
else. After every sync: no sync raised; no stored card carries reviews of two topics,
and none carries reviews of a topic other than its own (a history never lands on a
question about something else); and a reviewed card without a twin whose question only
survived typos, moves (in one save or two, either order, a typo fixed on the way),
renames, reorders, answer edits or a delete and restore still carries all its reviews.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from studydl.decks.sync import sync_decks
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow
from tests.decks.store_helpers import NOW

FAMILIES = [
    # A question, then questions one edit away from it that ask about something else:
    # words added or removed, the subject swapped, negated, a digit, a preposition, a first letter.
    ["Is the sigmoid zero-centred?", "Is the derivative of the sigmoid zero-centred?", "Is tanh zero-centred?", "Is the sigmoid not zero-centred?"],
    ["Does ReLU saturate for positive inputs?", "Does ReLU saturate for negative inputs?", "Does GELU saturate for positive inputs?"],
    ["Does max pooling have learnable weights?", "Does average pooling have learnable weights?", "Does max pooling have weights?"],
    ["Can a perceptron learn XOR?", "Can a two-layer perceptron learn XOR?", "Can a perceptron learn AND?"],
    ["Is batch normalization applied before the activation?", "Is batch normalization applied after the activation?"],
    ["Does dropout run at inference time?", "Does dropout run at training time?"],
    ["Which optimizer keeps running averages of squared gradients?", "Which optimizer keeps running averages of gradients?"],
    ["What does the forget gate of an LSTM control?", "What does the input gate of an LSTM control?", "What does the forget gate control?"],
    ["How many parameters does a 3x3 convolution with 16 filters on RGB input have?",
     "How many parameters does a 5x5 convolution with 16 filters on RGB input have?",
     "How many parameters does a 3x3 convolution with 32 filters on RGB input have?"],
    ["Why do deep sigmoid networks train slowly?", "Why do deep ReLU networks train slowly?", "Why do deep sigmoid networks train?"],
    ["What is the output range of tanh?", "What is the output range of the sigmoid?", "What is the input range of tanh?"],
    ["Which loss suits multi-class classification?", "Which loss suits binary classification?"],
    ["What problem do residual connections address?", "What problem do skip connections address?"],
    ["Where does attention take its keys from in cross-attention?", "Where does attention take its queries from in cross-attention?",
     "Where does attention take its keys to in cross-attention?"],
    ["When should early stopping end training?", "When should early stopping not end training?"],
    ["What does an autoencoder's bottleneck force?", "What does an autoencoder's encoder force?"],
    ["Who plays the discriminator's adversary in a GAN?", "Who plays the generator's adversary in a GAN?"],
    ["How does weight decay change the update rule?", "How does momentum change the update rule?"],
    ["What is a learning rate warmup?", "What is a learning rate warmup for?"],
    ["Why shuffle mini-batches every epoch?", "Why shuffle mini-patches every epoch?"],
    ["Does L1 regularization produce sparse weights?", "Does L2 regularization produce sparse weights?"],
    ["What does softmax turn logits into?", "What does softmax turn probabilities into?"],
    ["Is gradient clipping needed for transformers?", "Is gradient clipping needed for RNNs?"],
    ["Which activation has a derivative of at most one quarter?", "Which activation has a derivative of at most one?"],
    ["What makes k-nearest neighbours slow at prediction?", "What makes k-nearest neighbours slow at training?"],
    ["Does a decision tree need feature scaling?", "Does a decision tree need feature selection?"],
    ["What is backpropagation through time?", "What is truncated backpropagation through time?"],
    ["Which norm does ridge regression penalize?", "Which norm does lasso regression penalize?"],
    ["How is perplexity computed from cross-entropy?", "How is perplexity computed from entropy?"],
    ["Are embeddings trained jointly with the classifier?", "Are embeddings trained jointly with the decoder?"],
]  # fmt: skip
QUESTIONS = [question for family in FAMILIES for question in family]
"""Every question of the pool; its index is its topic."""
FAMILY_OF = [n for n, family in enumerate(FAMILIES) for _ in family]
SHORT = ["No.", "Yes.", "ReLU.", "Zero.", "Adam.", "One.", "Softmax.", "The gradient."]
LONG = [
    "A running average of past gradients that smooths and speeds up the steps.",
    "The chain rule applied layer by layer, from the loss back to every weight.",
    "It rescales each activation with a learned gain and bias after normalizing it.",
    "Inputs flow forward once; errors flow backward through the same graph.",
]
OPS = [
    "review", "typo_q", "typo_a", "reword_a", "reword_q", "reorder", "move", "delete", "restore", "add", "replace",
    "rename", "copy_id", "twin",
]  # fmt: skip


@dataclass
class Card:
    lineage: int
    topic: int
    """The pool question it asks (typos keep it)."""
    question: str
    answer: str
    term: bool
    uid: str | None = None
    reviews: int = 0
    may_lose: bool = False
    """Its question was reworded since it was reviewed: keeping the history is not promised."""

    def render(self) -> str:
        text = f"{self.question} :: {self.answer}" if self.term else f"Q: {self.question}\nA: {self.answer}"
        return text + (f"\nid: {self.uid}" if self.uid else "")


@dataclass
class World:
    folder: Path
    db: Database
    files: dict[str, list[Card]] = field(default_factory=dict)
    deleted: list[Card] = field(default_factory=list)
    pool: list[tuple[int, str]] = field(default_factory=lambda: list(enumerate(QUESTIONS)))
    twinned: set[int] = field(default_factory=set)
    """Topics asked by two cards at once (a duplicate in another deck): a history may move between them."""
    lineages: int = 0
    names: int = 0

    def save(self, name: str) -> Path:
        path = self.folder / name
        path.write_text("\n\n".join(c.render() for c in self.files[name]) + "\n", encoding="utf-8")
        return path

    def sync(self, names: list[str], whole_folder: bool, ok: bool = True) -> None:
        paths = [self.folder] if whole_folder else [self.folder / n for n in names if (self.folder / n).exists()]
        report = sync_decks(self.db, paths, clock=lambda: NOW)  # must not raise, whatever the edit
        if ok:
            assert report.ok, report.errors

    def new_card(self, rng: random.Random, near: Card | None = None) -> Card | None:
        """A card of a question not used yet; with `near`, most often one of its family (a near miss)."""
        if not self.pool:
            return None
        family = [n for n, (topic, _q) in enumerate(self.pool) if near is not None and FAMILY_OF[topic] == FAMILY_OF[near.topic]]
        pick = rng.choice(family) if family and rng.random() < 0.8 else rng.randrange(len(self.pool))
        topic, question = self.pool.pop(pick)
        self.lineages += 1
        answer = rng.choice(SHORT) if rng.random() < 0.7 else rng.choice(LONG)
        return Card(self.lineages, topic, question, answer, term=rng.random() < 0.3)

    def live(self) -> list[tuple[str, Card]]:
        return [(name, card) for name, cards in self.files.items() for card in cards]

    def unique(self, question: str) -> bool:
        return all(c.question != question for _, c in self.live()) and all(c.question != question for c in self.deleted)

    def fits(self, name: str, card: Card) -> bool:
        """A deck holds one card of a topic (two identical cards in one deck are an error)."""
        return all(c.topic != card.topic for c in self.files[name])


def typo(text: str, rng: random.Random) -> str | None:
    """Two neighbouring letters swapped inside a word of five letters or more, never a word's first letter.

    A hyphen starts a word too ("two-layer" is "two" and "layer"): the rule never takes a
    changed first letter for a typo (batch/patch), so "two-alyer" asks something else.
    """
    words = [(i, w) for i, w in enumerate(text.split(" ")) if sum(ch.isalpha() for ch in w) >= 5]
    if not words:
        return None
    i, word = rng.choice(words)
    letters = [
        k
        for k in range(1, len(word) - 1)
        if word[k - 1].isalpha() and word[k].isalpha() and word[k + 1].isalpha() and word[k] != word[k + 1]
    ]
    if not letters:
        return None
    k = rng.choice(letters)
    parts = text.split(" ")
    parts[i] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return " ".join(parts)


def card_row(world: World, name: str, card: Card) -> CardRow:
    path = str((world.folder / name).resolve())
    with world.db.read() as s:
        rows = s.scalars(
            select(CardRow).join(DeckRow, DeckRow.id == CardRow.deck_id).where(
                DeckRow.path == path, CardRow.question == card.question, CardRow.answer == card.answer, CardRow.retired.is_(False)
            )
        ).all()
    assert len(rows) == 1, (name, card, len(rows))
    return rows[0]


def give_review(world: World, name: str, card: Card) -> None:
    row = card_row(world, name, card)
    with world.db.write() as s:
        tag = json.dumps({"lineage": card.lineage, "topic": card.topic})
        s.add(ReviewRow(card_id=row.id, reviewed_at=NOW, rating=3, duration_ms=1000, state_before=tag, state_after="{}"))
        stored = s.get(CardRow, row.id)
        stored.state, stored.reps = 2, stored.reps + 1
    card.reviews += 1


def check(world: World) -> None:
    with world.db.read() as s:
        logged = [(card_id, json.loads(tag)) for card_id, tag in s.execute(select(ReviewRow.card_id, ReviewRow.state_before))]
    topics_of: dict[int, set[int]] = {}
    lineages_of: dict[int, set[int]] = {}
    for card_id, tag in logged:
        topics_of.setdefault(card_id, set()).add(tag["topic"])
        lineages_of.setdefault(card_id, set()).add(tag["lineage"])
    assert all(len(found) == 1 for found in topics_of.values()), "one card carries the reviews of two questions"
    for name, card in world.live():
        row = card_row(world, name, card)
        assert topics_of.get(row.id, set()) <= {card.topic}, f"{card.question!r} carries the history of a question about something else"
        if card.topic not in world.twinned:
            assert lineages_of.get(row.id, set()) <= {card.lineage}, f"{card.question!r} carries another card's history"
            if card.reviews and not card.may_lose:
                kept = sum(1 for card_id, tag in logged if card_id == row.id and tag["lineage"] == card.lineage)
                assert kept == card.reviews, f"{card.question!r} lost its history"


def step(world: World, op: str, rng: random.Random) -> None:
    whole = rng.random() < 0.5
    live = world.live()
    if op == "add" or not live:
        near = [c for _, c in live] + world.deleted
        card = world.new_card(rng, rng.choice(near) if near else None)
        if card is None:
            return
        name = rng.choice(sorted(world.files))
        world.files[name].insert(rng.randrange(len(world.files[name]) + 1), card)
        world.save(name)
        world.sync([name], whole)
        return
    name, card = rng.choice(live)
    cards = world.files[name]
    if op == "review":
        give_review(world, name, card)
    elif op in ("typo_q", "typo_a", "reword_a", "reword_q"):
        edit_text(world, name, card, op, rng, whole)
    elif op == "reorder":
        rng.shuffle(cards)
        world.save(name)
        world.sync([name], whole)
    elif op == "replace":  # in one save, a card deleted and another written where it was, same answer
        other = world.new_card(rng, card)
        if other is None or not world.fits(name, other):
            return
        other.answer = card.answer
        cards[cards.index(card)] = other
        world.deleted.append(card)
        world.save(name)
        world.sync([name], whole)
    elif op == "delete":
        cards.remove(card)
        world.deleted.append(card)
        world.save(name)
        world.sync([name], whole)
    elif op == "restore" and world.deleted:
        back = world.deleted[rng.randrange(len(world.deleted))]
        if world.fits(name, back):
            world.deleted.remove(back)
            world.files[name].insert(rng.randrange(len(cards) + 1), back)
            world.save(name)
            world.sync([name], whole)
    elif op == "move":
        move(world, name, card, rng.choice(sorted(world.files)), rng, whole)
    elif op == "rename":
        world.names += 1
        new_name = f"renamed-{world.names}.md"
        shutil.move(world.folder / name, world.folder / new_name)
        world.files[new_name] = world.files.pop(name)
        world.sync([new_name], whole)
    elif op == "copy_id":
        copy_with_id(world, name, card, whole)
    elif op == "twin":  # the same card written into another deck too: a card of its own, asking the same
        target = rng.choice(sorted(world.files))
        if card.uid is None and world.fits(target, card):
            world.lineages += 1
            world.twinned.add(card.topic)
            world.files[target].append(replace(card, lineage=world.lineages, reviews=0, may_lose=False))
            world.save(target)
            world.sync([target], whole)


def edit_text(world: World, name: str, card: Card, op: str, rng: random.Random, whole: bool) -> None:
    cards = world.files[name]
    if op == "typo_q":
        new = typo(card.question, rng)
        changed = replace(card, question=new) if new and world.unique(new) else None
    elif op == "typo_a":
        new = typo(card.answer, rng)
        changed = replace(card, answer=new) if new else None
    elif op == "reword_a":
        changed = replace(card, answer=rng.choice([a for a in SHORT + LONG if a != card.answer]))
    else:
        new = rng.choice(["In short, ", "Briefly: ", "Remember: "]) + card.question[0].lower() + card.question[1:]
        changed = replace(card, question=new, may_lose=True) if world.unique(new) else None
    if changed is not None:
        cards[cards.index(card)] = changed
        world.save(name)
        world.sync([name], whole)


def move(world: World, name: str, card: Card, target: str, rng: random.Random, whole: bool) -> None:
    """Cut and paste into another deck: in one save, or in two in either order; sometimes a typo fixed on the way."""
    if target != name and not world.fits(target, card):
        return
    order = rng.choice(["one save", "paste first", "delete first"])
    pasted = card
    if rng.random() < 0.5 and (fixed := typo(card.question, rng)) and world.unique(fixed):
        pasted = replace(card, question=fixed)
    if target == name or order == "one save":
        world.files[name].remove(card)
        world.files[target].insert(rng.randrange(len(world.files[target]) + 1), pasted)
        world.save(name)
        world.save(target)
        world.sync([name, target], whole)
        return
    steps = [("paste", target), ("delete", name)]
    for action, where in steps if order == "paste first" else reversed(steps):
        if action == "paste":
            world.files[where].insert(rng.randrange(len(world.files[where]) + 1), pasted)
        else:
            world.files[where].remove(card)
        world.save(where)
        # A pasted `id:` still in its first file is a problem for the paste (no exception);
        # once the original is deleted, the pasted file syncs again.
        clash = card.uid is not None and order == "paste first"
        world.sync([where, target] if clash and action == "delete" else [where], whole, ok=not (clash and action == "paste"))


def copy_with_id(world: World, name: str, card: Card, whole: bool) -> None:
    target = next((n for n in sorted(world.files) if n != name and world.fits(n, card)), None)
    if target is None:
        return
    if card.uid is None:
        card.uid = f"card-{card.lineage}"
        world.save(name)
        world.sync([name], whole)
    world.files[target].append(card)
    world.save(target)
    world.sync([target], whole, ok=False)  # the id is already used: a problem for that file, no exception
    world.files[name].remove(card)
    world.save(name)
    world.sync([name, target], whole)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), ops=st.lists(st.sampled_from(OPS), min_size=4, max_size=16))
def test_history_follows_the_card_through_realistic_edit_sequences(seed: int, ops: list[str]) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decks"
        folder.mkdir()
        db = Database(Path(tmp) / "studydl.db")
        try:
            world = World(folder, db)
            for name in ("a.md", "b.md"):
                world.files[name] = [c for c in (world.new_card(rng) for _ in range(3)) if c]
                world.save(name)
            world.sync(list(world.files), whole_folder=True)
            for name, card in world.live()[:3]:
                give_review(world, name, card)
            for op in ops:
                step(world, op, rng)
                check(world)
        finally:
            db.dispose()


@pytest.mark.parametrize("seed", range(3))
def test_a_long_fixed_sequence_of_every_edit(seed: int, tmp_path: Path) -> None:
    """Every kind of edit, many times over, in one collection (a deterministic companion of the above)."""
    rng = random.Random(seed)
    folder = tmp_path / "decks"
    folder.mkdir()
    db = Database(tmp_path / "studydl.db")
    world = World(folder, db)
    for name in ("a.md", "b.md", "c.md"):
        world.files[name] = [c for c in (world.new_card(rng) for _ in range(4)) if c]
        world.save(name)
    world.sync(list(world.files), whole_folder=True)
    for _ in range(60):
        op = rng.choice(OPS)
        step(world, op, rng)
        if rng.random() < 0.4 and world.live():
            name, card = rng.choice(world.live())
            give_review(world, name, card)
        check(world)
    db.dispose()
