"""How the learner answers, read from their log: time per answer and button use, for the simulator.

A port of fsrs-rs's `extract_simulator_config` (with `smooth`), the function Anki's
simulator feeds its review log to (`get_optimal_retention_parameters`): the Python
binding does not expose it. From the log it takes

- the mean time of an answer by the card's state (learning, review, relearning) and
  the button pressed (answers of 0 or of 20 minutes and more are left out);
- the buttons pressed at a card's first answer of a study day, when it was new or
  learning (`first_rating_prob`) and when it was a review card passed (Hard, Good or
  Easy: `review_rating_prob`);
- the same-day sequences of buttons through the learning and relearning steps
  (`*_step_transitions`).

Each figure is blended with fsrs-rs's default by how much log stands behind it,
`n / (n + 50)` of the learner's own and the rest default, so a short log moves the
defaults a little and a long one replaces them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from studydl.domain.days import StudyDays
from studydl.engine.day_arrays import study_days_of
from studydl.engine.history import SCHEDULED
from studydl.store.db import Database
from studydl.store.hot import HotSQL

DEFAULT_FIRST_RATING_PROB = (0.24, 0.094, 0.495, 0.171)
DEFAULT_REVIEW_RATING_PROB = (0.224, 0.631, 0.145)
DEFAULT_LEARNING_STEP_TRANSITIONS = (
    (0.3686, 0.0628, 0.5108, 0.0577),
    (0.0442, 0.4553, 0.4457, 0.0549),
    (0.0519, 0.047, 0.8462, 0.055),
)
DEFAULT_RELEARNING_STEP_TRANSITIONS = (
    (0.2157, 0.0643, 0.6595, 0.0604),
    (0.05, 0.4638, 0.4475, 0.0387),
    (0.1057, 0.1434, 0.7266, 0.0244),
)
DEFAULT_STATE_RATING_COSTS = (
    (19.58, 18.79, 13.78, 10.71),
    (19.38, 17.59, 12.38, 8.94),
    (16.44, 15.25, 12.32, 8.03),
)
"""Seconds per answer by state (learning, review, relearning) and button: fsrs-rs's defaults."""

LEARNING, REVIEW, RELEARNING = 0, 1, 2
KIND_OF_STATE = {0: LEARNING, 1: LEARNING, 2: REVIEW, 3: RELEARNING}
"""The card's state before an answer (new, learning, review, relearning) -> Anki's review kind."""
MAX_ANSWER_MS = 1_200_000
SMOOTHING = 50.0
CHUNK_ROWS = 100_000
"""Log rows fetched and tallied at a time (the whole log is held as numpy columns: 40 bytes an answer)."""
_KIND_BY_STATE = np.array([LEARNING, LEARNING, REVIEW, RELEARNING])
_LOG_ROW = np.dtype([("card", "i8"), ("at", "M8[us]"), ("rating", "i8"), ("ms", "i8"), ("state", "i8")])
"""A log row as the profile reads it (the time as stored: SQLite's text or PostgreSQL's datetime)."""

Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Answer:
    """One logged answer, as the profile needs it."""

    card_id: int
    day: int
    """Study day."""
    kind: int
    """LEARNING, REVIEW or RELEARNING (the card's state before the answer)."""
    rating: int
    duration_ms: int


@dataclass(frozen=True)
class AnswerProfile:
    """What the simulator needs of the learner's habits (fsrs-rs `SimulatorConfig` fields)."""

    first_rating_prob: tuple[float, ...] = DEFAULT_FIRST_RATING_PROB
    review_rating_prob: tuple[float, ...] = DEFAULT_REVIEW_RATING_PROB
    learning_step_transitions: Matrix = DEFAULT_LEARNING_STEP_TRANSITIONS
    relearning_step_transitions: Matrix = DEFAULT_RELEARNING_STEP_TRANSITIONS
    state_rating_costs: Matrix = DEFAULT_STATE_RATING_COSTS
    timed_answers: tuple[int, int, int] = (0, 0, 0)
    """Answers with a usable time, by kind (learning, review, relearning): how much is the learner's own."""
    own_seconds: tuple[float | None, float | None, float | None] = field(default=(None, None, None))
    """The learner's mean seconds per answer by kind, unblended (None: no timed answer of that kind)."""

    @property
    def from_log(self) -> bool:
        return sum(self.timed_answers) > 0


def _lerp(own: float, default: float, weight: float) -> float:
    return weight * own + (1.0 - weight) * default


def _transitions(pairs: np.ndarray) -> tuple[list[list[float]], list[list[float]]]:
    """Rating-to-next-rating probabilities (Laplace-smoothed by 1) and their counts (fsrs-rs `calculate_transitions`).

    `pairs` counts each rating followed by each rating (4 x 4) in the same-day sequences.
    """
    counts = [[float(n) + 1.0 for n in row] for row in pairs]
    matrix = [[value / sum(row) for value in row] for row in counts]
    return matrix, counts


def _blend_matrix(own: list[list[float]], counts: list[list[float]], default: Matrix) -> Matrix:
    rows = []
    for own_row, count_row, default_row in zip(own[:3], counts[:3], default, strict=True):
        total = sum(count_row)
        weight = total / (SMOOTHING + total)
        rows.append(tuple(_lerp(o, d, weight) for o, d in zip(own_row, default_row, strict=True)))
    return tuple(rows)


class _Tally:
    """The profile's counts, added up chunk by chunk of the log (the log is never held whole).

    Each chunk holds answers card by card, oldest first, as arrays. A card's answers of
    one study day form a group: its first answer gives the button counts and the
    state; the same-day sequence gives the step transitions. A group cut by the end
    of a chunk is kept back and tallied with the next chunk.
    """

    def __init__(self) -> None:
        self.ms_sum = np.zeros(12)
        self.ms_count = np.zeros(12, dtype=np.int64)
        self.buttons = np.zeros((3, 4), dtype=np.int64)
        """Study days by the kind of a card's first answer that day and its button."""
        self.learning_pairs = np.zeros((4, 4), dtype=np.int64)
        self.relearning_pairs = np.zeros((4, 4), dtype=np.int64)
        self._held: tuple[np.ndarray, ...] | None = None

    def add(
        self,
        card: np.ndarray,
        day: np.ndarray,
        kind: np.ndarray,
        rating: np.ndarray,
        ms: np.ndarray,
        when: np.ndarray | None = None,
    ) -> None:
        """Usable answers of the chunk (a time of 0 or of 20 minutes and more, or an odd button, is left out).

        A chunk holds each card's answers together; `when` (any sortable time) puts them
        in order within a card, else they are in order already.
        """
        keep = (ms > 0) & (ms < MAX_ANSWER_MS) & (rating >= 1) & (rating <= 4) & (kind >= 0)
        order = when if when is not None else np.arange(len(card))
        columns = tuple(column[keep] for column in (card, order, day, kind, rating, ms))
        if self._held is not None:
            columns = tuple(np.concatenate(pair) for pair in zip(self._held, columns, strict=True))
            self._held = None
        card = columns[0]
        if not len(card):
            return
        last = card == card[-1]  # the chunk's last card may go on in the next one
        self._held = tuple(column[last] for column in columns)
        self._tally(*(column[~last] for column in columns))

    def _tally(
        self, card: np.ndarray, order: np.ndarray, day: np.ndarray, kind: np.ndarray, rating: np.ndarray, ms: np.ndarray
    ) -> None:
        if not len(card):
            return
        ranked = np.lexsort((order, card))  # stable: answers at the same time keep the log's order
        card, day, kind, rating, ms = (column[ranked] for column in (card, day, kind, rating, ms))
        cell = kind * 4 + rating - 1
        self.ms_sum += np.bincount(cell, weights=ms, minlength=12)
        self.ms_count += np.bincount(cell, minlength=12)
        starts = np.ones(len(card), dtype=bool)
        starts[1:] = (card[1:] != card[:-1]) | (day[1:] != day[:-1])
        firsts = np.flatnonzero(starts)
        self.buttons += np.bincount(cell[firsts], minlength=12).reshape(3, 4)
        group_first = firsts[np.cumsum(starts) - 1]  # each answer's group's first answer
        follows = ~starts[1:]  # answer i + 1 follows answer i the same day
        head = group_first[1:]
        pair = (rating[:-1] - 1) * 4 + rating[1:] - 1
        learning = follows & (kind[head] == LEARNING)
        relearning = follows & (kind[head] == REVIEW) & (rating[head] == 1)
        self.learning_pairs += np.bincount(pair[learning], minlength=16).reshape(4, 4)
        self.relearning_pairs += np.bincount(pair[relearning], minlength=16).reshape(4, 4)

    def profile(self) -> AnswerProfile:
        if self._held is not None:
            self._tally(*self._held)
            self._held = None
        if not self.ms_count.any():
            return AnswerProfile()
        sums, counts = self.ms_sum.reshape(3, 4), self.ms_count.reshape(3, 4)
        costs = tuple(
            tuple(
                # Integer milliseconds, as fsrs-rs averages them; then rounded to two decimals.
                round(_lerp((int(total) // n) / 1000.0 if n else 0.0, default, n / (SMOOTHING + n)), 2)
                for total, n, default in zip(sums[kind], counts[kind].tolist(), DEFAULT_STATE_RATING_COSTS[kind], strict=True)
            )
            for kind in range(3)
        )
        timed = tuple(int(counts[kind].sum()) for kind in range(3))
        own_seconds = tuple(float(sums[kind].sum()) / 1000.0 / timed[kind] if timed[kind] else None for kind in range(3))

        learn = self.buttons[LEARNING].tolist()
        if not any(learn):
            learn = [1, 1, 1, 1]
        review = self.buttons[REVIEW].tolist()
        if not any(review[1:]):
            review = [review[0], 1, 1, 1]
        weight = sum(learn) / (SMOOTHING + sum(learn))
        first_prob = [_lerp(n / sum(learn), d, weight) for n, d in zip(learn, DEFAULT_FIRST_RATING_PROB, strict=True)]
        passed = review[1:]
        weight = sum(passed) / (SMOOTHING + sum(passed))
        review_prob = [_lerp(n / sum(passed), d, weight) for n, d in zip(passed, DEFAULT_REVIEW_RATING_PROB, strict=True)]

        learning, learning_counts = _transitions(self.learning_pairs)
        relearning, relearning_counts = _transitions(self.relearning_pairs)
        return AnswerProfile(
            first_rating_prob=tuple(first_prob),
            review_rating_prob=tuple(review_prob),
            learning_step_transitions=_blend_matrix(learning, learning_counts, DEFAULT_LEARNING_STEP_TRANSITIONS),
            relearning_step_transitions=_blend_matrix(relearning, relearning_counts, DEFAULT_RELEARNING_STEP_TRANSITIONS),
            state_rating_costs=costs,
            timed_answers=timed,  # type: ignore[arg-type]
            own_seconds=own_seconds,  # type: ignore[arg-type]
        )


def profile_from_answers(answers: Iterable[Answer]) -> AnswerProfile:
    """The profile of these answers, card by card and oldest first (the defaults with none timed)."""
    rows = [(a.card_id, a.day, a.kind, a.rating, a.duration_ms) for a in answers]
    tally = _Tally()
    if rows:
        tally.add(*(np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)))
    return tally.profile()


def answer_profile(db: Database, days: StudyDays) -> AnswerProfile:
    """The learner's profile from the whole log (the defaults with no timed answer)."""
    with db.raw_read() as sql:
        return read_profile(sql, days)


def read_profile(sql: HotSQL, days: StudyDays) -> AnswerProfile:
    """`answer_profile` inside a read the caller holds (one snapshot with its other reads).

    Cram answers (Anki's filtered previews) say nothing of the schedule and are left out.
    """
    tally = _Tally()
    state = sql.json_int("state_before", "state")
    cursor = sql.execute(  # in the table's order (by card, the index's, jumps about the table): sorted below
        f"SELECT card_id, reviewed_at, COALESCE(rating, 0), COALESCE(duration_ms, 0), COALESCE({state}, 0)"
        " FROM review_log WHERE kind = ? ORDER BY id",
        (SCHEDULED,),
    )
    parts = []
    while rows := cursor.fetchmany(CHUNK_ROWS):
        parts.append(np.fromiter(rows, dtype=_LOG_ROW, count=len(rows)))
    if not parts:
        return tally.profile()
    log = np.concatenate(parts)
    del parts
    order = np.lexsort((log["at"], log["card"]))  # stable: the same time keeps the log's order
    for start in range(0, len(log), CHUNK_ROWS):  # each card's answers together, oldest first
        chunk = log[order[start : start + CHUNK_ROWS]]
        state_column = chunk["state"]
        known = (state_column >= 0) & (state_column < len(_KIND_BY_STATE))
        kind = np.where(known, _KIND_BY_STATE[np.where(known, state_column, 0)], -1)
        at = chunk["at"]
        tally.add(chunk["card"], study_days_of(days, at), kind, chunk["rating"], chunk["ms"], at.view(np.int64))
    return tally.profile()
