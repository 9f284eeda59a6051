"""What an importer hands back: cards in a neutral shape, the parts it skipped, and history."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from studydl.domain.errors import StudyError


class ImportFailed(StudyError):
    """A file that cannot be imported at all; the message is `file: reason` or `file:line: reason`."""


@dataclass(frozen=True)
class Skipped:
    """A part of the source that made no card, printed `file:line: skipped: reason`."""

    path: Path
    line: int | None
    reason: str
    where: str = ""
    """For sources without lines (an Anki package): e.g. `note 1700000000000`."""

    def __str__(self) -> str:
        place = f"{self.line}" if self.line is not None else self.where
        return f"{self.path}:{place}: skipped: {self.reason}" if place else f"{self.path}: skipped: {self.reason}"


@dataclass(frozen=True)
class Schedule:
    """A card's scheduling state in our terms (see docs/import-export.md for the mappings)."""

    state: int
    """0 new, 1 learning, 2 review, 3 relearning."""
    due: datetime | None
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    step: int | None = None
    suspended: bool = False
    flag: int = 0


@dataclass(frozen=True)
class Review:
    """One past answer, with the state before and after it."""

    reviewed_at: datetime
    rating: int
    """1 Again, 2 Hard, 3 Good, 4 Easy."""
    duration_ms: int | None
    before: Schedule
    after: Schedule
    kind: str = "scheduled"
    """`cram` for Anki's filtered-deck review with rescheduling off (it changed nothing)."""


@dataclass
class CardHistory:
    """What the learner earned on one card: its current state and its answers, oldest first."""

    schedule: Schedule
    reviews: list[Review] = field(default_factory=list)


@dataclass
class ImportedCard:
    """One note of the source: a question/answer pair, a two-way pair, or a cloze paragraph."""

    front: str
    """The question; for a cloze, the whole text with gaps written `{{gap}}` or `{{gap::hint}}`."""
    back: str = ""
    both_ways: bool = False
    """Also ask back -> front (a `:::` card)."""
    cloze: bool = False
    section: str = ""
    """Heading path `Top / Sub` the card goes under."""
    tags: tuple[str, ...] = ()
    line: int | None = None
    """Where it came from, for messages: a line, or None with `where`."""
    where: str = ""
    one_line: bool = False
    """The source wrote it as a `term :: definition` pair: keep that form when it fits."""
    history: dict[int, CardHistory] = field(default_factory=dict)
    """By card ordinal: 0 forward / 1 reverse, or the n-th gap of a cloze from 0."""
    typed: bool = False
    """The learner types the answer (`answer: typed`; Anki's type-in-the-answer)."""
    deck: str = ""
    """The deck the card belongs to when a source holds several (an Anki package's top-level decks); "" for the file's own."""


@dataclass
class ImportResult:
    """A whole source file read."""

    path: Path
    format: str
    deck_name: str
    cards: list[ImportedCard] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """One-line remarks for the user (media left out, a dependency missing...)."""
    deck_tags: tuple[str, ...] = ()

    def skip(self, line: int | None, reason: str, where: str = "") -> None:
        self.skipped.append(Skipped(self.path, line, reason, where))

    def by_deck(self) -> list[ImportResult]:
        """One result per deck the cards name, in order of appearance (cards naming none are `deck_name`'s).

        Skipped parts and remarks stay with the first.
        """
        names = list(dict.fromkeys(card.deck or self.deck_name for card in self.cards))
        if len(names) <= 1:
            return [self]
        return [
            replace(
                self,
                deck_name=name,
                cards=[c for c in self.cards if (c.deck or self.deck_name) == name],
                skipped=self.skipped if i == 0 else [],
                notes=self.notes if i == 0 else [],
            )
            for i, name in enumerate(names)
        ]

    @property
    def has_history(self) -> bool:
        return any(card.history for card in self.cards)
