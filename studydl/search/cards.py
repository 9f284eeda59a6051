"""Run a search: the matching cards in deck and file order, and how many matched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from studydl.domain.cards import CardView
from studydl.domain.days import day_bounds
from studydl.search.parser import Query, parse_query
from studydl.search.sqlwriter import SqlWriter
from studydl.store.db import Database
from studydl.store.hot import naive_utc, text_time
from studydl.store.models import CardRow, DeckRow
from studydl.store.queries import card_view

DEFAULT_LIMIT = 500
"""How many matching cards the browser shows; the count says how many matched."""


@dataclass(frozen=True)
class SearchResult:
    """The first `limit` matching cards in deck and file order, and how many matched."""

    cards: list[CardView]
    total: int
    problems: tuple[str, ...] = ()


def search_cards(
    session: Session,
    query: str | Query,
    now: datetime,
    *,
    day_end: datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> SearchResult:
    """The cards matching `query` (the first `limit`, or all with None) and their total count.

    `day_end` is when the study day ends (`is:due`); by default the day of `now` with a 4 am start.
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    decks = {i: (name, rel, path) for i, name, rel, path in session.execute(select(DeckRow.id, DeckRow.name, DeckRow.rel_path, DeckRow.path))}
    to_db = text_time if session.get_bind().dialect.name == "sqlite" else naive_utc
    writer = SqlWriter([(i, name, rel) for i, (name, rel, _path) in decks.items()], day_end or day_bounds(now)[1], to_db)
    where = (_bound(*writer.where(parsed)),)
    # No join: decks are few, so their order goes in as a CASE and their names are attached
    # afterwards. Counting and sorting then read the cards table alone.
    order = sorted(decks, key=lambda d: (decks[d][0].lower(), decks[d][1], d))
    rank = {deck_id: i for i, deck_id in enumerate(order)}
    deck_order = case(rank, value=CardRow.deck_id, else_=len(rank)) if rank else literal(0)
    statement = select(CardRow.id).where(*where).order_by(deck_order, CardRow.source_line, CardRow.ordinal)
    ids = session.scalars(statement.limit(limit) if limit is not None else statement).all()
    rows: dict[int, CardRow] = {}
    for start in range(0, len(ids), 30_000):  # SQLite's variable limit is 32,766
        chunk = ids[start : start + 30_000]
        rows.update((row.id, row) for row in session.scalars(select(CardRow).where(CardRow.id.in_(chunk))))
    cards = [card_view(rows[i], *_name_path(decks, rows[i].deck_id)) for i in ids]
    if limit is None or len(cards) < limit:
        total = len(cards)
    else:
        total = int(session.scalar(select(func.count()).select_from(CardRow).where(*where)) or 0)
    return SearchResult(cards, total, parsed.problems)


def search(db: Database, query: str | Query, now: datetime, *, day_end: datetime | None = None, limit: int | None = DEFAULT_LIMIT) -> SearchResult:
    """`search_cards` in a read session of its own."""
    with db.read() as s:
        return search_cards(s, query, now, day_end=day_end, limit=limit)


def _bound(sql: str, params: list) -> TextClause:
    """The writer's condition (`?` placeholders) as a SQLAlchemy text clause with named parameters."""
    numbers = iter(range(len(params)))
    named = re.sub(r"\?", lambda _m: f":p{next(numbers)}", sql)
    return text(named).bindparams(**{f"p{i}": value for i, value in enumerate(params)})


def _name_path(decks: dict[int, tuple[str, str, str]], deck_id: int) -> tuple[str, str]:
    name, _rel, path = decks.get(deck_id, ("?", "", ""))
    return name, path
