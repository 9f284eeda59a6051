"""Collection statistics: answers, retention, the due forecast, card states.

The deck list's per-deck counts and next due time are in engine/deck_counts.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from studydl.domain.days import StudyDays
from studydl.domain.review import CardState
from studydl.engine.queue import (
    NEW,
    REVIEW,
)
from studydl.engine.queue_counts import answers_today
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow
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
    correct_today: int = 0
    """Today's answers that were not Again (every card state; retention counts review cards only)."""
    cram_today: int = 0
    """Of `reviews_today`, the cram answers (shown apart; they changed no schedule)."""


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
    with db.raw_read() as con:  # today's answers as the deck list and a session's end count them
        today_answers = answers_today(con, day_start)
    with db.read() as s:
        today_ms = s.execute(select(func.coalesce(func.sum(ReviewRow.duration_ms), 0)).where(ReviewRow.reviewed_at >= day_start)).scalar_one()
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
        reviews_today=today_answers.answers,
        reviews_total=int(total),
        retention_30d=(pass30 or 0) / n30 if n30 else None,
        forecast=forecast,
        reviews_per_day={day: n for day, n, _, _ in daily},
        retention_by_week=[(w, p / r) for w, (r, p) in sorted(weeks.items()) if r],
        state_counts=states,
        time_today_s=int(today_ms) / 1000,
        correct_today=today_answers.correct,
        cram_today=today_answers.cram,
    )
