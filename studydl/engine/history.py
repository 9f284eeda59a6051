"""A card's review history, and its scheduling state rebuilt by replaying the log.

`replay` is the public entry point (the doctor and the tests use it): the answers of
one card, in order, through the scheduler, from the state the first answer found
the card in (a new card for studydl's own answers; an imported card's history may
begin mid-way, from the state its first logged answer records).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from studydl.domain.review import CardState, Rating
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.engine.settings import Settings, load_settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow

SCHEDULED, CRAM = "scheduled", "cram"
"""Review-log kinds: an answer that scheduled the card, and one in a cram session (changed nothing)."""


@dataclass(frozen=True)
class ReviewEntry:
    """One answer in a card's history."""

    reviewed_at: datetime
    rating: Rating
    duration_ms: int | None
    interval: timedelta | None
    """The interval this answer set: whole study days for a review, else the time to the due date."""
    state_after: CardState
    stability: float | None
    difficulty: float | None
    kind: str = SCHEDULED
    """`scheduled`, or `cram` (an answer that changed nothing)."""
    note: str = ""
    """What else the answer brought: `offered Backpropagation (58 %)` (studydl.course.lapse_offer)."""


def card_history(db: Database, card_id: int, settings: Settings | None = None) -> list[ReviewEntry]:
    """Every answer to the card, oldest first."""
    days = (settings if settings is not None else load_settings(db)).study_days()
    query = (
        select(ReviewRow.reviewed_at, ReviewRow.rating, ReviewRow.duration_ms, ReviewRow.state_after, ReviewRow.kind, ReviewRow.detail)
        .where(ReviewRow.card_id == card_id)
        .order_by(ReviewRow.reviewed_at, ReviewRow.id)
    )
    with db.read() as s:
        rows = s.execute(query).all()
    entries = []
    for reviewed_at, rating, duration_ms, state_after, kind, detail in rows:
        after = Memory.from_dict(json.loads(state_after))
        if after.due is None:
            interval = None
        elif after.state == CardState.REVIEW:
            interval = timedelta(days=days.day_of(after.due) - days.day_of(reviewed_at))
        else:
            interval = after.due - reviewed_at
        entries.append(
            ReviewEntry(reviewed_at, Rating(rating), duration_ms, interval, after.state, after.stability, after.difficulty, kind, offer_note(detail))
        )
    return entries


def offer_note(detail: str | None) -> str:
    """`offered Backpropagation (58 %)` for a lapse that offered its prerequisite, else ``."""
    if not detail or "prerequisite_offer" not in detail:
        return ""
    offer = json.loads(detail).get("prerequisite_offer") or {}
    title = str(offer.get("section", "")).split("#", 1)[-1].rsplit(" / ", 1)[-1]
    recall = offer.get("recall")
    return f"offered {title} ({'not studied' if recall is None else f'{recall * 100:.0f} %'})"


def starting_memory(state_before: str | None) -> Memory:
    """The state a card's first logged answer found it in: new, unless the log begins mid-history.

    `suspended` and `leech` are not carried over: replay rebuilds what answers do.
    """
    if not state_before:
        return Memory()
    start = Memory.from_dict(json.loads(state_before))
    if start.state == CardState.NEW:
        return Memory()
    return Memory(
        state=start.state, step=start.step, stability=start.stability, difficulty=start.difficulty,
        due=start.due, last_review=start.last_review, reps=start.reps, lapses=start.lapses,
    )


def replay(
    card_id: int,
    answers: Iterable[tuple[datetime, Rating | int]],
    settings: Settings,
    start: Memory | None = None,
    logged_dues: Sequence[datetime | None] | None = None,
    seeds: Sequence[int] | None = None,
) -> Memory:
    """The card's scheduling state after these answers (oldest first), from `start` (a new card).

    `logged_dues`: the due date each answer left in the log. With the load balancer on, a
    review interval depends on the other cards due at the time, which one card's answers
    do not hold: where the replay gives a review card and the log a study-day start after
    the answer, the log's day is taken (the balancer's choice), and the next answer
    starts from it, as the answer did. `seeds`: the card id each answer's fuzz was seeded
    with, when not `card_id` (answers given on another device, where the card has
    another id: studydl/replica).
    """
    memory = start if start is not None else Memory()
    for memory in replay_steps(card_id, answers, settings, start, logged_dues, seeds):  # noqa: B007 - the last one
        pass
    return memory


def replay_steps(
    card_id: int,
    answers: Iterable[tuple[datetime, Rating | int]],
    settings: Settings,
    start: Memory | None = None,
    logged_dues: Sequence[datetime | None] | None = None,
    seeds: Sequence[int] | None = None,
) -> Iterator[Memory]:
    """`replay`, answer by answer: the state after each."""
    scheduler = CardScheduler(settings)
    memory = start if start is not None else Memory()
    for index, (reviewed_at, rating) in enumerate(answers):
        seed = seeds[index] if seeds is not None and index < len(seeds) else card_id
        logged = logged_dues[index] if logged_dues is not None and index < len(logged_dues) else None
        memory = replay_step(scheduler, seed, memory, rating, reviewed_at, logged if logged_dues is not None else _UNLOGGED)
        yield memory


_UNLOGGED: Any = object()


def replay_step(
    scheduler: CardScheduler, seed: int, memory: Memory, rating: Rating | int, at: datetime, logged_due: datetime | None
) -> Memory:
    """One answer of a replay: the state after it (`logged_due`: the due date the answer left in the log, see `replay`)."""
    settings = scheduler.settings
    memory, _ = scheduler.review(seed, memory, Rating(rating), at)
    if logged_due is _UNLOGGED or not (settings.load_balancer and settings.fuzz) or logged_due is None:
        return memory
    days = scheduler.days
    chosen = logged_due > at and logged_due == days.start_of(days.day_of(logged_due))
    if chosen and memory.state == CardState.REVIEW and logged_due != memory.due:
        memory = replace(memory, due=logged_due)
    return memory


def logged_answers(db: Database, card_id: int) -> tuple[Memory, list[tuple[datetime, int]]]:
    """(starting state, [(time, rating)...]) of a card's scheduled answers, oldest first (cram left out)."""
    start, answers, _ = logged_history(db, card_id)
    return start, answers


def logged_history(db: Database, card_id: int) -> tuple[Memory, list[tuple[datetime, int]], list[datetime | None]]:
    """`logged_answers`, and the due date each answer left (from its log row)."""
    query = (
        select(ReviewRow.reviewed_at, ReviewRow.rating, ReviewRow.state_before, ReviewRow.state_after)
        .where(ReviewRow.card_id == card_id, ReviewRow.kind == SCHEDULED)
        .order_by(ReviewRow.reviewed_at, ReviewRow.id)
    )
    with db.read() as s:
        rows = s.execute(query).all()
    start = starting_memory(rows[0][2] if rows else None)
    dues = []
    for *_, after in rows:
        try:
            dues.append(Memory.from_dict(json.loads(after)).due)
        except (ValueError, TypeError, AttributeError):
            dues.append(None)
    return start, [(at, rating) for at, rating, _, _ in rows], dues


def replay_card(db: Database, card_id: int, settings: Settings | None = None) -> Memory:
    """The card's scheduling state rebuilt by replaying its log.

    Equal to the stored state while the scheduling settings (parameters, retention,
    steps, fuzz, zone, day start: the card's deck's preset) are those the answers were
    given under (a review due date the load balancer chose is taken from the log: see
    `replay`). `suspended`
    here is only what leech handling set; a manual suspend is not in the log.
    """
    settings = settings if settings is not None else load_settings(db)
    if settings.presets or settings.deck_presets or settings.deck_retention:
        with db.read() as s:
            deck = s.scalar(select(DeckRow.name).join(CardRow, CardRow.deck_id == DeckRow.id).where(CardRow.id == card_id))
        settings = settings.for_deck(deck or "")
    start, answers, dues = logged_history(db, card_id)
    return replay(card_id, answers, settings, start, dues)


def stored_memory(db: Database, card_id: int) -> Memory:
    """The card's scheduling state as stored in its row."""
    with db.read() as s:
        row = s.get(CardRow, card_id)
        if row is None:
            raise KeyError(card_id)
        return Memory.from_row(row)
