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
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from studydl.domain.days import StudyDays
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


def _costs(answers: list[Answer]) -> tuple[Matrix, tuple[int, int, int], tuple[float | None, ...]]:
    durations: dict[tuple[int, int], list[int]] = defaultdict(list)
    for answer in answers:
        durations[(answer.kind, answer.rating - 1)].append(answer.duration_ms)
    costs = []
    for kind in range(3):
        row = []
        for rating in range(4):
            found = durations.get((kind, rating), [])
            # Integer milliseconds, as fsrs-rs averages them; then rounded to two decimals.
            own = (sum(found) // len(found)) / 1000.0 if found else 0.0
            weight = len(found) / (SMOOTHING + len(found))
            row.append(round(_lerp(own, DEFAULT_STATE_RATING_COSTS[kind][rating], weight), 2))
        costs.append(tuple(row))
    timed = tuple(sum(len(durations.get((kind, r), [])) for r in range(4)) for kind in range(3))
    own_seconds = tuple(
        sum(sum(durations.get((kind, r), [])) for r in range(4)) / 1000.0 / timed[kind] if timed[kind] else None
        for kind in range(3)
    )
    return tuple(costs), timed, own_seconds  # type: ignore[return-value]


def profile_from_answers(answers: Iterable[Answer]) -> AnswerProfile:
    """The profile of these answers (in the order given: oldest first per card)."""
    usable = [a for a in answers if 0 < a.duration_ms < MAX_ANSWER_MS and 1 <= a.rating <= 4]
    if not usable:
        return AnswerProfile()
    costs, timed, own_seconds = _costs(usable)

    days: dict[tuple[int, int], list[Answer]] = {}
    for answer in usable:
        days.setdefault((answer.card_id, answer.day), []).append(answer)
    first = [(group[0].kind + 1, group[0].rating, [a.rating for a in group]) for group in days.values()]
    buttons: dict[tuple[int, int], int] = defaultdict(int)
    for state, rating, _ in first:
        buttons[(state, rating)] += 1

    learn = [buttons[(1, r)] for r in range(1, 5)]
    if not any(learn):
        learn = [1, 1, 1, 1]
    review = [buttons[(2, r)] for r in range(1, 5)]
    if not any(review[1:]):
        review = [review[0], 1, 1, 1]
    first_prob = [n / sum(learn) for n in learn]
    review_prob = [n / sum(review[1:]) for n in review[1:]]
    weight = sum(learn) / (SMOOTHING + sum(learn))
    first_prob = [_lerp(p, d, weight) for p, d in zip(first_prob, DEFAULT_FIRST_RATING_PROB, strict=True)]
    weight = sum(review[1:]) / (SMOOTHING + sum(review[1:]))
    review_prob = [_lerp(p, d, weight) for p, d in zip(review_prob, DEFAULT_REVIEW_RATING_PROB, strict=True)]

    learning_seq = [ratings for state, _, ratings in first if state == 1]
    relearning_seq = [ratings for state, rating, ratings in first if state == 2 and rating == 1]
    learning, learning_counts = _transitions(learning_seq)
    relearning, relearning_counts = _transitions(relearning_seq)
    return AnswerProfile(
        first_rating_prob=tuple(first_prob),
        review_rating_prob=tuple(review_prob),
        learning_step_transitions=_blend_matrix(learning, learning_counts, DEFAULT_LEARNING_STEP_TRANSITIONS),
        relearning_step_transitions=_blend_matrix(relearning, relearning_counts, DEFAULT_RELEARNING_STEP_TRANSITIONS),
        state_rating_costs=costs,
        timed_answers=timed,  # type: ignore[arg-type]
        own_seconds=own_seconds,  # type: ignore[arg-type]
    )


def logged_answers(db: Database, days: StudyDays) -> list[Answer]:
    """Every logged answer, card by card, oldest first."""
    query = select(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.rating, ReviewRow.duration_ms, ReviewRow.state_before)
    query = query.order_by(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.id)
    out = []
    with db.read() as s:
        for card_id, at, rating, duration, before in s.execute(query):
            try:
                state = int(json.loads(before).get("state", 0))
            except (ValueError, TypeError, AttributeError):
                continue
            kind = KIND_OF_STATE.get(state)
            if kind is None:
                continue
            out.append(Answer(card_id, days.day_of(at), kind, int(rating), int(duration or 0)))
    return out


def answer_profile(db: Database, days: StudyDays) -> AnswerProfile:
    """The learner's profile from the whole log (the defaults with no timed answer)."""
    return profile_from_answers(logged_answers(db, days))
