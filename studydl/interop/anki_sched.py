"""Anki's scheduling (cards and revlog) -> our states and review log. The mapping is in docs/import-export.md.

Card `type` 0/1/2/3 (new, learning, review, relearning) is our state as is.
Review due dates are day numbers: local calendar days since the collection's
creation day (Anki's `scheduler/timing.rs`), so day N is the learner's study day
that many days after it, beginning at their day-start hour (`AnkiDays`). Learning
due dates are epoch seconds. Stability and difficulty come from the card's FSRS
memory state when Anki kept one (`data` `s`/`d`), else they are estimated from
the interval and the ease factor (see estimates.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from studydl.domain.days import StudyDays
from studydl.interop.anki_collection import AnkiCard, Collection, RevlogEntry
from studydl.interop.estimates import (
    MIN_STABILITY,
    difficulty_from_ease,
    difficulty_from_revlog_factor,
    learning_stability,
    stability_from_interval,
)
from studydl.interop.result import CardHistory, Review, Schedule

NEW_STATE = Schedule(state=0, due=None)
_ANSWER_TYPES = (0, 1, 2, 3)
"""Revlog types that are answers: learn, review, relearn, filtered. 4/5 (manual, rescheduled) are not."""
CRAMMING_TYPE = 3
"""A filtered review with ease factor 0 is a cram answer (rescheduling off): imported as `cram`."""
_MAX_OFFSET_MINUTES = 23 * 60
"""Anki caps a UTC offset at 23 hours (timing.rs, fixed_offset_from_minutes)."""


@dataclass(frozen=True)
class AnkiDays:
    """One collection's day numbers as the learner's study days."""

    created: int
    """The study-day number (local date ordinal) of the collection's creation day."""
    days: StudyDays
    sched_ver: int = 2
    steps: tuple[int, int] = (2, 1)
    """How many learning and relearning steps the learner has: a card with `left` steps to go is at step count - left."""

    @classmethod
    def of(cls, collection: Collection, days: StudyDays, steps: tuple[int, int] = (2, 1)) -> AnkiDays:
        """`crt` read where the collection was made (`creationOffset`), else in the learner's zone, as Anki does."""
        zone = days.zone
        if collection.creation_offset is not None:
            west = max(-_MAX_OFFSET_MINUTES, min(_MAX_OFFSET_MINUTES, collection.creation_offset))
            zone = timezone(timedelta(minutes=-west))
        created = StudyDays(zone, 0).day_of(datetime.fromtimestamp(collection.crt, UTC))  # the calendar date there
        return cls(created, days, collection.sched_ver, steps)

    def step(self, card: AnkiCard) -> int | None:
        """Our step index of a (re)learning card, from the steps Anki says it has to go."""
        if card.type not in (1, 3):
            return None
        count = self.steps[0 if card.type == 1 else 1]
        return min(max(count - card.left % 1000, 0), max(count - 1, 0))

    def day(self, number: int) -> datetime:
        """When Anki's day `number` begins for the learner."""
        return self.days.start_of(self.created + number)

    def days_after(self, at: datetime, count: int) -> datetime:
        """The start of the study day `count` days after the one `at` falls in (a review answer's due)."""
        return self.days.start_of(self.days.day_of(at) + count)


def _at_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _due(card: AnkiCard, clock: AnkiDays) -> datetime | None:
    raw = card.odue if card.odid else card.due
    if card.type == 0:
        return None
    if card.type == 2 or card.queue == 3 or abs(raw) < 1_000_000:  # a day number
        return clock.day(raw)
    return datetime.fromtimestamp(raw, UTC)


def _card_data(card: AnkiCard) -> dict:
    try:
        data = json.loads(card.data) if card.data else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def rating_of(entry: RevlogEntry, sched_ver: int) -> int:
    """The 1-4 rating; the v1 scheduler gave learning cards three buttons (Again, Good, Easy)."""
    if sched_ver == 1 and entry.type in (0, 2) and entry.ease in (2, 3):
        return entry.ease + 1
    return min(max(entry.ease, 1), 4)


def card_history(card: AnkiCard, revlog: list[RevlogEntry], clock: AnkiDays) -> CardHistory:
    """The card's current state and its answers, each with the state before and after it."""
    reviews: list[Review] = []
    state = NEW_STATE
    for entry in revlog:
        if entry.ease <= 0 or entry.type not in _ANSWER_TYPES:
            continue
        rating = rating_of(entry, clock.sched_ver)
        if entry.type == CRAMMING_TYPE and entry.factor == 0:  # Anki's `is_cramming`: scheduled nothing
            reviews.append(Review(_at_ms(entry.id), rating, max(entry.time, 0) or None, state, state, "cram"))
            continue
        after = _after(state, entry, rating, clock)
        reviews.append(Review(_at_ms(entry.id), rating, max(entry.time, 0) or None, state, after))
        state = after
    return CardHistory(_current(card, clock, reviews), reviews)


def _after(before: Schedule, entry: RevlogEntry, rating: int, clock: AnkiDays) -> Schedule:
    at = _at_ms(entry.id)
    difficulty = difficulty_from_revlog_factor(entry.factor) or before.difficulty or difficulty_from_ease(None)
    lapse = int(rating == 1 and before.state == 2)
    if entry.ivl > 0:
        return Schedule(
            state=2,
            due=clock.days_after(at, entry.ivl),
            stability=stability_from_interval(entry.ivl),
            difficulty=difficulty,
            last_review=at,
            reps=before.reps + 1,
            lapses=before.lapses + lapse,
        )
    relearning = before.state in (2, 3)
    stability = learning_stability(rating)
    if relearning and before.stability is not None:
        stability = max(min(before.stability, stability), MIN_STABILITY)
    return Schedule(
        state=3 if relearning else 1,
        due=at + timedelta(seconds=abs(entry.ivl)),
        stability=stability,
        difficulty=difficulty,
        last_review=at,
        reps=before.reps + 1,
        lapses=before.lapses + lapse,
        step=0,
    )


def _current(card: AnkiCard, clock: AnkiDays, reviews: list[Review]) -> Schedule:
    suspended, flag = card.queue == -1, card.flags & 7
    if card.type == 0:
        return Schedule(state=0, due=None, suspended=suspended, flag=flag)
    data = _card_data(card)
    stability, difficulty = _number(data.get("s")), _number(data.get("d"))
    last = next((r.after for r in reversed(reviews) if r.kind != "cram"), None)
    due = _due(card, clock)
    if stability is None:
        if card.type == 2 and card.ivl > 0:
            stability = stability_from_interval(card.ivl)
        elif last is not None:
            stability = last.stability
        else:
            stability = learning_stability(3)
    if difficulty is None:
        difficulty = difficulty_from_ease(card.factor / 10) if card.factor > 0 else (last.difficulty if last else difficulty_from_ease(None))
    last_review_secs = _number(data.get("lrt"))
    if last is not None:
        last_review = last.last_review
    elif last_review_secs is not None and last_review_secs > 0:
        last_review = datetime.fromtimestamp(last_review_secs, UTC)
    elif card.type == 2 and due is not None:
        last_review = clock.day((card.odue if card.odid else card.due) - max(card.ivl, 0))
    else:
        last_review = None
    return Schedule(
        state=card.type if card.type in (1, 2, 3) else 0,
        due=due,
        stability=stability,
        difficulty=difficulty,
        last_review=last_review,
        reps=max(card.reps, sum(1 for r in reviews if r.kind != "cram")),
        lapses=card.lapses,
        step=clock.step(card),
        suspended=suspended,
        flag=flag,
    )
