"""A home with two decks of every card kind, studied through the real review session at chosen times.

The answers fall on both sides of New York's autumn DST change (1 Nov 2026) and leave
cards in every state: new, learning, review, relearning, suspended, flagged, and
one with a cram answer. Shared by the studydl -> studydl and studydl -> Anki round trips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlalchemy import select

from studydl.cli import cli
from studydl.domain.review import Rating
from studydl.engine.cram import CramSession
from studydl.engine.session import ReviewSession
from studydl.engine.settings import load_settings, save_setting
from studydl.home import Home
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow

ZONE = "America/New_York"
NY = ZoneInfo(ZONE)

RNN = """\
---
deck: Recurrent networks
tags: [rnn]
---

Q: Which LSTM gate decides what to drop from the cell state?
A: forget
answer: typed

# LSTM

BPTT :: backpropagation through time
answer: typed

Vanishing gradient ::: gradients shrinking exponentially through many steps

GRU ::: gated recurrent unit
answer: typed

The LSTM cell has a {{forget}} gate, an {{input::which?}} gate and an {{output}} gate.

## Gates

The {{sigmoid}} squashes each gate into (0, 1).
answer: typed

Q: What does this line compute?
```python
c = f * c + i * g
```
A: The new cell state.
"""

OPT = """\
---
deck: Optimizers
---

# Momentum

Momentum :: a running average of past gradients

Adam ::: adaptive moment estimation

Q: Which optimizer keeps a second moment?
A: Adam
"""

GOOD, HARD, AGAIN, EASY = Rating.GOOD, Rating.HARD, Rating.AGAIN, Rating.EASY


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


PLAN: dict[str, list[tuple[datetime, Rating]]] = {
    # question -> answers; the first answer's card in a note is the first of its kind in file order
    "Which LSTM gate decides what to drop from the cell state?": [
        (ny(2026, 10, 20, 21, 0), GOOD), (ny(2026, 10, 20, 21, 10), GOOD), (ny(2026, 10, 23, 8, 0), GOOD),
        (ny(2026, 11, 2, 3, 50), HARD), (ny(2026, 11, 12, 22, 30), GOOD),
    ],  # review, across the DST change, one answer before the 4 am day start
    "BPTT": [(ny(2026, 10, 25, 9, 0), GOOD), (ny(2026, 10, 25, 9, 2), GOOD), (ny(2026, 11, 1, 1, 30), AGAIN)],  # relearning
    "Vanishing gradient": [(ny(2026, 12, 1, 20, 0), AGAIN)],  # learning, first step
    "Adam": [(ny(2026, 12, 1, 20, 5), GOOD)],  # learning, second step
    "gradients shrinking exponentially through many steps": [(ny(2026, 10, 28, 7, 0), EASY)],
    "The LSTM cell has a [...] gate, an input gate and an output gate.": [(ny(2026, 11, 3, 12, 0), GOOD), (ny(2026, 11, 3, 12, 10), GOOD)],
    "The [...] squashes each gate into (0, 1).": [(ny(2026, 10, 30, 18, 0), EASY)],
    "gated recurrent unit": [(ny(2026, 11, 25, 7, 30), GOOD), (ny(2026, 11, 25, 7, 41), GOOD)],
    "Momentum": [(ny(2026, 10, 21, 10, 0), GOOD), (ny(2026, 10, 21, 10, 9), GOOD), (ny(2026, 10, 24, 10, 0), EASY)],
}
SUSPEND = "Which optimizer keeps a second moment?"
FLAG = ("Adam", 3)
CRAM = (ny(2026, 11, 20, 19, 0), "Momentum", AGAIN)


@dataclass(frozen=True)
class Studied:
    home: Home
    reviews: int


def run(home: Home, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home.root), *args], catch_exceptions=False)


def studied_home(root: Path) -> Studied:
    """Write the two decks, sync them, answer the PLAN in New York time, suspend, flag and cram."""
    home = Home(root).ensure()
    (home.decks_dir / "rnn.md").write_text(RNN, encoding="utf-8")
    (home.decks_dir / "opt.md").write_text(OPT, encoding="utf-8")
    done = run(home, "sync", str(home.decks_dir / "rnn.md"), str(home.decks_dir / "opt.md"))
    assert done.exit_code == 0, done.output
    db = home.open_db()
    try:
        save_setting(db, "timezone", ZONE)
        settings = load_settings(db)
        ids = _ids(db)
        clock = _Clock()
        session = ReviewSession(db, clock=clock, settings=settings)
        answers = sorted((at, question, rating) for question, plan in PLAN.items() for at, rating in plan)
        for n, (at, question, rating) in enumerate(answers):
            clock.now = at
            session.answer(ids[question], rating, duration_ms=3000 + 17 * n)
        session.suspend(ids[SUSPEND])
        session.set_flag(ids[FLAG[0]], FLAG[1])
        clock.now = CRAM[0]
        CramSession(db, "Optimizers", clock=clock, settings=settings, seed=1).answer(ids[CRAM[1]], CRAM[2], duration_ms=4100)
        with db.read() as s:
            reviews = len(s.scalars(select(ReviewRow.id)).all())
    finally:
        db.dispose()
    return Studied(home, reviews)


class _Clock:
    now = datetime(2026, 10, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _ids(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {q: i for i, q in s.execute(select(CardRow.id, CardRow.question))}


@dataclass(frozen=True)
class CardSnapshot:
    deck: str
    section: str
    kind: str
    question: str
    answer: str
    typed: bool
    tags: tuple[str, ...]
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None
    reps: int
    lapses: int
    suspended: bool
    flag: int
    log: tuple[tuple[int, int, int | None, str], ...]
    """(answered at, ms; rating; duration ms; kind) oldest first."""


def snapshot(home: Home) -> dict[tuple[str, str], CardSnapshot]:
    """Every live card of the home by (deck, question), with its state and log."""
    db = home.open_db()
    try:
        with db.read() as s:
            rows = s.execute(select(CardRow, DeckRow.name).join(DeckRow, DeckRow.id == CardRow.deck_id).where(CardRow.retired.is_(False))).all()
            logs: dict[int, list] = {}
            for review in s.scalars(select(ReviewRow).order_by(ReviewRow.reviewed_at, ReviewRow.id)):
                at = review.reviewed_at if review.reviewed_at.tzinfo else review.reviewed_at.replace(tzinfo=UTC)
                logs.setdefault(review.card_id, []).append((int(at.timestamp() * 1000), review.rating, review.duration_ms, review.kind))
            out = {}
            for row, deck in rows:
                out[(deck, row.question)] = CardSnapshot(
                    deck, row.section, row.kind, row.question, row.answer, '"typed"' in (row.answer_check or ""),
                    tuple(sorted(row.tags.split())), row.state, row.step, row.stability, row.difficulty, _utc(row.due),
                    _utc(row.last_review), row.reps, row.lapses, row.suspended, row.flag, tuple(logs.get(row.id, [])),
                )
            return out
    finally:
        db.dispose()


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
