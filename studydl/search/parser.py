"""The card search language, parsed into a tree (the shape of Anki's rslib search/parser.rs).

A query is terms, all of which must hold unless joined by `or`:

- `word` or `"a phrase"`: the question or the answer contains it (any case);
- `deck:NAME`: the deck whose name or file stem is NAME, else whose name starts with it
  (any case; `*` is a wildcard; quote names with spaces: `deck:"neural basics"`);
- `tag:X`: the card has tag X (`*` wildcards); `section:X`: its section path contains X;
- `is:due|new|learning|review|suspended|leech|retired|flagged`, `has:demo|typed|predict|cram`
  (a demo, a typed answer, a prediction, cram answers in the log), `demo:ID`;
- `-term` negates a term, `a or b` is either, `( ... )` groups: `deck:cnn (is:new or is:due)`.

Retired cards are hidden unless the query names `is:retired` (either way). A term that
means nothing (`is:bogus`) matches no card, with a problem saying what would. No SQL
here: `sqlwriter` turns the tree into conditions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

FILTER_KEYS = ("deck", "tag", "section", "is", "has", "demo")
IS_VALUES = ("due", "new", "learning", "review", "suspended", "leech", "retired", "flagged")
HAS_VALUES = ("demo", "typed", "predict", "cram")
NOTHING = "nothing"
"""The key of a term that matches no card (an unknown `is:` or `has:` value)."""

_KEY = re.compile(r"([A-Za-z]+):")


@dataclass(frozen=True)
class Term:
    """One condition: `key` is None for plain text."""

    key: str | None
    value: str


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class Query:
    node: Node | None = None
    """None: every card (but retired ones)."""
    problems: tuple[str, ...] = ()
    """Parts of the text that were ignored, one message each (`unknown is:foo`)."""

    def terms(self) -> Iterator[Term]:
        """Every term of the tree, negated or not."""
        stack = [self.node] if self.node is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, Term):
                yield node
            elif isinstance(node, Not):
                stack.append(node.node)
            else:
                stack.extend(reversed(node.nodes))

    @property
    def shows_retired(self) -> bool:
        return any(t.key == "is" and t.value == "retired" for t in self.terms())


@dataclass(frozen=True)
class _Token:
    kind: str
    """`(`, `)`, `-`, `or`, `and` or `term`."""
    key: str | None = None
    value: str = ""


def _tokens(text: str) -> Iterator[_Token]:
    i, depth, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            depth += 1
            i += 1
            yield _Token("(")
        elif ch == ")" and depth > 0:
            depth -= 1
            i += 1
            yield _Token(")")
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace():
            i += 1
            yield _Token("-")
        else:
            key = None
            match = _KEY.match(text, i)
            if match:
                key, i = match.group(1), match.end()
            if i < n and text[i] == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                value, i, quoted = text[i + 1 : end], end + 1, True
            else:
                start = i
                while i < n and not text[i].isspace() and not (text[i] == ")" and depth > 0):
                    i += 1
                value, quoted = text[start:i], False
            if key is None and not quoted and value.lower() in ("or", "and"):
                yield _Token(value.lower())
            else:
                yield _Token("term", key, value)


def _term(token: _Token, problems: list[str]) -> Term | None:
    """The term a token stands for, or None (with a problem) when it means nothing."""
    key, value = token.key, token.value
    if key and key.lower() not in FILTER_KEYS:
        return Term(None, f"{key}:{value}")  # `http://x`, `Q:what`: not a filter, just text
    key = key.lower() if key else None
    if key in ("is", "has"):
        value = value.lower()
        allowed = IS_VALUES if key == "is" else HAS_VALUES
        starting = [v for v in allowed if v.startswith(value)] if value else []
        if len(starting) == 1:
            value = starting[0]  # `is:sus` while typing `is:suspended`
        elif value not in allowed:
            problems.append(f"unknown {key}:{value} ({key}: {' '.join(allowed)})")
            return Term(NOTHING, f"{key}:{value}")  # matches no card (not every card)
    if not value:
        if key:
            problems.append(f"{key}: needs a value")
        return None
    return Term(key, value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = list(_tokens(text))
        self.pos = 0
        self.problems: list[str] = []

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Query:
        node = self._or()
        while self._peek() is not None:  # a `)` with no `(`: skipped
            self.pos += 1
            self.problems.append("`)` without a `(`")
            more = self._or()
            node = more if node is None else node if more is None else And((node, more))
        return Query(node, tuple(self.problems))

    def _or(self) -> Node | None:
        parts = [self._and()]
        while (tok := self._peek()) is not None and tok.kind == "or":
            self.pos += 1
            parts.append(self._and())
        kept = tuple(p for p in parts if p is not None)
        return None if not kept else kept[0] if len(kept) == 1 else Or(kept)

    def _and(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self._peek()) is not None and tok.kind not in ("or", ")"):
            if tok.kind == "and":
                self.pos += 1
                continue
            node = self._unary()
            if node is not None:
                parts.append(node)
        return None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))

    def _unary(self) -> Node | None:
        tok = self.tokens[self.pos]
        self.pos += 1
        if tok.kind == "-":
            if self._peek() is None or self._peek().kind in ("or", "and", ")"):  # type: ignore[union-attr]
                return None
            inner = self._unary()
            return Not(inner) if inner is not None else None
        if tok.kind == "(":
            inner = self._or()
            if (close := self._peek()) is not None and close.kind == ")":
                self.pos += 1
            else:
                self.problems.append("`(` without a `)`")
            return inner
        return _term(tok, self.problems)


def parse_query(text: str) -> Query:
    """Parse search text into a tree; what cannot be a condition becomes a problem, never an error."""
    return _Parser(text).parse()
