"""Scheduling state against the review log: which cards disagree, and their state rebuilt by replay.

Every answer writes the card's new state to its row and to the log row's
`state_after` in one transaction, and undo puts `state_before` back, so a
card's row equals the `state_after` of its newest log row. Where it does not,
the row was changed behind the engine's back (another tool, a restore of one
table, a bug) and the card is rebuilt from its log with the engine's replay.

Two exceptions keep this from "repairing" what is fine:
- A row equal to the replay of its log agrees too (a card doctor rebuilt).
- A card whose newest log row was imported (`"imported": true`, written by
  interop/history.py) keeps its imported state: Anki's current state of a card
  can differ from what its last answer set (a manual reschedule, FSRS memory
  states); only an impossible state (no due date, stability <= 0, ...) counts.
A card with no log and an impossible state is rebuilt too: from an empty log,
that is a new card.
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

COMPARED = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
"""What the log decides. Not `suspended` (a manual suspend is not logged), not flags or burying."""
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
    suspects: list[tuple[int, Memory | None, str]] = []
    with db.read() as s:
        for row, state_after in s.execute(query):
            stored, reason = _stored(row)
            if reason is None and state_after is not None:
                logged, imported = _logged(state_after)
                if imported:
                    continue
                reason = "its newest review log row is unreadable" if logged is None else _difference(stored, logged)  # type: ignore[arg-type]
            if reason is not None:
                suspects.append((row.id, stored, reason))
    if suspects and settings is None:
        settings = load_settings(db)
    return [
        Disagreement(card_id, reason)
        for card_id, stored, reason in suspects
        if stored is None or _difference(stored, _replayed(db, card_id, settings)) is not None
    ]


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


def _difference(stored: Memory, logged: Memory) -> str | None:
    """The first scheduling field where the two differ, said for a person; None when they agree."""
    for name in COMPARED:
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
