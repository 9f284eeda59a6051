"""Collection statistics, the home screen's per-deck counts, and when the next card is due."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from studydl.domain.days import StudyDays
from studydl.domain.review import CardState
from studydl.engine.queue import (
    LEARN_STATES,
    NEW,
    REVIEW,
    DeckQueue,
    deck_names,
    done_today,
    not_buried,
)
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow
from studydl.store.portable_sql import epoch_seconds, json_int

FORECAST_DAYS = 30
HISTORY_DAYS = 365


@dataclass(frozen=True)
class Stats:
    reviews_today: int
    reviews_total: int
    retention_30d: float | None
    """Share of review-state answers in the last 30 days that were not Again."""
    forecast: list[int]
    """Cards due on each of the next 30 study days; index 0 is today, overdue included."""
    reviews_per_day: dict[date, int]
    """Answers per study day over the last 365 days (days without answers left out)."""
    retention_by_week: list[tuple[date, float]]
    """(Monday of the week, retention) for weeks with review-state answers, oldest first."""
    state_counts: dict[str, int]
    """Cards by state: new, learning, review, relearning, suspended, retired."""
    time_today_s: float


@dataclass(frozen=True)
class DeckSectionCounts:
    """Due counts for one deck (`section == ""`) or one section of it."""

    deck: str
    section: str
    new: int
    learning: int
    review: int
    total: int
    """Live (not retired, not suspended) cards."""


def _state_counts(s: Session) -> dict[str, int]:
    counts = dict.fromkeys(("new", "learning", "review", "relearning", "suspended", "retired"), 0)
    query = select(CardRow.retired, CardRow.suspended, CardRow.state, func.count()).group_by(
        CardRow.retired, CardRow.suspended, CardRow.state
    )
    for retired, suspended, state, n in s.execute(query):
        key = "retired" if retired else "suspended" if suspended else CardState(state).name.lower()
        counts[key] += n
    return counts


def _forecast(s: Session, days: StudyDays, today: int) -> list[int]:
    """Cards due on each of the next 30 study days (overdue on day 0), by the study days' own boundaries."""
    starts = [days.start_of(today + i) for i in range(1, FORECAST_DAYS)]
    offset = sum((cast(CardRow.due >= start, Integer) for start in starts), literal(0))
    query = (
        select(offset, func.count())
        .where(
            CardRow.retired.is_(False),
            CardRow.suspended.is_(False),
            CardRow.state != NEW,
            CardRow.due < days.start_of(today + FORECAST_DAYS),
        )
        .group_by(offset)
    )
    forecast = [0] * FORECAST_DAYS
    for day, n in s.execute(query):
        forecast[min(int(day), FORECAST_DAYS - 1)] += n
    return forecast


BUCKET_SECS = 900
"""Answers are grouped in quarter hours (every zone's offset is a multiple), then each group goes to its study day."""


def _daily(s: Session, since: datetime, days: StudyDays) -> list[tuple[date, int, int, int]]:
    """(study day, answers, review-state answers, of those not Again) per day since `since`."""
    bucket = epoch_seconds(ReviewRow.reviewed_at) // BUCKET_SECS
    was_review = and_(ReviewRow.kind == "scheduled", json_int(ReviewRow.state_before, "state") == REVIEW)
    query = (
        select(
            bucket,
            func.count(),
            func.sum(case((was_review, 1), else_=0)),
            func.sum(case((and_(was_review, ReviewRow.rating > 1), 1), else_=0)),
        )
        .where(ReviewRow.reviewed_at >= since)
        .group_by(bucket)
    )
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for quarter, n, r, p in s.execute(query):
        day = days.date_of(datetime.fromtimestamp(int(quarter) * BUCKET_SECS, UTC))
        totals = per_day[day]
        totals[0] += n
        totals[1] += int(r or 0)
        totals[2] += int(p or 0)
    return [(day, n, r, p) for day, (n, r, p) in sorted(per_day.items())]


def collection_stats(db: Database, now: datetime, settings: Settings) -> Stats:
    """Reviews, retention, forecast and card states for the whole collection."""
    days = settings.study_days()
    today = days.day_of(now)
    day_start = days.start_of(today)
    with db.read() as s:
        today_n, today_ms = s.execute(
            select(func.count(), func.coalesce(func.sum(ReviewRow.duration_ms), 0)).where(ReviewRow.reviewed_at >= day_start)
        ).one()
        total = s.execute(select(func.count()).select_from(ReviewRow)).scalar_one()
        daily = _daily(s, days.start_of(today - HISTORY_DAYS + 1), days)
        was_review = and_(ReviewRow.kind == "scheduled", json_int(ReviewRow.state_before, "state") == REVIEW)
        n30, pass30 = s.execute(
            select(func.count(), func.sum(case((ReviewRow.rating > 1, 1), else_=0))).where(
                ReviewRow.reviewed_at >= days.start_of(today - 29), was_review
            )
        ).one()
        forecast = _forecast(s, days, today)
        states = _state_counts(s)
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, _, reviews, passed in daily:
        week = weeks[day - timedelta(days=day.weekday())]
        week[0] += reviews
        week[1] += passed
    return Stats(
        reviews_today=int(today_n),
        reviews_total=int(total),
        retention_30d=(pass30 or 0) / n30 if n30 else None,
        forecast=forecast,
        reviews_per_day={day: n for day, n, _, _ in daily},
        retention_by_week=[(w, p / r) for w, (r, p) in sorted(weeks.items()) if r],
        state_counts=states,
        time_today_s=int(today_ms) / 1000,
    )


def _section_counts(s: Session, now: datetime, day_end: datetime) -> dict[tuple[int, str], list[int]]:
    """(deck id, section) -> [new, learning due, review due, live total], for every section with cards.

    Three reads of the covering ix_cards_deck_state (deck_id, retired, suspended, state,
    due, buried_until, section): the new cards and the cards due today by range (deck by
    deck), and one pass over the index for the totals; the cards table is not read.
    """
    live = and_(CardRow.retired.is_(False), CardRow.suspended.is_(False))
    visible = and_(CardRow.deck_id.in_(select(DeckRow.id)), live, not_buried(now))
    totals = select(CardRow.deck_id, CardRow.section, func.sum(case((live, 1), else_=0))).group_by(
        CardRow.deck_id, CardRow.section
    )
    out = {(deck_id, section): [0, 0, 0, int(total or 0)] for deck_id, section, total in s.execute(totals)}
    new = (
        select(CardRow.deck_id, CardRow.section, func.count())
        .where(visible, CardRow.state == NEW)
        .group_by(CardRow.deck_id, CardRow.section)
    )
    for deck_id, section, n in s.execute(new):
        out[(deck_id, section)][0] += n
    due = (
        select(CardRow.deck_id, CardRow.section, CardRow.state, func.count())
        .where(visible, CardRow.state.in_((*LEARN_STATES, REVIEW)), CardRow.due < day_end)
        .group_by(CardRow.deck_id, CardRow.section, CardRow.state)
    )
    for deck_id, section, state, n in s.execute(due):
        out[(deck_id, section)][1 if state in LEARN_STATES else 2] += n
    return out


def deck_tree_counts(db: Database, now: datetime, settings: Settings) -> list[DeckSectionCounts]:
    """Per deck (section "") and per section: new/learning/review due, deck limits applied.

    A section's counts are capped by its deck's (the limits are per deck).
    """
    day_start, day_end = settings.study_days().bounds(now)
    with db.read() as s:
        names = deck_names(s)
        rows = _section_counts(s, now, day_end)
        done = done_today(s, day_start)
    decks: dict[str, DeckQueue] = {}
    sections: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (deck_id, section), (new, learning, review, total) in rows.items():
        name = names.get(deck_id, "?")
        deck = decks.setdefault(name, DeckQueue(*settings.limits_for(name)))
        deck.new += new
        deck.learning += learning
        deck.review += review
        counts = sections[(name, section)]
        for i, value in enumerate((new, learning, review, total)):
            counts[i] += value
    for (deck_id, state), n in done.items():
        deck = decks.get(names.get(deck_id, "?"))
        if deck is not None and state == NEW:
            deck.new_done += n
        elif deck is not None and state == REVIEW:
            deck.review_done += n
    out = []
    for name in sorted(decks, key=str.lower):
        deck = decks[name]
        total = sum(c[3] for (d, _), c in sections.items() if d == name)
        out.append(DeckSectionCounts(name, "", deck.new_left, deck.learning, deck.review_left, total))
        for (d, section), (new, learning, review, total) in sorted(sections.items()):
            if d == name and section:
                out.append(
                    DeckSectionCounts(name, section, min(new, deck.new_left), learning, min(review, deck.review_left), total)
                )
    return out


def next_due_time(db: Database, now: datetime) -> datetime | None:
    """When the next learning or review card comes due (or out of burial) after `now`.

    A live card counts from max(due, buried_until). Split in two so each part is an
    index read, not a scan of every card: cards not buried past their due time, the
    first due after `now` per state (ix_cards_queue, in due order); and cards buried
    past their due time, the first to come out after `now` (a pass over the covering
    ix_cards_deck_state).
    """
    live = and_(CardRow.retired.is_(False), CardRow.suspended.is_(False))
    found: list[datetime] = []
    with db.read() as s:
        for state in (*LEARN_STATES, REVIEW):
            first = s.execute(
                select(CardRow.due)
                .where(
                    live,
                    CardRow.state == state,
                    CardRow.due > now,
                    or_(CardRow.buried_until.is_(None), CardRow.buried_until <= CardRow.due),
                )
                .order_by(CardRow.due)
                .limit(1)
            ).scalar()
            if first is not None:
                found.append(first)
        buried = s.execute(
            select(func.min(CardRow.buried_until)).where(
                CardRow.deck_id.in_(select(DeckRow.id)),
                live,
                CardRow.state.in_((*LEARN_STATES, REVIEW)),
                CardRow.buried_until > CardRow.due,
                CardRow.buried_until > now,
            )
        ).scalar()
    if buried is not None:
        if isinstance(buried, str):  # min() over a column may lose the column type
            buried = datetime.fromisoformat(buried)
        found.append(buried.replace(tzinfo=UTC) if buried.tzinfo is None else buried)
    return min(found) if found else None
