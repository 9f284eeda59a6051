"""The card browser's query language, parsed into SQL conditions (no textual here).

A query is space-separated terms, all of which must hold:

- `word` or `"a phrase"`: the question or the answer contains it (any case);
- `deck:NAME`, `deck:"two words"`: the deck is named NAME (any case, `*` wildcards);
- `tag:X`: the card has tag X (`*` wildcards); `section:X`: its section path contains X;
- `is:due|new|learning|review|suspended|leech|retired|flagged`, `has:demo`, `demo:ID`;
- a leading `-` negates a term: `-is:new`, `-tag:math`.

Retired cards are hidden unless the query names `is:retired` (either way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from studydl.domain.cards import CardView
from studydl.domain.days import day_bounds
from studydl.store.models import CardRow, DeckRow
from studydl.store.queries import LEARNING, NEW, RELEARNING, REVIEW, card_view

DEFAULT_LIMIT = 500
"""How many matching cards the browser shows; the count says how many matched."""

FILTER_KEYS = ("deck", "tag", "section", "is", "has", "demo")
IS_VALUES = ("due", "new", "learning", "review", "suspended", "leech", "retired", "flagged")
HAS_VALUES = ("demo",)

_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S*))')


@dataclass(frozen=True)
class Term:
    """One condition: `key` is None for plain text."""

    key: str | None
    value: str
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()
    problems: tuple[str, ...] = ()
    """Terms that were ignored, one message each (`unknown is:foo`)."""

    @property
    def shows_retired(self) -> bool:
        return any(t.key == "is" and t.value == "retired" for t in self.terms)


@dataclass(frozen=True)
class BrowseResult:
    """The first `limit` matching cards in deck and file order, and how many matched."""

    cards: list[CardView]
    total: int
    problems: tuple[str, ...] = ()


def parse_query(text: str) -> ParsedQuery:
    """Split a query into terms; unknown `is:`/`has:` values and empty filters become problems."""
    terms: list[Term] = []
    problems: list[str] = []
    for match in _TOKEN.finditer(text):
        if not match.group(0):
            continue
        negated, key, quoted, bare = match.groups()
        value = quoted if quoted is not None else bare or ""
        if key and key.lower() not in FILTER_KEYS:
            # `http://x`, `Q:what`: not a filter, just text.
            value, key = f"{key}:{value}", None
        key = key.lower() if key else None
        if key in ("is", "has"):
            value = value.lower()
            allowed = IS_VALUES if key == "is" else HAS_VALUES
            starting = [v for v in allowed if v.startswith(value)] if value else []
            if len(starting) == 1:
                value = starting[0]  # `is:sus` while typing `is:suspended`
            elif value not in allowed:
                problems.append(f"unknown {key}:{value} (try {', '.join(f'{key}:{v}' for v in allowed)})")
                continue
        if not value:
            if key:
                problems.append(f"{key}: needs a value")
            continue
        terms.append(Term(key, value, bool(negated)))
    return ParsedQuery(tuple(terms), tuple(problems))


def _like(value: str, *, anchored: bool) -> str:
    """A LIKE pattern: `%` and `_` escaped, `*` as the wildcard, optionally unanchored."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
    return escaped if anchored else f"%{escaped}%"


def _is_condition(value: str, now: datetime, day_end: datetime) -> ColumnElement[bool]:
    if value == "due":
        return and_(
            CardRow.state.in_((LEARNING, REVIEW, RELEARNING)),
            CardRow.due.is_not(None),
            CardRow.due < day_end,
        )
    return {
        "new": CardRow.state == NEW,
        "learning": CardRow.state.in_((LEARNING, RELEARNING)),
        "review": CardRow.state == REVIEW,
        "suspended": CardRow.suspended.is_(True),
        "leech": CardRow.leech.is_(True),
        "retired": CardRow.retired.is_(True),
        "flagged": CardRow.flag > 0,
    }[value]


def term_condition(term: Term, now: datetime, day_end: datetime) -> ColumnElement[bool]:
    """The SQL condition of one term, before negation."""
    value = term.value
    if term.key is None:
        pattern = _like(value, anchored=False)
        return or_(CardRow.question.ilike(pattern, escape="\\"), CardRow.answer.ilike(pattern, escape="\\"))
    if term.key == "deck":
        named = select(DeckRow.id).where(DeckRow.name.ilike(_like(value, anchored=True), escape="\\"))
        return CardRow.deck_id.in_(named)
    if term.key == "section":
        return CardRow.section.ilike(_like(value, anchored=False), escape="\\")
    if term.key == "tag":
        padded = literal(" ") + CardRow.tags + literal(" ")
        return padded.ilike(f"% {_like(value, anchored=True)} %", escape="\\")
    if term.key == "demo":
        return CardRow.demo_id.ilike(_like(value, anchored=True), escape="\\")
    if term.key == "has":
        return CardRow.demo_id.is_not(None)
    return _is_condition(value, now, day_end)


def conditions(parsed: ParsedQuery, now: datetime, day_end: datetime) -> list[ColumnElement[bool]]:
    """Every condition of the query, with retired cards hidden unless it asks about them."""
    out: list[ColumnElement[bool]] = []
    for term in parsed.terms:
        condition = term_condition(term, now, day_end)
        if term.negated:
            # `-demo:x` must also keep cards with no demo at all (NULL compares to NULL).
            condition = not_(func.coalesce(condition, False))
        out.append(condition)
    if not parsed.shows_retired:
        out.append(CardRow.retired.is_(False))
    return out


def search_cards(
    session: Session,
    query: str | ParsedQuery,
    now: datetime,
    *,
    day_end: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> BrowseResult:
    """The cards matching `query` (first `limit` in deck and file order) and their total count."""
    parsed = parse_query(query) if isinstance(query, str) else query
    where = conditions(parsed, now, day_end or day_bounds(now)[1])
    # No join: decks are few, so their name order goes in as a CASE and their names are
    # attached afterwards. Counting and sorting then read the cards table alone.
    names: dict[int, str] = {deck_id: name for deck_id, name in session.execute(select(DeckRow.id, DeckRow.name))}
    rank = {deck_id: i for i, deck_id in enumerate(sorted(names, key=lambda d: (names[d].lower(), d)))}
    deck_order = case(rank, value=CardRow.deck_id, else_=len(rank)) if rank else literal(0)
    ids = session.scalars(
        select(CardRow.id)
        .where(*where)
        .order_by(deck_order, CardRow.source_path, CardRow.source_line, CardRow.ordinal)
        .limit(limit)
    ).all()
    rows = {row.id: row for row in session.scalars(select(CardRow).where(CardRow.id.in_(ids)))} if ids else {}
    cards = [card_view(rows[i], names.get(rows[i].deck_id, "?")) for i in ids]
    total = len(cards) if len(cards) < limit else int(session.scalar(select(func.count()).select_from(CardRow).where(*where)) or 0)
    return BrowseResult(cards, total, parsed.problems)
