"""A card's review history, and its scheduling state rebuilt by replaying the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from studydl.domain.review import CardState, Rating
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.engine.settings import Settings, load_settings
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow


@dataclass(frozen=True)
class ReviewEntry:
    """One answer in a card's history."""

    reviewed_at: datetime
    rating: Rating
    duration_ms: int | None
    interval: timedelta | None
    """Time from this answer to the due date it set."""
    state_after: CardState
    stability: float | None
    difficulty: float | None


def card_history(db: Database, card_id: int) -> list[ReviewEntry]:
    """Every answer to the card, oldest first."""
    query = (
        select(ReviewRow.reviewed_at, ReviewRow.rating, ReviewRow.duration_ms, ReviewRow.state_after)
        .where(ReviewRow.card_id == card_id)
        .order_by(ReviewRow.reviewed_at, ReviewRow.id)
    )
    with db.read() as s:
        rows = s.execute(query).all()
    entries = []
    for reviewed_at, rating, duration_ms, state_after in rows:
        after = Memory.from_dict(json.loads(state_after))
        interval = after.due - reviewed_at if after.due is not None else None
        entries.append(
            ReviewEntry(reviewed_at, Rating(rating), duration_ms, interval, after.state, after.stability, after.difficulty)
        )
    return entries


def replay_card(db: Database, card_id: int, settings: Settings | None = None) -> Memory:
    """The card's scheduling state rebuilt from a new card by replaying its log.

    Equal to the stored state while the scheduling settings (parameters, retention,
    steps, fuzz) are those the answers were given under. `suspended` here is only
    what leech handling set; a manual suspend is not in the log.
    """
    settings = settings if settings is not None else load_settings(db)
    scheduler = CardScheduler(settings)
    query = select(ReviewRow.reviewed_at, ReviewRow.rating).where(ReviewRow.card_id == card_id).order_by(
        ReviewRow.reviewed_at, ReviewRow.id
    )
    with db.read() as s:
        rows = s.execute(query).all()
    memory = Memory()
    for reviewed_at, rating in rows:
        memory, _ = scheduler.review(card_id, memory, Rating(rating), reviewed_at)
    return memory


def stored_memory(db: Database, card_id: int) -> Memory:
    """The card's scheduling state as stored in its row."""
    with db.read() as s:
        row = s.get(CardRow, card_id)
        if row is None:
            raise KeyError(card_id)
        return Memory.from_row(row)
