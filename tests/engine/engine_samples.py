"""Sample decks, a hand-moved clock and small queries shared by the engine tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow

START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
"""A Monday noon (UTC, which the tests make the local zone)."""

BASICS = """
---
deck: Basics
---

# Basics

Q: What does SGD stand for?
A: Stochastic gradient descent.

Q: What is an epoch?
A: One pass over the training data.

Q: What is a batch?
A: A group of examples processed together.

Q: What is a learning rate?
A: The step size of gradient descent.

Q: What is overfitting?
A: Fitting noise in the training data.

## Words

Sigmoid ::: the logistic function 1 / (1 + e^-x)

The {{encoder}} reads the input and the {{decoder}} writes the output.
"""

OTHER = """
---
deck: Other
---

# Other

Q: What is a tensor?
A: An n-dimensional array.

Q: What is a gradient?
A: The vector of partial derivatives.

Q: What is ReLU?
A: max(0, x).
"""


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def card_ids(db: Database, deck: str | None = None, **where: object) -> list[int]:
    """Card ids in file order (optionally of one deck, or filtered by column values)."""
    query = select(CardRow.id).join(DeckRow, DeckRow.id == CardRow.deck_id).order_by(CardRow.id)
    if deck is not None:
        query = query.where(DeckRow.name == deck)
    for column, value in where.items():
        query = query.where(getattr(CardRow, column) == value)
    with db.read() as s:
        return list(s.scalars(query))


def no_fuzz(**changes: object) -> Settings:
    """Default settings with fuzz off (plus changes)."""
    return Settings(fuzz=False, **changes)


def simulated_log(card_ids: list[int], reviews_per_card: int, start: datetime, seed: int = 3) -> list[dict]:
    """Review-log rows of a learner who forgets faster than FSRS's defaults predict.

    Each card is reviewed when due (plus up to half a day), through the real scheduler.
    """
    import random

    from studydl.domain.review import Rating
    from studydl.engine.scheduler import CardScheduler, Memory

    rng = random.Random(seed)
    scheduler = CardScheduler(Settings(fuzz=False, timezone="UTC"))
    rows = []
    for card_id in card_ids:
        memory, when = Memory(), start + timedelta(hours=rng.uniform(0, 48))
        for _ in range(reviews_per_card):
            if memory.last_review is None or memory.stability is None:
                recall = 0.7
            else:
                elapsed = scheduler.elapsed_days(memory, when)
                recall = scheduler.model.retrievability(memory.stability, elapsed) ** 2
            rating = Rating.AGAIN if rng.random() > recall else rng.choice((Rating.GOOD,) * 5 + (Rating.HARD, Rating.EASY))
            after, _ = scheduler.review(card_id, memory, rating, when)
            rows.append(
                dict(card_id=card_id, reviewed_at=when, rating=int(rating), duration_ms=5000,
                     state_before=memory.to_json(), state_after=after.to_json())
            )
            memory, when = after, after.due + timedelta(hours=rng.uniform(0, 12))
    return rows
