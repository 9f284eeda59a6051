"""The store's scheduling state and review log of the cards being exported, as plain values."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow


@dataclass(frozen=True)
class LoggedAnswer:
    """One review log row: when, the rating, how long, the states before and after (the engine's JSON), the kind."""

    reviewed_at: datetime
    rating: int
    duration_ms: int | None
    before: dict
    after: dict
    kind: str


@dataclass
class StoredSchedule:
    """One card's scheduling state as stored, and its answers oldest first."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None
    reps: int
    lapses: int
    suspended: bool
    flag: int
    answers: list[LoggedAnswer] = field(default_factory=list)


def load_schedules(db: Database, card_ids: Iterable[int]) -> dict[int, StoredSchedule]:
    """By card id: the card's state and its whole review log (cram answers included), in one read."""
    ids = sorted(set(card_ids))
    out: dict[int, StoredSchedule] = {}
    with db.read() as s:
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for row in s.scalars(select(CardRow).where(CardRow.id.in_(chunk))):
                out[row.id] = StoredSchedule(
                    row.state, row.step, row.stability, row.difficulty, _utc(row.due), _utc(row.last_review),
                    row.reps, row.lapses, row.suspended, row.flag,
                )
            query = (
                select(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.rating, ReviewRow.duration_ms,
                       ReviewRow.state_before, ReviewRow.state_after, ReviewRow.kind)
                .where(ReviewRow.card_id.in_(chunk))
                .order_by(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.id)
            )
            for card_id, at, rating, duration, before, after, kind in s.execute(query):
                out[card_id].answers.append(LoggedAnswer(_utc(at), rating, duration, _json(before), _json(after), kind))
    return out


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def json_time(state: dict, key: str) -> datetime | None:
    """A datetime field of a logged state (ISO text), in UTC."""
    value = state.get(key)
    if not isinstance(value, str):
        return None
    try:
        return _utc(datetime.fromisoformat(value))
    except ValueError:
        return None
