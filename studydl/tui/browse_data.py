"""What the card browser reads and writes beyond the card list: one card's detail, suspend, flag.

Plain functions over the store (no textual), each one session per action. Suspend
and flag are direct writes: a ReviewSession would load a whole review queue just
to flip a column, and the session reloads its queue from the store anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from studydl.domain.cards import CardView
from studydl.engine.history import ReviewEntry, card_history
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow
from studydl.store.queries import card_view


@dataclass(frozen=True)
class CardDetail:
    """A card with its full scheduling state and its review history."""

    card: CardView
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    last_review: datetime | None
    history: list[ReviewEntry]


def _card(db: Database, card_id: int) -> tuple[CardRow, str] | None:
    with db.read() as s:
        found = s.execute(
            select(CardRow, DeckRow.name).join(DeckRow, CardRow.deck_id == DeckRow.id).where(CardRow.id == card_id)
        ).one_or_none()
    return (found[0], found[1]) if found is not None else None


def load_card(db: Database, card_id: int) -> CardView | None:
    """The card as the browser lists it, or None if it is gone."""
    found = _card(db, card_id)
    return card_view(*found) if found is not None else None


def load_detail(db: Database, card_id: int) -> CardDetail | None:
    """The card, its scheduling numbers and its answers (oldest first), or None if it is gone."""
    found = _card(db, card_id)
    if found is None:
        return None
    row, deck = found
    return CardDetail(
        card=card_view(row, deck),
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
