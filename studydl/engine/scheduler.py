"""FSRS through the `fsrs` package, plus reproducible fuzz, lapses and leeches.

Fuzz. py-fsrs draws its fuzz from the module-level `random()`, which would make a
card's schedule irreproducible from its log. So the fsrs Scheduler here always
runs with fuzzing off, and when fuzz is on we spread the (unfuzzed, whole-day)
review interval ourselves with fsrs's own `FUZZ_RANGES` and its formula, drawing
from `random.Random` seeded with (card id, reviews so far). The draw depends only
on the card and its history, so:

- replaying the log gives the same due date (the review time is in the log, the
  review count is the row's position);
- the interval shown on a button before answering is exactly the one answering
  gives (seeding by review time would change the draw between the preview and
  the answer a few seconds later).

A test checks the result equals fsrs's `_get_fuzzed_interval` given the same draw.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES

from studydl.domain.review import CardState, Rating
from studydl.engine.settings import Settings


def iso_utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_utc(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state: FSRS memory state, due date, counters and leech flags."""

    state: CardState = CardState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    leech: bool = False
    suspended: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the state as a number, times as ISO strings."""
        return {**self.columns(), "due": iso_utc(self.due), "last_review": iso_utc(self.last_review)}

    def to_json(self, **extra: Any) -> str:
        return json.dumps({**self.to_dict(), **extra}, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memory:
        return cls(
            state=CardState(int(data.get("state", 0))),
            step=data.get("step"),
            stability=data.get("stability"),
            difficulty=data.get("difficulty"),
            due=parse_utc(data.get("due")),
            last_review=parse_utc(data.get("last_review")),
            reps=int(data.get("reps", 0)),
            lapses=int(data.get("lapses", 0)),
            leech=bool(data.get("leech", False)),
            suspended=bool(data.get("suspended", False)),
        )

    @classmethod
    def from_row(cls, row: Any) -> Memory:
        """From a CardRow (or a row with the same column names)."""
        return cls(
            state=CardState(row.state),
            step=row.step,
            stability=row.stability,
            difficulty=row.difficulty,
            due=row.due,
            last_review=row.last_review,
            reps=row.reps,
            lapses=row.lapses,
            leech=row.leech,
            suspended=row.suspended,
        )

    def columns(self) -> dict[str, Any]:
        """The CardRow column values for this state (no dataclasses.asdict: it deep-copies)."""
        return {
            "state": int(self.state),
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due,
            "last_review": self.last_review,
            "reps": self.reps,
            "lapses": self.lapses,
            "leech": self.leech,
            "suspended": self.suspended,
        }


def fuzz_range(days: int, maximum_interval: int) -> tuple[int, int]:
    """The (min, max) days a fuzzed interval may take: fsrs's `FUZZ_RANGES` rule."""
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(days), band["end"]) - band["start"], 0.0)
    low = max(2, round(days - delta))
    high = min(round(days + delta), maximum_interval)
    return min(low, high), high


def fuzzed_days(days: int, draw: float, maximum_interval: int) -> int:
    """Fuzz a whole-day interval with a draw in [0, 1), exactly as py-fsrs does."""
    if days < 2.5:
        return days
    low, high = fuzz_range(days, maximum_interval)
    return min(round(draw * (high - low + 1) + low), maximum_interval)


def fuzz_draw(card_id: int, reps: int) -> float:
    """The fuzz draw of a card's review number `reps` (0-based): reproducible."""
    return random.Random(card_id * 1_000_003 + reps).random()


class CardScheduler:
    """Applies an answer to a card's Memory: fsrs for the memory state, then our rules."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fsrs = fsrs.Scheduler(
            parameters=settings.parameters or DEFAULT_PARAMETERS,
            desired_retention=settings.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps_min),
            relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps_min),
            maximum_interval=settings.maximum_interval,
            enable_fuzzing=False,
        )

    @staticmethod
    def to_fsrs(card_id: int, memory: Memory, now: datetime) -> fsrs.Card:
        """The fsrs Card for a Memory; a new card is fsrs's Learning step 0 with no memory."""
        if memory.state == CardState.NEW or memory.stability is None or memory.difficulty is None:
            return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=now)
        return fsrs.Card(
            card_id=card_id,
            state=fsrs.State(int(memory.state)),
            step=memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=memory.due or now,
            last_review=memory.last_review,
        )

    def review(self, card_id: int, memory: Memory, rating: Rating, now: datetime) -> tuple[Memory, bool]:
        """The state after answering `rating` at `now`, and whether this answer made it a leech."""
        now = now.astimezone(UTC)
        card, _ = self.fsrs.review_card(self.to_fsrs(card_id, memory, now), fsrs.Rating(int(rating)), now)
        due = card.due
        if self.settings.fuzz and card.state == fsrs.State.Review:
            days = (card.due - now).days
            due = now + timedelta(days=fuzzed_days(days, fuzz_draw(card_id, memory.reps), self.settings.maximum_interval))
        lapsed = memory.state == CardState.REVIEW and rating == Rating.AGAIN
        lapses = memory.lapses + int(lapsed)
        threshold = self.settings.leech_threshold
        became_leech = (
            lapsed and threshold > 0 and lapses >= threshold and (lapses - threshold) % max(1, threshold // 2) == 0
        )
        after = replace(
            memory,
            state=CardState(int(card.state)),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=due,
            last_review=card.last_review,
            reps=memory.reps + 1,
            lapses=lapses,
            leech=memory.leech or became_leech,
            suspended=memory.suspended or (became_leech and self.settings.leech_suspend),
        )
        return after, became_leech

    def preview(self, card_id: int, memory: Memory, now: datetime) -> dict[Rating, timedelta]:
        """What each button would schedule if pressed at `now`."""
        out = {}
        for rating in Rating:
            after, _ = self.review(card_id, memory, rating, now)
            assert after.due is not None
            out[rating] = after.due - now.astimezone(UTC)
        return out
