"""What a review session's summary says about today: its retention and today's answers, read from the log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select

from studydl.domain.review import CardState, Rating, SessionSummary
from studydl.engine.queue_counts import answers_today
from studydl.store.db import Database
from studydl.store.models import ReviewRow
from studydl.store.portable_sql import json_int


def session_summary(db: Database, day_start: datetime, reviewed: int, seconds: float) -> SessionSummary:
    """`reviewed` answers kept in `seconds`; today's retention (review-state answers not Again) and answers."""
    was_review = json_int(ReviewRow.state_before, "state") == int(CardState.REVIEW)
    passed = ReviewRow.rating > int(Rating.AGAIN)
    with db.read() as s:
        reviews, recalled = s.execute(
            select(
                func.sum(case((was_review, 1), else_=0)),
                func.sum(case((and_(was_review, passed), 1), else_=0)),
            ).where(ReviewRow.reviewed_at >= day_start, ReviewRow.kind == "scheduled")
        ).one()
    with db.raw_read() as con:  # today's answers as the deck list and the statistics count them
        today = answers_today(con, day_start)
    retention = (recalled or 0) / reviews if reviews else None
    return SessionSummary(reviewed, seconds, retention, today.answers, today.correct, today.cram)
