"""Anki's scheduling (cards and revlog) -> our states and review log. The mapping is in docs/import-export.md.

Card `type` 0/1/2/3 (new, learning, review, relearning) is our state as is.
Review due dates count days from the collection's creation (`crt`); learning
due dates are epoch seconds. Stability and difficulty come from the card's FSRS
memory state when Anki kept one (`data` `s`/`d`), else they are estimated from
the interval and the ease factor (see estimates.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from studydl.interop.anki_collection import AnkiCard, RevlogEntry
from studydl.interop.estimates import (
    MIN_STABILITY,
    difficulty_from_ease,
    learning_stability,
    stability_from_interval,
)
from studydl.interop.result import CardHistory, Review, Schedule

NEW_STATE = Schedule(state=0, due=None)
_ANSWER_TYPES = (0, 1, 2, 3)
"""Revlog types that are answers: learn, review, relearn, filtered. 4/5 (manual, rescheduled) are not."""
CRAMMING_TYPE = 3
"""A filtered review with ease factor 0 is a cram answer (rescheduling off): imported as `cram`."""


def _at_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _due(card: AnkiCard, crt: int) -> datetime | None:
    raw = card.odue if card.odid else card.due
    if card.type == 0:
        return None
    if card.type == 2 or card.queue == 3 or abs(raw) < 1_000_000:  # a day number
        return datetime.fromtimestamp(crt, UTC) + timedelta(days=raw)
    return datetime.fromtimestamp(raw, UTC)


def _memory(card: AnkiCard) -> tuple[float | None, float | None]:
    try:
        data = json.loads(card.data) if card.data else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return None, None
    s, d = data.get("s"), data.get("d")
    return (float(s) if isinstance(s, int | float) else None, float(d) if isinstance(d, int | float) else None)


def rating_of(entry: RevlogEntry, sched_ver: int) -> int:
    """The 1-4 rating; the v1 scheduler gave learning cards three buttons (Again, Good, Easy)."""
    if sched_ver == 1 and entry.type in (0, 2) and entry.ease in (2, 3):
        return entry.ease + 1
    return min(max(entry.ease, 1), 4)


def card_history(card: AnkiCard, revlog: list[RevlogEntry], crt: int, sched_ver: int) -> CardHistory:
    """The card's current state and its answers, each with the state before and after it."""
    reviews: list[Review] = []
    state = NEW_STATE
    for entry in revlog:
        if entry.ease <= 0 or entry.type not in _ANSWER_TYPES:
            continue
        if entry.type == CRAMMING_TYPE and entry.factor == 0:  # Anki's `is_cramming`: scheduled nothing
            reviews.append(Review(_at_ms(entry.id), rating_of(entry, sched_ver), max(entry.time, 0) or None, state, state, "cram"))
            continue
        after = _after(state, entry, rating_of(entry, sched_ver))
        reviews.append(Review(_at_ms(entry.id), rating_of(entry, sched_ver), max(entry.time, 0) or None, state, after))
        state = after
    return CardHistory(_current(card, crt, reviews), reviews)


def _after(before: Schedule, entry: RevlogEntry, rating: int) -> Schedule:
    at = _at_ms(entry.id)
    difficulty = difficulty_from_ease(entry.factor / 10) if entry.factor > 0 else (before.difficulty or difficulty_from_ease(None))
    lapse = int(rating == 1 and before.state == 2)
    if entry.ivl > 0:
        return Schedule(
            state=2,
            due=at + timedelta(days=entry.ivl),
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


def _current(card: AnkiCard, crt: int, reviews: list[Review]) -> Schedule:
    suspended, flag = card.queue == -1, card.flags & 7
    if card.type == 0:
        return Schedule(state=0, due=None, suspended=suspended, flag=flag)
    stability, difficulty = _memory(card)
    last = reviews[-1].after if reviews else None
    due = _due(card, crt)
    if stability is None:
        if card.type == 2 and card.ivl > 0:
            stability = stability_from_interval(card.ivl)
        elif last is not None:
            stability = last.stability
        else:
            stability = learning_stability(3)
    if difficulty is None:
        difficulty = difficulty_from_ease(card.factor / 10) if card.factor > 0 else (last.difficulty if last else difficulty_from_ease(None))
    if last is not None:
        last_review = last.last_review
    elif card.type == 2 and due is not None:
        last_review = due - timedelta(days=max(card.ivl, 0))
    else:
        last_review = None
    return Schedule(
        state=card.type if card.type in (1, 2, 3) else 0,
        due=due,
        stability=stability,
        difficulty=difficulty,
        last_review=last_review,
        reps=max(card.reps, len(reviews)),
        lapses=card.lapses,
        step=0 if card.type in (1, 3) else None,
        suspended=suspended,
        flag=flag,
    )
