"""FSRS training items from the whole review log in bulk: numpy columns, no Python object per answer.

The same items as reading the log card by card (`recompute.read_logs` + `item_reviews`,
Anki's `fsrs_items_for_training`): per card whose history starts from new, each answer
a study day or more after the previous one, with the card's history up to it; in the
order of their last answer. At a million cards the log has ten million rows, and a
Python object (a datetime, a tuple, an `FSRSReview`) per row, or per review of every
item (each item repeats its card's history), is most of the work, so:

- the log is read in one pass in table order, three columns, into numpy arrays
  (`LOG_COLUMNS`), and sorted by card, time and id in numpy (the ordered SQL read walks
  the card index and jumps about the table: about twice as long at 100,000 cards);
- of `state_before`, the state alone (SQL's JSON); a card's first answer that found it
  other than new has its text read (by id) for where its history begins
  (`history.starting_memory`): only imported histories;
- study days come from `day_arrays` (one `day_of` per day, not per answer);
- one `FSRSReview` per distinct (rating, days) pair, shared by every item that holds it,
  and an item is `FSRSItem` of a slice of its card's reviews.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from studydl.engine.day_arrays import as_time, study_days_of
from studydl.engine.history import starting_memory
from studydl.store.hot import HotSQL

LOG_COLUMNS = "id, card_id, reviewed_at, rating"
"""What is read of every scheduled answer; of `state_before`, only its state (the text only where a card's
first answer found it other than new)."""
FETCH_ROWS = 100_000
ID_BATCH = 500
_ROW = np.dtype([("id", "i8"), ("card", "i8"), ("at", "M8[us]"), ("rating", "i8"), ("state", "i8")])


@dataclass(frozen=True)
class LogArrays:
    """The scheduled answers, ordered by card, time and id; `first[k]` is where card k's answers begin."""

    card: np.ndarray
    state: np.ndarray
    """The card's state before the answer (0: new; a missing state counts as new, as `Memory.from_dict` reads it)."""
    at: np.ndarray
    """datetime64[us], naive UTC."""
    rating: np.ndarray
    id: np.ndarray
    first: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.card)


@dataclass(frozen=True)
class Items:
    """Training items and what goes with each, in the order of their last answer."""

    items: list
    card_ids: list[int]
    last_ratings: list[int]
    reviews: int
    """Answers of the cards that give items (of every card whose history starts from new)."""


def read_log_arrays(con: HotSQL) -> LogArrays:
    """Every scheduled answer (cram answers left out, as `read_logs`), as sorted columns."""
    state = con.json_int("state_before", "state")
    cursor = con.execute(f"SELECT {LOG_COLUMNS}, COALESCE({state}, 0) FROM review_log WHERE kind = 'scheduled'")
    parts = []
    while rows := cursor.fetchmany(FETCH_ROWS):
        parts.append(np.fromiter(rows, dtype=_ROW, count=len(rows)))
    log = np.concatenate(parts) if parts else np.empty(0, dtype=_ROW)
    log = log[np.lexsort((log["id"], log["at"], log["card"]))]
    card = log["card"]
    first = np.flatnonzero(np.concatenate(([True], card[1:] != card[:-1]))) if len(card) else np.empty(0, np.int64)
    return LogArrays(card, log["state"], log["at"], log["rating"], log["id"], first)


def first_states(con: HotSQL, ids: np.ndarray) -> list[str | None]:
    """`state_before` of the log rows `ids`, in that order."""
    found: dict[int, str | None] = {}
    values = ids.tolist()
    for start in range(0, len(values), ID_BATCH):
        batch = values[start : start + ID_BATCH]
        rows = con.execute(f"SELECT id, state_before FROM review_log WHERE id IN ({', '.join('?' * len(batch))})", batch)
        found.update(rows)
    return [found.get(i) for i in values]


@lru_cache(maxsize=1024)
def _start(state_before: str | None) -> tuple[bool, Any]:
    """(whether the history begins mid-way, with a memory state; the time of the review before it, if any)."""
    memory = starting_memory(state_before)
    return memory.memory_state is not None, memory.last_review


def training_items(
    con: HotSQL, days: Any, keep_card: Callable[[np.ndarray], np.ndarray] | None = None  # noqa: ANN401 - StudyDays
) -> Items:
    """The log's training items (of the cards `keep_card` keeps, given the unique card ids; all if None)."""
    import fsrs_rs_python as fsrs_rs

    log = read_log_arrays(con)
    if log.rows == 0:
        return Items([], [], [], 0)
    cards = log.card[log.first]
    started = np.flatnonzero(log.state[log.first] != 0)  # a new card's history: no memory, no review before
    starts: list[tuple[bool, Any]] = [(False, None)] * len(cards)
    for k, text in zip(started.tolist(), first_states(con, log.id[log.first[started]]), strict=True):
        starts[k] = _start(text)
    keep = np.array([not mid_way for mid_way, _ in starts], dtype=bool)
    if keep_card is not None:
        keep &= keep_card(cards)
    counts = np.diff(np.append(log.first, log.rows))
    kept_rows = np.repeat(keep, counts)
    # Anki's day of an answer: the study day of its whole second, less one second (`recompute.revlog_day`)
    day = study_days_of(days, log.at.astype("M8[s]").astype("M8[us]") - np.timedelta64(1, "s"))
    delta = np.zeros(log.rows, dtype=np.int64)
    delta[1:] = np.maximum(0, day[1:] - day[:-1])
    delta[log.first] = 0
    for k in np.flatnonzero(keep):  # a history with a review before its first answer (rare)
        last_review = starts[k][1]
        if last_review is not None:
            before = as_time(last_review.replace(microsecond=0) - timedelta(seconds=1))
            delta[log.first[k]] = max(0, int(day[log.first[k]] - study_days_of(days, np.array([before]))[0]))
    position = np.arange(log.rows) - np.repeat(log.first, counts)
    chosen = np.flatnonzero(kept_rows & (position >= 1) & (delta > 0))
    chosen = chosen[np.argsort(log.at[chosen], kind="stable")]
    pairs, which = np.unique(log.rating * (1 << 32) + delta, return_inverse=True)
    made = np.empty(len(pairs), dtype=object)
    made[:] = [fsrs_rs.FSRSReview(int(p >> 32), int(p & 0xFFFFFFFF)) for p in pairs.tolist()]
    reviews = made[which.reshape(-1)].tolist()
    begin = np.repeat(log.first, counts)[chosen].tolist()
    end = (chosen + 1).tolist()
    items = list(map(fsrs_rs.FSRSItem, map(reviews.__getitem__, map(slice, begin, end))))
    return Items(items, log.card[chosen].tolist(), log.rating[chosen].tolist(), int(kept_rows.sum()))
