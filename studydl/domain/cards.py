"""Cards as the deck parser produces them and as the store hands them out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from studydl.domain.checks import NO_CHECK, AnswerCheck
from studydl.domain.course import Requirement
from studydl.domain.errors import DeckProblem


class CardKind(StrEnum):
    """How a card was written; a reverse card is the second card of a `:::` line."""

    BASIC = "basic"
    TERM = "term"
    REVERSE = "reverse"
    CLOZE = "cloze"
    PREDICT = "predict"
    """A `Q:`/`A:` card whose answer is a prediction a demo settles (`predict:` in its details)."""


_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Text compared for identity: whitespace collapsed, ends stripped."""
    return _SPACE.sub(" ", text).strip()


def content_hash(kind: CardKind | str, question: str, answer: str) -> str:
    """The identity of a card's content, blind to whitespace changes."""
    raw = "\x1f".join((str(kind), normalize(question), normalize(answer)))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class ParsedCard:
    """One card read from a deck file."""

    kind: CardKind
    question: str
    answer: str
    line: int
    """1-based line of the card's first line in its file."""
    section: str = ""
    """Heading path, `Top / Sub`; empty above the first heading."""
    note_key: int = 0
    """Cards made from the same text (a `:::` line, a cloze paragraph) share it: they are siblings."""
    ordinal: int = 0
    """Position among its siblings: 0 forward / 1 reverse, or the cloze number from 0."""
    demo_id: str | None = None
    tags: tuple[str, ...] = ()
    explicit_id: str | None = None
    check: AnswerCheck = NO_CHECK
    """`answer: typed`, or a predict card's metric, tolerance and parameters."""

    @cached_property
    def content_hash(self) -> str:
        return content_hash(self.kind, self.question, self.answer)


@dataclass
class ParsedDeck:
    """A deck file read: its cards, or the problems that keep it from syncing."""

    path: Path
    name: str
    cards: list[ParsedCard] = field(default_factory=list)
    errors: list[DeckProblem] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    requires: list[Requirement] = field(default_factory=list)
    """Prerequisite edges from the front matter's `requires:` (studydl.decks.requires)."""
    sections: list[str] = field(default_factory=list)
    """The sections that have cards, in file order."""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CardView:
    """A stored card as the CLI and UI show it (no ORM row leaves the store)."""

    id: int
    uid: str
    deck: str
    section: str
    kind: str
    question: str
    answer: str
    demo_id: str | None
    tags: tuple[str, ...]
    retired: bool
    suspended: bool
    source_path: str
    source_line: int
    state: int
    due: object | None = None
    flag: int = 0
    leech: bool = False
    note_uid: str = ""
    check: AnswerCheck = NO_CHECK

    @property
    def where(self) -> str:
        return f"{self.source_path}:{self.source_line}"


@dataclass(frozen=True)
class DeckCounts:
    """What a deck has waiting: new cards, learning cards due now, review cards due today."""

    deck: str
    new: int
    learning: int
    review: int
    total: int
