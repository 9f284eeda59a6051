"""Stored times as numpy arrays of study days, for the simulator's bulk reads.

`StudyDays` owns which study day an instant falls in; here its day starts are looked up
for many instants at once (one `start_of` per day in the range, then a binary search),
so reading a long log never calls `day_of` once per row. The times come as the store
gives them: SQLite's text (naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`) or PostgreSQL's
naive UTC datetimes; None is NaT.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from studydl.domain.days import StudyDays

NO_DAY = np.iinfo(np.int64).min
"""The day of a missing time (NaT)."""


def utc_times(values: Sequence[Any]) -> np.ndarray:
    """Stored times (text or naive UTC datetimes, None allowed) as datetime64[us]."""
    return np.array(values, dtype="datetime64[us]")


def as_time(instant: datetime) -> np.datetime64:
    """An aware datetime as the naive UTC datetime64[us] the arrays hold."""
    return np.datetime64(instant.astimezone(UTC).replace(tzinfo=None), "us")


def study_days_of(days: StudyDays, times: np.ndarray) -> np.ndarray:
    """The study day of each time (as `days.day_of`), NO_DAY where the time is missing."""
    out = np.full(times.shape, NO_DAY, dtype=np.int64)
    known = ~np.isnat(times)
    if not known.any():
        return out
    present = times[known]
    first = days.day_of(present.min().item().replace(tzinfo=UTC))
    last = days.day_of(present.max().item().replace(tzinfo=UTC))
    micros = [round(days.start_of(day).timestamp() * 1_000_000) for day in range(first, last + 2)]
    starts = np.array(micros, dtype=np.int64).view("datetime64[us]")
    out[known] = first + np.searchsorted(starts, present, side="right") - 1
    return out
