"""Read queries shared by the CLI, the engine and the UI; they return domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from studydl.domain.cards import CardView, DeckCounts
from studydl.store.models import CardRow, DeckRow

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3


def card_view(row: CardRow, deck_name: str) -> CardView:
    return CardView(
        id=row.id,
        uid=row.uid,
        deck=deck_name,
        section=row.section,
        kind=row.kind,
        question=row.question,
        answer=row.answer,
        demo_id=row.demo_id,
        tags=tuple(row.tags.split()) if row.tags else (),
        retired=row.retired,
        suspended=row.suspended,
        source_path=row.source_path,
        source_line=row.source_line,
        state=row.state,
        due=row.due,
        flag=row.flag,
        leech=row.leech,
        note_uid=row.note_uid,
    )


def list_cards(session: Session, deck: str | None = None, include_retired: bool = True) -> list[CardView]:
    """Every card (of one deck, by name), in deck and file order."""
    query = select(CardRow, DeckRow.name).join(DeckRow, CardRow.deck_id == DeckRow.id)
    if deck is not None:
        query = query.where(func.lower(DeckRow.name) == deck.lower())
    if not include_retired:
        query = query.where(CardRow.retired.is_(False))
    query = query.order_by(DeckRow.name, CardRow.source_path, CardRow.source_line, CardRow.ordinal)
    return [card_view(row, name) for row, name in session.execute(query)]


def deck_names(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(DeckRow.name))))


def due_counts(session: Session, now: datetime, day_end: datetime) -> list[DeckCounts]:
    """Per deck: new cards, learning cards due now, review cards due before the day ends.

    Limits and buried siblings are the review engine's business; these are raw counts.
    """
    live = (CardRow.retired.is_(False)) & (CardRow.suspended.is_(False))
    query = (
        select(
            DeckRow.name,
            func.sum(case((CardRow.state == NEW, 1), else_=0)),
            func.sum(case(((CardRow.state.in_((LEARNING, RELEARNING))) & (CardRow.due <= now), 1), else_=0)),
            func.sum(case(((CardRow.state == REVIEW) & (CardRow.due < day_end), 1), else_=0)),
            func.count(CardRow.id),
        )
        .join(CardRow, CardRow.deck_id == DeckRow.id)
        .where(live)
        .group_by(DeckRow.name)
        .order_by(DeckRow.name)
    )
    return [DeckCounts(name, int(n or 0), int(lrn or 0), int(rev or 0), int(total)) for name, n, lrn, rev, total in session.execute(query)]
