"""The one FSRS engine: open-spaced-repetition's Rust FSRS (`fsrs-rs-python`), the one Anki uses.

`FsrsModel` owns the FSRS object, its parameters and the desired retention. The
scheduler, the log replay, the optimizer and (later) the workload simulator all go
through it, so there is one engine and one place that knows its parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import fsrs_rs_python as fsrs_rs

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(float(x) for x in fsrs_rs.DEFAULT_PARAMETERS)
"""FSRS-6's default parameters (21), as Anki uses them before an optimization."""

PARAMETER_COUNTS = (17, 19, 21)
"""FSRS-4.5, FSRS-5 and FSRS-6 parameter sets; shorter sets are filled up as FSRS does."""


def check_parameters(values: Sequence[float]) -> tuple[float, ...]:
    """The parameters as FSRS-6 uses them (17 or 19 filled up to 21); ValueError if unusable."""
    params = [float(x) for x in values]
    if len(params) not in PARAMETER_COUNTS:
        raise ValueError(f"expected 17, 19 or 21 FSRS parameters, not {len(params)}")
    if not all(math.isfinite(x) for x in params):
        raise ValueError("FSRS parameters must be finite numbers")
    try:
        filled = fsrs_rs.check_and_fill_parameters(params)
        fsrs_rs.FSRS(filled)
    except ValueError as exc:
        raise ValueError(f"FSRS rejects these parameters ({exc})") from exc
    return tuple(float(x) for x in filled)


@dataclass(frozen=True)
class MemoryState:
    """FSRS's memory state of a card: stability (days) and difficulty (1-10)."""

    stability: float
    difficulty: float


@dataclass(frozen=True)
class NextState:
    """What one answer would do: the new memory state and FSRS's (unrounded) interval in days."""

    memory: MemoryState
    interval: float


@dataclass(frozen=True)
class NextStates:
    again: NextState
    hard: NextState
    good: NextState
    easy: NextState

    def by_rating(self, rating: int) -> NextState:
        return (self.again, self.hard, self.good, self.easy)[rating - 1]


def forgetting_curve(decay: float, elapsed: Any, stability: Any) -> Any:
    """FSRS-6's recall probability `elapsed` days after a review (floats or numpy arrays; elapsed >= 0).

    `decay` is parameter 20; R is 0.9 when `elapsed` equals the stability.
    """
    exponent = -decay
    factor = 0.9 ** (1.0 / exponent) - 1.0
    return (1.0 + factor * elapsed / stability) ** exponent


def _state(item: Any) -> NextState:
    return NextState(MemoryState(item.memory.stability, item.memory.difficulty), item.interval)


class FsrsModel:
    """FSRS with one set of parameters and one desired retention."""

    def __init__(self, parameters: Sequence[float] | None = None, desired_retention: float = 0.9) -> None:
        self.parameters: tuple[float, ...] = (
            check_parameters(parameters) if parameters is not None else DEFAULT_PARAMETERS
        )
        self.desired_retention = float(desired_retention)
        self.fsrs = fsrs_rs.FSRS(list(self.parameters))

    @cached_property
    def allow_short_term(self) -> bool:
        """Same-day reviews may set sub-day intervals (FSRS-6's short-term parameters are on).

        Anki's rule: with parameters 17 and 18 both positive (default parameters: yes).
        """
        return self.parameters[17] > 0.0 and self.parameters[18] > 0.0

    @property
    def decay(self) -> float:
        return self.parameters[20]

    def next_states(self, memory: MemoryState | None, days_elapsed: int) -> NextStates:
        """The four answers' memory states and intervals, `days_elapsed` study days after the last review.

        `memory` None is a card never answered; 0 days is a same-day review (FSRS-6's
        short-term formula).
        """
        current = fsrs_rs.MemoryState(memory.stability, memory.difficulty) if memory is not None else None
        states = self.fsrs.next_states(current, self.desired_retention, max(0, int(days_elapsed)))
        return NextStates(_state(states.again), _state(states.hard), _state(states.good), _state(states.easy))

    def next_interval(self, stability: float) -> float:
        """Days until recall falls to the desired retention, for a card of this stability."""
        return self.fsrs.next_interval(stability, self.desired_retention, 0)

    def retrievability(self, stability: float, days_elapsed: float) -> float:
        """FSRS-6's forgetting curve: recall probability `days_elapsed` days after a review."""
        return forgetting_curve(self.decay, max(0.0, days_elapsed), stability)

    def memory_states(
        self, items: Sequence[fsrs_rs.FSRSItem], starting: Sequence[MemoryState | None] | None = None
    ) -> list[MemoryState]:
        """The memory state after each item's last review (one Rust call for all)."""
        starts = None
        if starting is not None:
            starts = [fsrs_rs.MemoryState(m.stability, m.difficulty) if m is not None else None for m in starting]
        return [MemoryState(m.stability, m.difficulty) for m in self.fsrs.memory_state_batch(list(items), starts)]

    def evaluate(self, items: Sequence[fsrs_rs.FSRSItem]) -> tuple[float, float]:
        """(log-loss, RMSE(bins)) of these parameters' predictions on the items."""
        result = self.fsrs.evaluate(list(items))
        return float(result.log_loss), float(result.rmse_bins)

    def with_parameters(self, parameters: Sequence[float] | None) -> FsrsModel:
        return FsrsModel(parameters, self.desired_retention)


def fsrs_item(reviews: Sequence[tuple[int, int]]) -> fsrs_rs.FSRSItem:
    """An FSRS item from (rating, study days since the previous review) pairs, oldest first."""
    return fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(int(rating), int(delta)) for rating, delta in reviews])


S_MIN, S_MAX = 0.001, 36500.0
D_MIN, D_MAX = 1.0, 10.0


class FsrsArrays:
    """FSRS-6's equations over numpy arrays, as fsrs-rs's simulator (`simulation.rs`) applies them.

    The workload simulator steps every card due on a day at once, so it needs the
    equations on arrays; fsrs-rs offers them one card at a time. They are the ones
    `FsrsModel` reaches through fsrs-rs (its `next_states`), in double precision, with
    the simulator's one difference: a same-day Hard has no floor on its stability
    increase (fsrs-rs's `stability_short_term` in simulation.rs floors only Good and
    Easy at 1; its model.rs floors Hard too). numpy is imported here, not at start-up.
    """

    def __init__(self, parameters: Sequence[float] | None = None) -> None:
        import numpy as np

        self.np = np
        self.w = check_parameters(parameters) if parameters is not None else DEFAULT_PARAMETERS
        w = self.w
        self.exponent = -w[20]
        self.factor = 0.9 ** (1.0 / self.exponent) - 1.0
        """R = (1 + factor * elapsed / stability) ** exponent."""
        self._init_s = np.array(w[0:4])
        self._init_d = np.clip(w[4] - np.exp(w[5] * np.arange(4.0)) + 1.0, D_MIN, D_MAX)
        self._easy_d = w[4] - math.exp(w[5] * 3.0) + 1.0  # init_d(4), unclamped: the mean it reverts to
        self._success_scale = math.exp(w[8])
        self._bonus = np.array([1.0, 1.0, w[15], 1.0, w[16]])
        """By rating: Hard's penalty, Easy's bonus."""
        self._failure_floor = math.exp(w[17] * w[18])

    def _clamp(self, values: Any, low: float, high: float) -> Any:
        return self.np.minimum(self.np.maximum(values, low), high)  # np.clip costs more on small arrays

    def retrievability(self, elapsed: Any, stability: Any) -> Any:
        return forgetting_curve(self.w[20], elapsed, stability)

    def intervals(self, stability: Any, retention: Any) -> Any:
        """Days until recall falls to `retention` (unrounded; fsrs-rs's `next_interval`)."""
        return stability / self.factor * (retention ** (1.0 / self.exponent) - 1.0)

    def initial(self, rating: Any) -> tuple[Any, Any]:
        """(stability, difficulty) after a new card's first answer (ratings 1-4)."""
        return self._init_s[rating - 1], self._init_d[rating - 1]

    def next_difficulty(self, difficulty: Any, rating: Any) -> Any:
        w = self.w
        moved = difficulty + (10.0 - difficulty) / 9.0 * (-w[6] * (rating - 3.0))
        return self._clamp(w[7] * self._easy_d + (1.0 - w[7]) * moved, D_MIN, D_MAX)

    def after_success(self, stability: Any, recall: Any, difficulty: Any, rating: Any) -> Any:
        """Stability after a passed review (Hard, Good or Easy) at recall probability `recall`."""
        np, w = self.np, self.w
        growth = self._success_scale * (11.0 - difficulty) * stability ** -w[9] * np.expm1((1.0 - recall) * w[10])
        return self._clamp(stability * (1.0 + growth * self._bonus[rating]), S_MIN, S_MAX)

    def after_failure(self, stability: Any, recall: Any, difficulty: Any) -> Any:
        """Stability after a lapse (Again on a review) at recall probability `recall`."""
        np, w = self.np, self.w
        lapsed = w[11] * difficulty ** -w[12] * ((stability + 1.0) ** w[13] - 1.0) * np.exp((1.0 - recall) * w[14])
        return self._clamp(np.minimum(lapsed, stability / self._failure_floor), S_MIN, S_MAX)

    def short_term(self, stability: Any, rating: Any) -> Any:
        """Stability after a same-day answer (a learning or relearning step)."""
        np, w = self.np, self.w
        factor = np.exp(w[17] * (rating - 3.0 + w[18])) * stability ** -w[19]
        factor = np.where(rating >= 3, np.maximum(factor, 1.0), factor)
        return self._clamp(stability * factor, S_MIN, S_MAX)
