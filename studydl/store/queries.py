"""Read queries shared by the CLI, the engine and the UI; they return domain objects."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studydl.domain.cards import CardView
from studydl.domain.review import CardState
from studydl.store.models import CardRow, DeckRow

NEW, LEARNING, REVIEW, RELEARNING = (int(state) for state in CardState)


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


def has_demo_cards(session: Session, deck: str | None = None) -> bool:
    """Whether any live card (of one deck, by name) launches a demo."""
    query = select(CardRow.id).join(DeckRow, CardRow.deck_id == DeckRow.id).where(CardRow.demo_id.is_not(None), CardRow.retired.is_(False))
    if deck is not None:
        query = query.where(func.lower(DeckRow.name) == deck.lower())
    return session.execute(query.limit(1)).first() is not None
