"""The workload simulator: reviews and minutes per day ahead, from the learner's own cards.

It runs fsrs-rs's simulator (`fsrs_rs_python`, the engine the scheduler uses; the
one Anki's workload simulator runs) on the cards as they are (`workload_cards`),
with the learner's parameters, daily limits, steps and time per answer
(`answer_profile`). Decks have their own daily limits, so each deck is simulated on
its own and the days are added up.

How the simulator is reached: fsrs-rs-python 0.9 exposes `simulate` only for a fresh
deck; the learner's cards go in through `optimal_retention(config, parameters, cards,
target)`, which runs fsrs-rs's `simulate(config, parameters, r, seed, cards)` for a
set of seeds (42, 43, ...: 180 runs for up to 30 days, fewer for longer spans, 16 for a
year) at each retention its search tries, and hands each run to `target`. Every card
given carries its own desired retention (new cards too: they enter as cards not yet
learned, as Anki's simulator passes them), so every run is a run at the retention
asked for, whatever retention the search is trying; the forecast is the mean of the
runs. The search tries each seed once per step, so the runs repeat (the mean is the
same); it is the price of reaching the simulator from Python (kept to four rounds).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from studydl.engine.workload_cards import DeckWorkload, Workload

MIN_RETENTION, MAX_RETENTION = 0.7, 0.99
MAX_DAYS = 3650
SWEEP_RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
"""The retentions the stats screen's workload chart compares (the current setting is added)."""
SWEEP_DAYS = 365
NO_COST_LIMIT = 1e12
"""Seconds a day: the simulator's daily time cap, off (limits are in cards, as the queue's)."""
CACHE_SIZE = 32
"""Forecasts kept (a forecast is a pure function of the workload, the retention and the days:
the stats screen opened again on an unchanged collection, the same day, simulates nothing)."""

_cache: OrderedDict[tuple[Workload, float, int], Forecast] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Forecast:
    """Expected answers and time per day (index 0: today), the mean over the simulator's runs."""

    retention: float
    days: int
    reviews: tuple[float, ...]
    """Reviews of cards already learned (review and relearning), per day."""
    new: tuple[float, ...]
    """New cards introduced per day."""
    minutes: tuple[float, ...]
    """Time per day: every answer, learning and relearning steps included."""
    remembered: tuple[float, ...]
    """Cards expected to be recalled on each day (the sum of their recall probabilities)."""
    runs: int
    """Simulator runs averaged (per deck)."""
    cards: int

    @property
    def answers(self) -> tuple[float, ...]:
        """Reviews plus new cards, per day."""
        return tuple(r + n for r, n in zip(self.reviews, self.new, strict=True))

    @property
    def mean_reviews(self) -> float:
        return sum(self.answers) / self.days if self.days else 0.0

    @property
    def mean_minutes(self) -> float:
        return sum(self.minutes) / self.days if self.days else 0.0


def clear_cache() -> None:
    """Forget the kept forecasts (benchmarks and tests that must simulate afresh)."""
    with _cache_lock:
        _cache.clear()


def check_request(retention: float, days: int) -> None:
    """ValueError unless the retention is 0.7-0.99 and the days 1-3650."""
    if not MIN_RETENTION <= retention <= MAX_RETENTION:
        raise ValueError(f"desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}, not {retention:g}")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1-{MAX_DAYS}, not {days}")


def _config(workload: Workload, deck: DeckWorkload, days: int):  # noqa: ANN202 - fsrs_rs_python.SimulatorConfig
    import fsrs_rs_python as fsrs_rs

    profile = workload.profile
    config = fsrs_rs.default_simulator_config()
    config.deck_size = deck.size
    config.learn_span = days
    config.max_cost_perday = NO_COST_LIMIT
    config.max_ivl = float(workload.maximum_interval)
    config.first_rating_prob = list(profile.first_rating_prob)
    config.review_rating_prob = list(profile.review_rating_prob)
    config.learning_step_transitions = [list(row) for row in profile.learning_step_transitions]
    config.relearning_step_transitions = [list(row) for row in profile.relearning_step_transitions]
    config.state_rating_costs = [list(row) for row in profile.state_rating_costs]
    config.learning_step_count = workload.learning_steps
    config.relearning_step_count = workload.relearning_steps
    config.learn_limit = deck.new_limit
    config.review_limit = deck.review_limit
    config.new_cards_ignore_review_limit = True  # the queue's new-card limit stands apart from the review limit
    config.suspend_after_lapses = workload.suspend_after_lapses
    return config


def _cards(workload: Workload, deck: DeckWorkload, retention: float) -> list:
    """fsrs-rs simulator cards: studied ones with their state, then new ones (stability 1e-8, never reviewed)."""
    import fsrs_rs_python as fsrs_rs

    parameters = list(workload.parameters)
    out = []
    for index, studied in enumerate(deck.studied, start=1):
        card = fsrs_rs.Card()
        card.id = index
        card.stability = studied.stability
        card.difficulty = studied.difficulty
        card.last_date = float(studied.last_day)
        card.due = float(studied.due_day)
        card.interval = float(studied.interval)
        card.lapses = studied.lapses
        card.desired_retention = retention
        card.parameters = parameters
        out.append(card)
    if deck.new_limit > 0:
        for index in range(deck.new_cards):
            card = fsrs_rs.Card()
            card.id = -(index + 1)
            card.stability = 1e-8  # kept by fsrs-rs (it drops cards at or below 1e-9) ...
            card.last_date = -math.inf  # ... and learned when due, as a new card
            card.due = float((deck.introduced_today + index) // deck.new_limit)
            card.desired_retention = retention
            card.parameters = parameters
            out.append(card)
    return out


@dataclass
class _Runs:
    """Per-day sums over the simulator's runs of one deck."""

    days: int
    runs: int = 0

    def __post_init__(self) -> None:
        self.reviews = [0] * self.days
        self.new = [0] * self.days
        self.seconds: list[list[float]] = [[] for _ in range(self.days)]
        self.remembered: list[list[float]] = [[] for _ in range(self.days)]

    def add(self, result, _parameters: object = None) -> float:  # noqa: ANN001 - fsrs_rs_python.SimulationResult
        """Take one run (the search's `target` callback: result, parameters -> objective)."""
        self.runs += 1
        for day, (reviews, new, cost, remembered) in enumerate(
            zip(
                result.review_cnt_per_day,
                result.learn_cnt_per_day,
                result.cost_per_day,
                result.memorized_cnt_per_day,
                strict=True,
            )
        ):
            self.reviews[day] += reviews
            self.new[day] += new
            self.seconds[day].append(cost)
            self.remembered[day].append(remembered)
        # The search's objective. What it finds is not used; an objective that grows with
        # every run makes it close in on its lower bound in four rounds (a constant: seven).
        return float(self.runs)


def _simulate_deck(workload: Workload, deck: DeckWorkload, retention: float, days: int) -> _Runs:
    import fsrs_rs_python as fsrs_rs

    runs = _Runs(days)
    if deck.size == 0:
        return runs
    fsrs_rs.optimal_retention(_config(workload, deck, days), list(workload.parameters), _cards(workload, deck, retention), runs.add)
    return runs


def forecast(
    workload: Workload, retention: float, days: int, stop: Callable[[], bool] | None = None
) -> Forecast | None:
    """Expected reviews, new cards, minutes and cards remembered per day for `days` days.

    `stop` is asked between decks; when it says so, None is returned. The same workload,
    retention and days give the same forecast (seeded runs), so it is kept and reused.
    """
    check_request(retention, days)
    key = (workload, round(retention, 6), days)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    reviews = [0.0] * days
    new = [0.0] * days
    minutes = [0.0] * days
    remembered = [0.0] * days
    run_count = 0
    for deck in workload.decks:
        if stop is not None and stop():
            return None
        runs = _simulate_deck(workload, deck, retention, days)
        if not runs.runs:
            continue
        run_count = max(run_count, runs.runs)
        for day in range(days):
            # fsum: the runs come back from several threads in any order; the mean must not depend on it.
            reviews[day] += runs.reviews[day] / runs.runs
            new[day] += runs.new[day] / runs.runs
            minutes[day] += math.fsum(runs.seconds[day]) / runs.runs / 60.0
            remembered[day] += math.fsum(runs.remembered[day]) / runs.runs
    result = Forecast(
        retention=retention,
        days=days,
        reviews=tuple(reviews),
        new=tuple(new),
        minutes=tuple(minutes),
        remembered=tuple(remembered),
        runs=run_count,
        cards=workload.cards,
    )
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


@dataclass(frozen=True)
class WorkloadPoint:
    """The average day's load at one desired retention."""

    retention: float
    reviews_per_day: float
    minutes_per_day: float
    remembered: float
    """Cards expected to be recalled on the last day."""


def sweep_retentions(current: float, grid: Sequence[float] = SWEEP_RETENTIONS) -> list[float]:
    """The grid plus the current setting, the current setting first (it is shown first)."""
    others = sorted({round(r, 4) for r in grid} - {round(current, 4)})
    return [round(current, 4), *others]


def workload_by_retention(
    workload: Workload,
    retentions: Sequence[float],
    days: int = SWEEP_DAYS,
    stop: Callable[[], bool] | None = None,
) -> Iterator[WorkloadPoint]:
    """One point per retention, as each is simulated (a generator: the caller may stop between points)."""
    for retention in retentions:
        result = forecast(workload, retention, days, stop)
        if result is None:
            return
        yield WorkloadPoint(
            retention=retention,
            reviews_per_day=result.mean_reviews,
            minutes_per_day=result.mean_minutes,
            remembered=result.remembered[-1] if result.remembered else 0.0,
        )
