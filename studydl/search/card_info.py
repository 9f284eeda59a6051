"""One card's detail (scheduling state and history), each card's scheduling facts, suspend and flag.

What the browser shows beside its list and `studydl cards --json` prints beside each
card's text. Plain functions over the store, one session per action. Suspend and
flag are direct writes: a ReviewSession would load a whole review queue just to flip
a column, and a running session reloads its queue from the store anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from studydl.domain.cards import CardView
from studydl.domain.review import CardState
from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.setting_values import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow
from studydl.store.queries import card_view


def retrievability(model: FsrsModel, stability: float | None, last_review: datetime | None, now: datetime) -> float | None:
    """FSRS's probability of recall at `now` (None for a card never reviewed); days as a fraction, as Anki shows it."""
    if stability is None or last_review is None or stability <= 0:
        return None
    return model.retrievability(stability, (now - last_review).total_seconds() / 86400)


@dataclass(frozen=True)
class Scheduling:
    """A card's scheduling state as `cards --json` and the browser show it."""

    state: CardState
    due: datetime | None
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    """Probability of recall now (None for a card never reviewed)."""
    reps: int
    lapses: int
    last_review: datetime | None
    last_rating: int | None


def scheduling(session: Session, card_ids: Sequence[int], now: datetime, model: FsrsModel | Settings) -> dict[int, Scheduling]:
    """The scheduling state of each card, with its latest rating from the review log.

    `model`: one FSRS model for every card, or the settings, whose presets give each deck's
    parameters (the forgetting curve a card's retrievability follows is its deck's preset's).
    """
    models: dict[tuple[float, ...] | None, FsrsModel] = {}

    def model_of(deck: str) -> FsrsModel:
        if isinstance(model, FsrsModel):
            return model
        parameters = model.for_deck(deck).parameters
        if parameters not in models:
            models[parameters] = FsrsModel(parameters)
        return models[parameters]

    out: dict[int, Scheduling] = {}
    for start in range(0, len(card_ids), 30_000):  # SQLite's variable limit is 32,766
        chunk = list(card_ids[start : start + 30_000])
        latest = select(func.max(ReviewRow.id)).where(ReviewRow.card_id.in_(chunk), ReviewRow.kind == "scheduled").group_by(ReviewRow.card_id)
        ratings = dict(session.execute(select(ReviewRow.card_id, ReviewRow.rating).where(ReviewRow.id.in_(latest))).all())
        columns = (CardRow.id, CardRow.state, CardRow.due, CardRow.stability, CardRow.difficulty, CardRow.reps, CardRow.lapses, CardRow.last_review, DeckRow.name)
        query = select(*columns).join(DeckRow, DeckRow.id == CardRow.deck_id).where(CardRow.id.in_(chunk))
        for card_id, state, due, stability, difficulty, reps, lapses, last, deck in session.execute(query):
            out[card_id] = Scheduling(
                CardState(state), due, stability, difficulty, retrievability(model_of(deck), stability, last, now),
                reps, lapses, last, ratings.get(card_id),
            )  # fmt: skip
    return out


@dataclass(frozen=True)
class CardDetail:
    """A card with its full scheduling state and its review history."""

    card: CardView
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    last_review: datetime | None
    history: list  # list[studydl.engine.history.ReviewEntry]


def _card(db: Database, card_id: int) -> tuple[CardRow, str, str] | None:
    with db.read() as s:
        found = s.execute(
            select(CardRow, DeckRow.name, DeckRow.path).join(DeckRow, CardRow.deck_id == DeckRow.id).where(CardRow.id == card_id)
        ).one_or_none()
    return (found[0], found[1], found[2]) if found is not None else None


def load_card(db: Database, card_id: int) -> CardView | None:
    """The card as a search lists it, or None if it is gone."""
    found = _card(db, card_id)
    return card_view(*found) if found is not None else None


def load_detail(db: Database, card_id: int) -> CardDetail | None:
    """The card, its scheduling numbers and its answers (oldest first), or None if it is gone."""
    from studydl.engine.history import card_history

    found = _card(db, card_id)
    if found is None:
        return None
    row = found[0]
    return CardDetail(
        card=card_view(*found),
        stability=row.stability,
        difficulty=row.difficulty,
        reps=row.reps,
        lapses=row.lapses,
        last_review=row.last_review,
        history=card_history(db, card_id),
    )


def set_suspended(db: Database, card_id: int, suspended: bool) -> CardView | None:
    """Suspend or unsuspend one card; returns it as stored afterwards."""
    with db.write() as s:
        s.execute(update(CardRow).where(CardRow.id == card_id).values(suspended=suspended))
    return load_card(db, card_id)


def set_flag(db: Database, card_id: int, flag: int) -> CardView | None:
    """Set a card's flag (0 clears it); returns it as stored afterwards."""
    if flag not in range(5):
        raise ValueError(f"flag must be 0-4, not {flag}")
    with db.write() as s:
        s.execute(update(CardRow).where(CardRow.id == card_id).values(flag=flag))
    return load_card(db, card_id)
