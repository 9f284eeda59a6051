"""A card's scheduling state (`Memory`): what the scheduler starts from and leaves, and the log keeps.

The review log keeps each answer's state before and after as compact JSON (`to_json`,
datetimes as ISO text in UTC); undo, the history and sync read it back (`from_dict`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from studydl.domain.review import CardState
from studydl.engine.fsrs_model import MemoryState

_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
"""json.dumps(..., separators=(",", ":")) without building an encoder per call."""


def iso_utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_utc(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state: FSRS memory state, due date, counters and leech flags."""

    state: CardState = CardState.NEW
    step: int | None = None
    """Index of the current (re)learning step; None outside (re)learning."""
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    """A review card is due from the start of a study day; a learning card at an instant."""
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    leech: bool = False
    suspended: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the state as a number, times as ISO strings."""
        return {**self.columns(), "due": iso_utc(self.due), "last_review": iso_utc(self.last_review)}

    def to_json(self, **extra: Any) -> str:
        """`to_dict()` and `extra` (keys of its own) as compact JSON; the state's own part made once per
        Memory (a card's state as shown is made ahead, while its question is read: engine/card_plan.py)."""
        own = self.__dict__.get("_json")
        if own is None:
            own = _ENCODE(self.to_dict())
            object.__setattr__(self, "_json", own)  # (not a field: no part of its identity)
        return f"{own[:-1]},{_ENCODE(extra)[1:]}" if extra else own

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memory:
        return cls(
            state=CardState(int(data.get("state", 0))),
            step=data.get("step"),
            stability=data.get("stability"),
            difficulty=data.get("difficulty"),
            due=parse_utc(data.get("due")),
            last_review=parse_utc(data.get("last_review")),
            reps=int(data.get("reps", 0)),
            lapses=int(data.get("lapses", 0)),
            leech=bool(data.get("leech", False)),
            suspended=bool(data.get("suspended", False)),
        )

    @classmethod
    def from_row(cls, row: Any) -> Memory:
        """From a CardRow (or a row with the same column names)."""
        return cls(
            state=CardState(row.state),
            step=row.step,
            stability=row.stability,
            difficulty=row.difficulty,
            due=row.due,
            last_review=row.last_review,
            reps=row.reps,
            lapses=row.lapses,
            leech=row.leech,
            suspended=row.suspended,
        )

    def columns(self) -> dict[str, Any]:
        """The CardRow column values for this state (no dataclasses.asdict: it deep-copies)."""
        return {
            "state": int(self.state),
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due,
            "last_review": self.last_review,
            "reps": self.reps,
            "lapses": self.lapses,
            "leech": self.leech,
            "suspended": self.suspended,
        }

    @property
    def memory_state(self) -> MemoryState | None:
        """The FSRS memory state, None for a card never answered."""
        if self.state == CardState.NEW or self.stability is None or self.difficulty is None:
            return None
        return MemoryState(self.stability, self.difficulty)
