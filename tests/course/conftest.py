"""Course fixtures: two small real decks, one requiring the other's section, synced into a real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from studydl.decks.sync import sync_decks
from studydl.domain.review import Rating
from studydl.engine.session import ReviewSession
from studydl.store.db import Database
from tests.backends import backend  # noqa: F401  (the fixture: every test using `db` runs on both)
from tests.engine.engine_samples import START, Clock

BACKPROP = """\
---
deck: Backprop basics
---
# Chain rule

Q: What does the chain rule give?
A: The derivative of a composition.

# Backpropagation

demo: backprop

Q: What does backpropagation compute?
A: Every weight's gradient of the loss.

Q: In which order does backpropagation visit the layers?
A: From the last to the first.
"""

RNN = """\
---
deck: Recurrent
requires:
  LSTM: [backprop#Backpropagation, "#Vanishing gradients"]
  Vanishing gradients: [backprop#Chain rule]
---
# Vanishing gradients

Q: Why do gradients vanish in a long RNN?
A: They are multiplied by many small factors.

# LSTM

Q: Which gate decides what the cell forgets?
A: The forget gate.
"""


@pytest.fixture(autouse=True)
def _utc_local_zone(utc) -> None:
    """Local time = UTC: study days start at 4 am UTC."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def course(db: Database, write_deck: Callable[[str, str], Path]) -> Database:
    paths = [write_deck("backprop.md", BACKPROP), write_deck("rnn.md", RNN)]
    report = sync_decks(db, paths, clock=lambda: START - timedelta(days=1))
    assert report.ok, report.errors
    return db


def study(db: Database, clock: Clock, deck: str, rating: Callable[[str], Rating] = lambda _q: Rating.GOOD) -> list[str]:
    """Answer every card the session hands out (each answer ten minutes after the last); the questions answered."""
    session = ReviewSession(db, deck, clock=clock)
    seen = []
    while (due := session.next_card()) is not None:
        session.answer(due.card.id, rating(due.card.question), 5000)
        seen.append(due.card.question)
        clock.advance(minutes=10)
    return seen


def forget_once(word: str) -> Callable[[str], Rating]:
    """Again the first time a question with `word` comes, Good for everything else."""
    forgotten: set[str] = set()

    def rating(question: str) -> Rating:
        if word in question and question not in forgotten:
            forgotten.add(question)
            return Rating.AGAIN
        return Rating.GOOD

    return rating
