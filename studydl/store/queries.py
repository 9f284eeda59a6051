"""Read queries shared by the CLI, the engine and the UI; they return domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studydl.domain.cards import CardView
from studydl.domain.checks import AnswerCheck
from studydl.domain.deck_match import deck_matches  # noqa: F401  (re-exported: the CLI finds decks here)
from studydl.domain.review import CardState
from studydl.store.models import CardRow, DeckRow

NEW, LEARNING, REVIEW, RELEARNING = (int(state) for state in CardState)


def card_view(row: Any, deck_name: str, source_path: str = "") -> CardView:
    """A card row (ORM or plain, same column names) as the CLI and UI show it; `source_path` is its deck's file."""
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
        source_path=source_path,
        source_line=row.source_line,
        state=row.state,
        due=row.due,
        flag=row.flag,
        leech=row.leech,
        note_uid=row.note_uid,
        check=AnswerCheck.from_json(row.answer_check),
    )


def deck_rows(session: Session) -> list[tuple[int, str, str]]:
    """(id, name, rel_path) of every deck."""
    return [tuple(r) for r in session.execute(select(DeckRow.id, DeckRow.name, DeckRow.rel_path))]  # type: ignore[misc]


def list_cards(session: Session, deck: str | None = None, include_retired: bool = True) -> list[CardView]:
    """Every card (of the decks `deck` names, see `deck_matches`), in deck and file order."""
    query = select(CardRow, DeckRow.name, DeckRow.path).join(DeckRow, CardRow.deck_id == DeckRow.id)
    if deck is not None:
        query = query.where(CardRow.deck_id.in_(deck_matches(deck, deck_rows(session))))
    if not include_retired:
        query = query.where(CardRow.retired.is_(False))
    query = query.order_by(DeckRow.name, DeckRow.rel_path, CardRow.source_line, CardRow.ordinal)
    return [card_view(row, name, path) for row, name, path in session.execute(query)]


def deck_names(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(DeckRow.name))))


@dataclass(frozen=True)
class DeckInfo:
    """A deck as `studydl decks` and the deck list show where it comes from."""

    id: int
    name: str
    root: str
    rel_path: str
    path: str
    cards: int
    """Live (not retired) cards."""
    synced: bool
    """False once its file is gone (its cards are retired, their history kept)."""


def deck_infos(session: Session) -> list[DeckInfo]:
    """Every deck with its root, file and live card count, by name."""
    live = (
        select(CardRow.deck_id, func.count().label("n"))
        .where(CardRow.retired.is_(False))
        .group_by(CardRow.deck_id)
        .subquery()
    )
    query = select(DeckRow, func.coalesce(live.c.n, 0)).outerjoin(live, live.c.deck_id == DeckRow.id)
    out = [
        DeckInfo(row.id, row.name, row.root, row.rel_path, row.path, int(n), row.file_hash is not None)
        for row, n in session.execute(query)
    ]
    return sorted(out, key=lambda d: (d.name.lower(), d.root, d.rel_path))


def has_demo_cards(session: Session, deck: str | None = None) -> bool:
    """Whether any live card (of one deck, by name) launches a demo."""
    query = select(CardRow.id).join(DeckRow, CardRow.deck_id == DeckRow.id).where(CardRow.demo_id.is_not(None), CardRow.retired.is_(False))
    if deck is not None:
        query = query.where(func.lower(DeckRow.name) == deck.lower())
    return session.execute(query.limit(1)).first() is not None
