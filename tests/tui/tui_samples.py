"""A small, deterministic collection for the browse and stats tests: real deck files, real sync."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from studydl.decks.sync import sync_decks
from studydl.domain.review import Rating
from studydl.engine.session import ReviewSession
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
"""The fixed clock of these tests (a Friday, noon UTC)."""

BASICS = """
---
deck: Neural basics
tags: [basics]
---

# Neurons

Q: What does one neuron compute?
A: A weighted sum of its inputs plus a bias, through an activation.

ReLU :: max(0, x) #activation

# Training / Backprop

Q: What is backpropagation?
A: The chain rule applied layer by layer, from the loss back to every weight.

demo: xor-mlp

Q: Why does XOR need a hidden layer?
A: Its two classes are not linearly separable.

demo: perceptron
"""

OPTIMIZERS = """
---
deck: Optimizers
---

# SGD

Q: What is momentum?
A: A running average of past gradients that smooths the steps.

Q: What does Adam adapt?
A: A step size per parameter, from running moments of the gradient.

Learning rate ::: the step size of gradient descent
"""

STATES = {
    # question start: (state, due offset, extra columns)
    "What does one neuron": (0, None, {}),
    "ReLU": (2, timedelta(days=-1), {"stability": 12.5, "difficulty": 4.2, "reps": 4}),
    "What is backprop": (1, timedelta(hours=-1), {"flag": 1, "reps": 1}),
    "Why does XOR": (2, timedelta(days=10), {"suspended": True, "leech": True, "lapses": 8, "reps": 14}),
    "What does Adam": (3, timedelta(minutes=10), {"reps": 6, "lapses": 1}),
}


def write_decks(root: Path) -> Path:
    """Write the two deck files under `root/decks`."""
    folder = root / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("basics.md", BASICS), ("optimizers.md", OPTIMIZERS)):
        (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def sample_collection(db: Database, root: Path) -> dict[str, int]:
    """Sync the sample decks, give cards their test states, retire one; returns ids by question start."""
    folder = write_decks(root)
    report = sync_decks(db, [folder], known_demos={"xor-mlp", "perceptron"}, clock=lambda: NOW)
    assert report.ok, report.errors
    ids: dict[str, int] = {}
    with db.write() as s:
        for row in s.scalars(select(CardRow)):
            ids[row.question] = row.id
            for start, (state, offset, extra) in STATES.items():
                if row.question.startswith(start):
                    row.state = state
                    row.due = NOW + offset if offset is not None else None
                    row.last_review = NOW - timedelta(days=2) if state else None
                    for key, value in extra.items():
                        setattr(row, key, value)
            if row.question == "the step size of gradient descent":
                row.retired = True
    answer_momentum(db, ids["What is momentum?"])
    return ids


MOMENTUM_ANSWERS = ((-40, Rating.GOOD), (-39, Rating.GOOD), (-30, Rating.AGAIN), (-29, Rating.GOOD), (-12, Rating.EASY))
"""(day offset, rating): the momentum card's history, answered through the review engine."""


def answer_momentum(db: Database, card_id: int) -> None:
    moment = [NOW]
    session = ReviewSession(db, clock=lambda: moment[0])
    for days, rating in MOMENTUM_ANSWERS:
        moment[0] = NOW + timedelta(days=days)
        session.answer(card_id, rating, duration_ms=4200 + 100 * days)


def add_review_log(db: Database, card_id: int, days: int = 200) -> int:
    """A deterministic spread of answers over the last `days` days (direct rows, for the stats)."""
    rows = []
    for back in range(days):
        day = NOW - timedelta(days=back, hours=1)
        count = (back * 7 + back // 5) % 13 + (back == 0) if back % 6 != 1 else 0
        for i in range(count):
            state = 2 if (back + i) % 3 else 0
            rating = 1 if (back + 2 * i) % 7 == 0 else 3
            rows.append(
                ReviewRow(
                    card_id=card_id,
                    reviewed_at=day - timedelta(minutes=i),
                    rating=rating,
                    duration_ms=3000 + 250 * i,
                    state_before=json.dumps({"state": state}),
                    state_after=json.dumps({"state": 2, "due": (day + timedelta(days=3)).isoformat()}),
                )
            )
    with db.write() as s:
        s.add_all(rows)
    return len(rows)
