"""The learner's cards as the workload simulator starts from them: memory states, due days, limits.

Read from the store once (`load_workload`), as plain data: each deck's live cards
(not retired, not suspended), with days counted from today's study day, and the
deck's daily limits. Review and (re)learning cards keep their FSRS memory state, last
review and due day; new cards wait to be introduced under the deck's new-card limit,
after the ones already introduced today. A card overdue is due today; a buried card is
due when it comes out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from studydl.domain.days import StudyDays
from studydl.engine.answer_profile import AnswerProfile, answer_profile
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS
from studydl.engine.history import SCHEDULED
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow
from studydl.store.queries import NEW


@dataclass(frozen=True)
class StudiedCard:
    """A card with a memory state, in days from today (day 0)."""

    stability: float
    difficulty: float
    last_day: int
    """The study day of its last review (0 today, negative before)."""
    due_day: int
    """When it is next due (0: today, overdue included)."""
    interval: int
    lapses: int


@dataclass(frozen=True)
class DeckWorkload:
    """One deck's cards and limits (limits are per deck, so decks are simulated apart)."""

    name: str
    new_limit: int
    review_limit: int
    studied: tuple[StudiedCard, ...]
    new_cards: int
    """New cards waiting."""
    introduced_today: int
    """New cards already introduced today (they use up today's new-card limit)."""

    @property
    def size(self) -> int:
        return len(self.studied) + (self.new_cards if self.new_limit > 0 else 0)


@dataclass(frozen=True)
class Workload:
    """Everything the simulator starts from: the cards, FSRS parameters, habits and rules."""

    decks: tuple[DeckWorkload, ...]
    parameters: tuple[float, ...]
    parameters_default: bool
    """True until `studydl optimize` saved personal parameters."""
    profile: AnswerProfile
    desired_retention: float
    """The current setting (the one the chart marks)."""
    maximum_interval: int
    learning_steps: int
    relearning_steps: int
    suspend_after_lapses: int | None

    @property
    def cards(self) -> int:
        return sum(deck.size for deck in self.decks)


def _day(days: StudyDays, instant: datetime | None, today: int, default: int = 0) -> int:
    return days.day_of(instant) - today if instant is not None else default


def _introduced_today(db: Database, day_start: datetime) -> dict[int, int]:
    """Deck id -> cards answered today for the first time (their state before was new)."""
    query = (
        select(CardRow.deck_id, ReviewRow.state_before)
        .join(CardRow, CardRow.id == ReviewRow.card_id)
        .where(ReviewRow.reviewed_at >= day_start, ReviewRow.kind == SCHEDULED)  # a crammed new card stays new
    )
    counts: dict[int, int] = {}
    with db.read() as s:
        for deck_id, before in s.execute(query):
            try:
                state = int(json.loads(before).get("state", 0))
            except (ValueError, TypeError, AttributeError):
                continue
            if state == NEW:
                counts[deck_id] = counts.get(deck_id, 0) + 1
    return counts


def load_workload(db: Database, now: datetime, settings: Settings, decks: set[str] | None = None) -> Workload:
    """The learner's cards (of `decks`, by name; None: all), limits, parameters and answer profile, as of `now`."""
    days = settings.study_days()
    today = days.day_of(now)
    query = (
        select(
            DeckRow.id,
            DeckRow.name,
            CardRow.state,
            CardRow.stability,
            CardRow.difficulty,
            CardRow.due,
            CardRow.last_review,
            CardRow.lapses,
            CardRow.buried_until,
        )
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
        .where(CardRow.retired.is_(False), CardRow.suspended.is_(False))
    )
    studied: dict[int, list[StudiedCard]] = {}
    new: dict[int, int] = {}
    names: dict[int, str] = {}
    with db.read() as s:
        rows = s.execute(query).all()
    for deck_id, name, state, stability, difficulty, due, last_review, lapses, buried_until in rows:
        if decks is not None and name not in decks:
            continue
        names[deck_id] = name
        studied.setdefault(deck_id, [])
        if state == NEW or stability is None or difficulty is None or last_review is None:
            new[deck_id] = new.get(deck_id, 0) + 1
            continue
        last_day = min(0, _day(days, last_review, today))
        due_day = _day(days, due, today)
        if buried_until is not None and buried_until > now:
            due_day = max(due_day, _day(days, buried_until, today))
        studied[deck_id].append(
            StudiedCard(
                stability=float(stability),
                difficulty=float(difficulty),
                last_day=last_day,
                due_day=max(0, due_day),
                interval=max(1, due_day - last_day),
                lapses=int(lapses),
            )
        )
    introduced = _introduced_today(db, days.start_of(today))
    decks = []
    for deck_id in sorted(names, key=lambda i: (names[i].lower(), i)):
        new_limit, review_limit = settings.limits_for(names[deck_id])
        decks.append(
            DeckWorkload(
                name=names[deck_id],
                new_limit=new_limit,
                review_limit=review_limit,
                studied=tuple(studied[deck_id]),
                new_cards=new.get(deck_id, 0),
                introduced_today=min(new_limit, introduced.get(deck_id, 0)),
            )
        )
    return Workload(
        decks=tuple(decks),
        parameters=settings.parameters if settings.parameters is not None else DEFAULT_PARAMETERS,
        parameters_default=settings.parameters is None,
        profile=answer_profile(db, days),
        desired_retention=settings.desired_retention,
        maximum_interval=settings.maximum_interval,
        learning_steps=len(settings.learning_steps_min),
        relearning_steps=len(settings.relearning_steps_min),
        suspend_after_lapses=settings.leech_threshold if settings.leech_suspend else None,
    )
