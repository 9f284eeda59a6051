"""A parsed search as SQL conditions on the cards table (the shape of Anki's rslib search/sqlwriter.rs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, func, literal, not_, or_

from studydl.search.parser import NOTHING, And, Node, Not, Or, Query, Term
from studydl.store.models import CardRow, ReviewRow
from studydl.store.queries import LEARNING, NEW, RELEARNING, REVIEW, deck_matches


def like(value: str, *, anchored: bool) -> str:
    """A LIKE pattern: `%` and `_` escaped, `*` as the wildcard, optionally unanchored."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
    return escaped if anchored else f"%{escaped}%"


@dataclass(frozen=True)
class SqlWriter:
    """What conditions need besides the query: the decks (for `deck:`) and the end of the study day (for `is:due`)."""

    decks: Iterable[tuple[int, str, str]]
    """(id, name, rel_path) of every deck."""
    day_end: datetime

    def where(self, query: Query) -> list[ColumnElement[bool]]:
        """Every condition of the query, with retired cards hidden unless it asks about them."""
        out = [] if query.node is None else [self.node(query.node)]
        if not query.shows_retired:
            out.append(CardRow.retired.is_(False))
        return out

    def node(self, node: Node) -> ColumnElement[bool]:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Not):
            # `-demo:x` must also keep cards with no demo at all (NULL compares to NULL).
            return not_(func.coalesce(self.node(node.node), False))
        parts = [self.node(child) for child in node.nodes]
        return and_(*parts) if isinstance(node, And) else or_(*parts) if isinstance(node, Or) else false()

    def term(self, term: Term) -> ColumnElement[bool]:
        """The SQL condition of one term."""
        value = term.value
        if term.key is None:
            pattern = like(value, anchored=False)
            return or_(CardRow.question.ilike(pattern, escape="\\"), CardRow.answer.ilike(pattern, escape="\\"))
        if term.key == "deck":
            ids = deck_matches(value, self.decks)
            return CardRow.deck_id.in_(ids) if ids else false()
        if term.key == "section":
            return CardRow.section.ilike(like(value, anchored=False), escape="\\")
        if term.key == "tag":
            padded = literal(" ") + CardRow.tags + literal(" ")
            return padded.ilike(f"% {like(value, anchored=True)} %", escape="\\")
        if term.key == "demo":
            return CardRow.demo_id.ilike(like(value, anchored=True), escape="\\")
        if term.key == "has":
            return self.has_condition(value)
        if term.key == NOTHING:
            return false()
        return self.is_condition(value)

    @staticmethod
    def has_condition(value: str) -> ColumnElement[bool]:
        """`has:demo`, `has:typed`, `has:predict` (the answer check as the store writes it), `has:cram`."""
        if value == "demo":
            return CardRow.demo_id.is_not(None)
        if value == "cram":
            return exists().where(ReviewRow.card_id == CardRow.id, ReviewRow.kind == "cram")
        return CardRow.answer_check.like('%"typed": true%' if value == "typed" else '%"predict": {%')

    def is_condition(self, value: str) -> ColumnElement[bool]:
        if value == "due":
            return and_(
                CardRow.state.in_((LEARNING, REVIEW, RELEARNING)),
                CardRow.due.is_not(None),
                CardRow.due < self.day_end,
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
