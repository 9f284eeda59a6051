"""Answers and what the review session hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from studydl.domain.cards import CardView


class Rating(IntEnum):
    """The four answer buttons, numbered as FSRS and Anki number them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class DueCard:
    """The card to show next, with the interval each answer would give it."""

    card: CardView
    intervals: dict[Rating, timedelta] | None
    """What each button would schedule, shown on the buttons (e.g. `10m`, `4d`). None on a card an answer
    handed over (`NextCard`): planned while the question is read (`ReviewSession.shown_intervals`)."""


@dataclass(frozen=True)
class QueueCounts:
    """What is left in the session now (limits and buried siblings applied)."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class Answered:
    card_id: int
    rating: Rating
    due: datetime
    interval: timedelta
    leech: bool = False
    """True when this answer made the card a leech (and, by default, suspended it)."""
    review_id: int | None = None
    """The review-log row this answer wrote."""
    suspended: bool = False
    """True when the card is suspended after this answer (a leech, by default)."""
    offer: object | None = None
    """A PrerequisiteOffer (studydl.domain.course) after a repeated lapse, else None."""


@dataclass(frozen=True)
class NextCard:
    """What `ReviewSession.answer(show_next=...)` hands over before the commit: the answer and the card after it."""

    answered: Answered
    due: DueCard
    counts: QueueCounts
    answers_logged: int
    """The next card's answers in the log, this one's included (seeds a predict card's draw)."""


@dataclass(frozen=True)
class SessionSummary:
    reviewed: int
    seconds: float
    retention_today: float | None
    """Share of today's review-state answers that were not Again; None with none (a new
    learner's first days: new and learning cards are not reviews, as in Anki's true retention)."""
    answers_today: int = 0
    """Every answer of the study day so far (new, learning and review cards; cram too)."""
    correct_today: int = 0
    """Of those, the ones that were not Again (Anki's "correct" in its Today figures)."""
    cram_today: int = 0
    """Of `answers_today`, the cram answers (they changed no schedule)."""

    @property
    def correct_share(self) -> float | None:
        return self.correct_today / self.answers_today if self.answers_today else None


def format_interval(delta: timedelta) -> str:
    """`<1m`, `10m`, `3h`, `4d`, `2.1mo`, `1.3y`: the compact form shown on answer buttons."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"
