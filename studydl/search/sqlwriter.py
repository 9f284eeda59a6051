"""A parsed search as one SQL condition on the cards table (the shape of Anki's rslib search/sqlwriter.rs).

Plain SQL text with `?` placeholders and its parameters, no SQLAlchemy: the browser wraps
it in its ORM query (`search.cards`), `studydl cards` runs it on the driver's own
connection (`search.card_lines`), so a search from the command line loads no ORM. It is
written for both SQLite and PostgreSQL: `lower(x) LIKE lower(?)` for a case-insensitive
match (what SQLAlchemy's `ilike` writes on SQLite), booleans compared with TRUE/FALSE,
no `?` or `%` inside string literals (values travel as parameters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studydl.domain.deck_match import deck_matches
from studydl.domain.review import CardState
from studydl.search.parser import NOTHING, And, Node, Not, Or, Query, Term

NEW, LEARNING, REVIEW, RELEARNING = (int(state) for state in CardState)
ESCAPE = "ESCAPE '\\'"


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
    to_db: Callable[[datetime], Any]
    """A time as the database stores it (`HotSQL.to_db`)."""

    def where(self, query: Query) -> tuple[str, list[Any]]:
        """Every condition of the query as one SQL expression and its parameters, retired cards hidden unless asked about."""
        params: list[Any] = []
        parts = [] if query.node is None else [self.node(query.node, params)]
        if not query.shows_retired:
            parts.append("cards.retired = FALSE")
        return " AND ".join(f"({part})" for part in parts) or "TRUE", params

    def node(self, node: Node, params: list[Any]) -> str:
        """One node's condition; its parameters are appended to `params` in the order of their `?`."""
        if isinstance(node, Term):
            return self.term(node, params)
        if isinstance(node, Not):
            # `-demo:x` must also keep cards with no demo at all (NULL compares to NULL).
            return f"NOT coalesce(({self.node(node.node, params)}), FALSE)"
        if not isinstance(node, And | Or) or not node.nodes:
            return "FALSE"
        joiner = " AND " if isinstance(node, And) else " OR "
        return joiner.join(f"({self.node(child, params)})" for child in node.nodes)

    def term(self, term: Term, params: list[Any]) -> str:
        """The SQL condition of one term."""
        value = term.value
        if term.key is None:
            params += [like(value, anchored=False)] * 2
            return f"lower(cards.question) LIKE lower(?) {ESCAPE} OR lower(cards.answer) LIKE lower(?) {ESCAPE}"
        if term.key == "deck":
            ids = deck_matches(value, self.decks)
            return f"cards.deck_id IN ({', '.join(str(int(i)) for i in ids)})" if ids else "FALSE"
        if term.key == "section":
            params.append(like(value, anchored=False))
            return f"lower(cards.section) LIKE lower(?) {ESCAPE}"
        if term.key == "tag":
            params.append(f"% {like(value, anchored=True)} %")
            return f"lower(' ' || cards.tags || ' ') LIKE lower(?) {ESCAPE}"
        if term.key == "demo":
            params.append(like(value, anchored=True))
            return f"lower(cards.demo_id) LIKE lower(?) {ESCAPE}"
        if term.key == "has":
            return self.has_condition(value, params)
        if term.key == NOTHING:
            return "FALSE"
        return self.is_condition(value, params)

    @staticmethod
    def has_condition(value: str, params: list[Any]) -> str:
        """`has:demo`, `has:typed`, `has:predict` (the answer check as the store writes it), `has:cram`."""
        if value == "demo":
            return "cards.demo_id IS NOT NULL"
        if value == "cram":
            return "EXISTS (SELECT 1 FROM review_log WHERE review_log.card_id = cards.id AND review_log.kind = 'cram')"
        params.append('%"typed": true%' if value == "typed" else '%"predict": {%')
        return "cards.answer_check LIKE ?"

    def is_condition(self, value: str, params: list[Any]) -> str:
        if value == "due":
            params.append(self.to_db(self.day_end))
            return f"cards.state IN ({LEARNING}, {REVIEW}, {RELEARNING}) AND cards.due IS NOT NULL AND cards.due < ?"
        return {
            "new": f"cards.state = {NEW}",
            "learning": f"cards.state IN ({LEARNING}, {RELEARNING})",
            "review": f"cards.state = {REVIEW}",
            "suspended": "cards.suspended = TRUE",
            "leech": "cards.leech = TRUE",
            "retired": "cards.retired = TRUE",
            "flagged": "cards.flag > 0",
        }[value]
