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

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from studydl.domain.days import StudyDays
from studydl.engine.history import SCHEDULED
from studydl.store.db import Database
from studydl.store.models import ReviewRow

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


def _transitions(sequences: Iterable[list[int]]) -> tuple[list[list[float]], list[list[float]]]:
    """Rating-to-next-rating probabilities (Laplace-smoothed by 1) and their counts (fsrs-rs `calculate_transitions`)."""
    counts = [[0.0] * 4 for _ in range(4)]
    for sequence in sequences:
        for current, following in zip(sequence, sequence[1:], strict=False):
            counts[current - 1][following - 1] += 1.0
    for row in counts:
        for j in range(4):
            row[j] += 1.0
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
    """The profile's counts, taken answer by answer (the log is read once, never held whole)."""

    def __init__(self) -> None:
        self.ms_sum = [[0] * 4 for _ in range(3)]
        self.ms_count = [[0] * 4 for _ in range(3)]
        self.buttons: dict[tuple[int, int], int] = defaultdict(int)
        """(state of a card's first answer of a day, 1 learning / 2 review; its button) -> days."""
        self.learning_seq: list[list[int]] = []
        self.relearning_seq: list[list[int]] = []
        self._group: tuple[int, int] | None = None
        self._first: Answer | None = None
        self._ratings: list[int] = []

    def add(self, answer: Answer) -> None:
        self.ms_sum[answer.kind][answer.rating - 1] += answer.duration_ms
        self.ms_count[answer.kind][answer.rating - 1] += 1
        if (answer.card_id, answer.day) != self._group:
            self._close_day()
            self._group, self._first, self._ratings = (answer.card_id, answer.day), answer, []
        self._ratings.append(answer.rating)

    def _close_day(self) -> None:
        """A card's answers of one study day: its first answer's button, and the same-day sequence."""
        first = self._first
        if first is None:
            return
        state = first.kind + 1
        self.buttons[(state, first.rating)] += 1
        if state == 1:
            self.learning_seq.append(self._ratings)
        elif state == 2 and first.rating == 1:
            self.relearning_seq.append(self._ratings)

    def profile(self) -> AnswerProfile:
        self._close_day()
        self._first = None
        costs = tuple(
            tuple(
                # Integer milliseconds, as fsrs-rs averages them; then rounded to two decimals.
                round(_lerp((total // n) / 1000.0 if n else 0.0, default, n / (SMOOTHING + n)), 2)
                for total, n, default in zip(self.ms_sum[kind], self.ms_count[kind], DEFAULT_STATE_RATING_COSTS[kind], strict=True)
            )
            for kind in range(3)
        )
        timed = tuple(sum(self.ms_count[kind]) for kind in range(3))
        own_seconds = tuple(sum(self.ms_sum[kind]) / 1000.0 / timed[kind] if timed[kind] else None for kind in range(3))

        learn = [self.buttons[(1, r)] for r in range(1, 5)]
        if not any(learn):
            learn = [1, 1, 1, 1]
        review = [self.buttons[(2, r)] for r in range(1, 5)]
        if not any(review[1:]):
            review = [review[0], 1, 1, 1]
        weight = sum(learn) / (SMOOTHING + sum(learn))
        first_prob = [_lerp(n / sum(learn), d, weight) for n, d in zip(learn, DEFAULT_FIRST_RATING_PROB, strict=True)]
        passed = review[1:]
        weight = sum(passed) / (SMOOTHING + sum(passed))
        review_prob = [_lerp(n / sum(passed), d, weight) for n, d in zip(passed, DEFAULT_REVIEW_RATING_PROB, strict=True)]

        learning, learning_counts = _transitions(self.learning_seq)
        relearning, relearning_counts = _transitions(self.relearning_seq)
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
    """The profile of these answers, card by card and oldest first (one pass; the defaults with none timed)."""
    tally = _Tally()
    for answer in answers:
        if 0 < answer.duration_ms < MAX_ANSWER_MS and 1 <= answer.rating <= 4:
            tally.add(answer)
    if not any(tally.ms_count[kind][r] for kind in range(3) for r in range(4)):
        return AnswerProfile()
    return tally.profile()


def logged_answers(s: Session, days: StudyDays) -> Iterator[Answer]:
    """Every logged answer, card by card, oldest first, as the query streams them."""
    query = select(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.rating, ReviewRow.duration_ms, ReviewRow.state_before)
    query = query.where(ReviewRow.kind == SCHEDULED)  # cram answers (Anki's filtered previews) say nothing of the schedule
    query = query.order_by(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.id)
    for card_id, at, rating, duration, before in s.execute(query):
        try:
            state = int(json.loads(before).get("state", 0))
        except (ValueError, TypeError, AttributeError):
            continue
        kind = KIND_OF_STATE.get(state)
        if kind is not None:
            yield Answer(card_id, days.day_of(at), kind, int(rating), int(duration or 0))


def answer_profile(db: Database, days: StudyDays) -> AnswerProfile:
    """The learner's profile from the whole log (the defaults with no timed answer)."""
    with db.read() as s:
        return profile_from_answers(logged_answers(s, days))
