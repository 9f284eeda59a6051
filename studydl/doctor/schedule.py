"""Scheduling state against the review log: which cards disagree, and their state rebuilt by replay.

Every answer writes the card's new state to its row and to the log row's
`state_after` in one transaction, and undo puts `state_before` back, so a card's
row agrees with the `state_after` of its newest log row. Only two other writers
touch a card's scheduling, and doctor accepts what they write:

- a recompute after `studydl optimize` (engine/recompute.py) sets stability and
  difficulty to what the replay of the log gives, and with "reschedule" moves a
  review card's due date to another study-day start after its last review;
- an import (interop/history.py) gives a card the source's current state, which
  can differ from what its last answer set (a manual reschedule in Anki); its log
  rows carry `"imported": true` and such a card is only checked for an
  impossible state.

So a card disagrees when what only answers change (state, step, reps, lapses,
last review) differs from its newest log row, when its stability or difficulty is
neither the log's nor the replay's, when its due date is neither and is no study-day
start after the last review, or when its state is impossible (no due date, a
stability <= 0, an unknown state). A card equal to the replay of its log always
agrees (one doctor rebuilt). Disagreeing cards are rebuilt with the engine's
replay; a card with no log and an impossible state becomes a new card (the replay
of an empty log).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from studydl.domain.review import CardState
from studydl.engine.history import replay_card
from studydl.engine.scheduler import Memory
from studydl.engine.settings import Settings, load_settings
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow

ANSWERED = ("state", "step", "last_review", "reps", "lapses")
"""Changed only by answers (and undo): the newest log row decides them."""
MEMORY = ("stability", "difficulty")
"""Also set by a recompute, to the replay's values."""
COMPARED = (*ANSWERED, *MEMORY, "due")
"""Not `suspended` (a manual suspend is not logged), not flags or burying."""
_TIME_SLACK = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Disagreement:
    card_id: int
    reason: str

    def __str__(self) -> str:
        return f"card {self.card_id}: {self.reason}"


def find_disagreements(db: Database, settings: Settings | None = None) -> list[Disagreement]:
    """The cards whose scheduling state their review log does not account for."""
    newest = select(ReviewRow.card_id, func.max(ReviewRow.id).label("id")).group_by(ReviewRow.card_id).subquery()
    query = (
        select(CardRow, ReviewRow.state_after)
        .outerjoin(newest, newest.c.card_id == CardRow.id)
        .outerjoin(ReviewRow, ReviewRow.id == newest.c.id)
        .order_by(CardRow.id)
    )
    suspects: list[tuple[int, Memory | None, Memory | None, str | None]] = []
    with db.read() as s:
        for row, state_after in s.execute(query):
            stored, impossible = _stored(row)
            logged, imported = _logged(state_after)
            if impossible is not None:
                suspects.append((row.id, stored, None, impossible))
            elif state_after is not None and not imported and (logged is None or _difference(stored, logged) is not None):  # type: ignore[arg-type]
                suspects.append((row.id, stored, logged, None))
    if not suspects:
        return []
    settings = settings if settings is not None else load_settings(db)
    found = []
    for card_id, stored, logged, reason in suspects:
        replayed = _replayed(db, card_id, settings)
        if stored is not None and _difference(stored, replayed) is None:
            continue
        if reason is None:
            reason = _unaccounted(stored, logged, replayed, settings)  # type: ignore[arg-type]
        if reason is not None:
            found.append(Disagreement(card_id, reason))
    return found


def _unaccounted(stored: Memory, logged: Memory | None, replayed: Memory, settings: Settings) -> str | None:
    """Why the row is not what the log (its newest row, its replay, a recompute) can account for."""
    if logged is None:
        return "its newest review log row is unreadable"
    if (answered := _difference(stored, logged, ANSWERED)) is not None:
        return answered
    for name in MEMORY:
        if _difference(stored, replayed, (name,)) is not None and (memory := _difference(stored, logged, (name,))):
            return memory
    if _difference(stored, logged, ("due",)) is None or _difference(stored, replayed, ("due",)) is None:
        return None
    if stored.state == CardState.REVIEW and stored.due is not None and stored.last_review is not None:
        days = settings.study_days()
        start = days.start_of(days.day_of(stored.due))
        if abs(stored.due - start) <= _TIME_SLACK and stored.due > stored.last_review:
            return None  # a reschedule: a study-day start after the last review
    return _difference(stored, logged, ("due",))


def rebuild(db: Database, card_ids: list[int], settings: Settings | None = None) -> int:
    """Give each card the state the engine's replay of its log gives (manual suspends kept)."""
    settings = settings if settings is not None else load_settings(db)
    for card_id in card_ids:
        memory = _replayed(db, card_id, settings)
        with db.write() as s:
            suspended = bool(s.scalar(select(CardRow.suspended).where(CardRow.id == card_id)))
            columns = {**memory.columns(), "suspended": memory.suspended or suspended}
            s.execute(update(CardRow).where(CardRow.id == card_id).values(**columns))
    return len(card_ids)


def _replayed(db: Database, card_id: int, settings: Settings | None) -> Memory:
    """The engine's replay of the card's log: the one call into the engine."""
    return replay_card(db, card_id, settings)


def _stored(row: CardRow) -> tuple[Memory | None, str | None]:
    """The row's state, and what makes it impossible (None: nothing)."""
    if row.state not in {int(s) for s in CardState}:
        return None, f"state {row.state} is not a card state"
    memory = Memory.from_row(row)
    if memory.reps < 0 or memory.lapses < 0:
        return memory, f"negative counts (reps {memory.reps}, lapses {memory.lapses})"
    if memory.state == CardState.NEW:
        return memory, None
    if memory.due is None:
        return memory, f"{memory.state.name.lower()} card without a due date"
    if memory.stability is None or not math.isfinite(memory.stability) or memory.stability <= 0:
        return memory, f"stability {memory.stability} is not a positive number"
    if memory.difficulty is None or not math.isfinite(memory.difficulty) or not 1 <= memory.difficulty <= 10:
        return memory, f"difficulty {memory.difficulty} is outside 1-10"
    return memory, None


def _logged(state_after: str | None) -> tuple[Memory | None, bool]:
    """The state the newest log row recorded, and whether it was imported."""
    if state_after is None:
        return None, False
    try:
        data = json.loads(state_after)
        return Memory.from_dict(data), bool(data.get("imported"))
    except (ValueError, TypeError, AttributeError):
        return None, False


def _difference(stored: Memory, logged: Memory, names: tuple[str, ...] = COMPARED) -> str | None:
    """The first of `names` where the two differ, said for a person; None when they agree."""
    for name in names:
        mine, theirs = getattr(stored, name), getattr(logged, name)
        if isinstance(mine, float) and isinstance(theirs, float):
            same = math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9)
        elif isinstance(mine, datetime) and isinstance(theirs, datetime):
            same = abs(mine - theirs) <= _TIME_SLACK
        else:
            same = mine == theirs
        if not same:
            return f"{name} is {_show(mine)} but its review log says {_show(theirs)}"
    return None


def _show(value: object) -> str:
    if isinstance(value, CardState):
        return value.name.lower()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
