"""Write imported scheduling state and review history into the store, in the review engine's shape.

Kept in one place so it is easy to align with `studydl/engine/`: a card's
scheduling lives in `CardRow` (state, step, stability, difficulty, due,
last_review, reps, lapses), each answer is a `ReviewRow` whose `state_before`
and `state_after` are JSON objects with the keys of the engine's
`card_memory.Memory.to_json()` (datetimes as ISO text in UTC), so undo and
statistics read imported rows like their own. One extra key, `"imported": true`,
tells `studydl doctor` the card's state came from the import: the source's
current state of a card may differ from what its last answer set (a manual
reschedule in Anki), and that is not a disagreement to repair.
A card that already has answers in the store is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from studydl.domain.cards import ParsedCard
from studydl.interop.result import CardHistory, Schedule
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow


@dataclass
class HistoryReport:
    cards: int = 0
    """Cards given their imported scheduling state."""
    reviews: int = 0
    """Review log rows written."""
    kept: int = 0
    """Cards left alone because they already had answers in the store."""


def state_json(schedule: Schedule) -> str:
    """The JSON a review log row keeps for a state (the keys `engine.scheduler.Memory` writes)."""
    return json.dumps(
        {
            "state": schedule.state,
            "step": schedule.step,
            "stability": schedule.stability,
            "difficulty": schedule.difficulty,
            "due": _iso(schedule.due),
            "last_review": _iso(schedule.last_review),
            "reps": schedule.reps,
            "lapses": schedule.lapses,
            "leech": False,
            "suspended": schedule.suspended,
            "imported": True,
        },
        separators=(",", ":"),
    )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def write_history(db: Database, deck_path: Path, items: Iterable[tuple[ParsedCard, CardHistory]]) -> HistoryReport:
    """Give the synced cards of `deck_path` their imported state and log, in one transaction."""
    report = HistoryReport()
    source = str(deck_path.expanduser().resolve())
    pending = [(card, history) for card, history in items if history.reviews or history.schedule.state != 0 or history.schedule.suspended or history.schedule.flag]
    if not pending:
        return report
    with db.write() as s:
        rows = {
            row.content_hash: row
            for row in s.scalars(select(CardRow).where(CardRow.deck_id.in_(select(DeckRow.id).where(DeckRow.path == source)), CardRow.retired.is_(False)))
        }
        answered = set(s.scalars(select(ReviewRow.card_id).where(ReviewRow.card_id.in_([r.id for r in rows.values()])).group_by(ReviewRow.card_id)))
        for card, history in pending:
            row = rows.get(card.content_hash)
            if row is None:
                continue
            if row.id in answered or row.reps or row.state != 0:
                report.kept += 1
                continue
            _set_schedule(row, history.schedule)
            report.cards += 1
            for review in history.reviews:
                s.add(
                    ReviewRow(
                        card_id=row.id,
                        reviewed_at=review.reviewed_at,
                        rating=review.rating,
                        duration_ms=review.duration_ms,
                        state_before=state_json(review.before),
                        state_after=state_json(review.after),
                        kind=review.kind,
                    )
                )
                report.reviews += 1
    return report


def _set_schedule(row: CardRow, schedule: Schedule) -> None:
    row.state = schedule.state
    row.step = schedule.step
    row.stability = schedule.stability
    row.difficulty = schedule.difficulty
    row.due = schedule.due
    row.last_review = schedule.last_review
    row.reps = schedule.reps
    row.lapses = schedule.lapses
    row.suspended = schedule.suspended
    row.flag = schedule.flag


def count_reviews(db: Database) -> int:
    """All review log rows (for reports and tests)."""
    with db.read() as s:
        return int(s.scalar(select(func.count(ReviewRow.id))) or 0)
