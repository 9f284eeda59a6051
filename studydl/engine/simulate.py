"""The workload simulator: reviews and minutes per day ahead, from the learner's own cards.

FSRS's simulation as fsrs-rs (and so Anki's forecast) runs it, on the cards as they
are (`workload_cards`), with the learner's parameters, daily limits per deck, steps and
time per answer (`answer_profile`), stepped day by day over every card at once
(`simulation`). Figures are the mean of the simulator's runs: as many runs as keep
the work near RUN_CARD_DAYS card-days (one for three thousand cards or more over a year, up to
MAX_RUNS for a few cards), so a small collection's forecast is smooth and a large
one's stays fast. Retentions asked together are simulated together (the stats
screen's comparison: the current setting first, then the six others in one pass),
and a forecast is kept: the same workload, retention and days give the same figures,
whether asked alone or in a sweep.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from studydl.engine.workload_cards import Workload

MIN_RETENTION, MAX_RETENTION = 0.7, 0.99
MAX_DAYS = 3650
SWEEP_RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
"""The retentions the stats screen's workload chart compares (the current setting is added)."""
SWEEP_DAYS = 365
RUN_CARD_DAYS = 1_000_000
"""Card-days a forecast's runs add up to (fewer runs for more cards or days)."""
MAX_RUNS = 200
MAX_CARD_REPLICAS = 4_000_000
"""Cards times replicas (retentions x runs) simulated at once: about 40 bytes each, so
retentions are simulated in batches of at most ~160 MB (a million cards: three at a time)."""
CACHE_SIZE = 32
"""Forecasts kept (a forecast is a pure function of the workload, the retention and the days:
the stats screen opened again on an unchanged collection, the same day, simulates nothing)."""

_cache: OrderedDict[tuple[bytes, float, int], Forecast] = OrderedDict()
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
    """Simulator runs averaged."""
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


def runs_for(cards: int, days: int) -> int:
    """Runs to average: about RUN_CARD_DAYS card-days in all, at least one, at most MAX_RUNS."""
    return max(1, min(MAX_RUNS, math.ceil(RUN_CARD_DAYS / max(1, cards * days))))


def _kept(key: tuple[bytes, float, int]) -> Forecast | None:
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    return None


def _keep(key: tuple[bytes, float, int], result: Forecast) -> None:
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def forecasts(
    workload: Workload, retentions: Sequence[float], days: int, stop: Callable[[], bool] | None = None
) -> list[Forecast] | None:
    """One forecast per retention, simulated together (the kept ones reused); None if `stop` said so.

    `stop` is asked every few simulated days.
    """
    for retention in retentions:
        check_request(retention, days)
    keys = [(workload.fingerprint, round(r, 6), days) for r in retentions]
    found = {key: _kept(key) for key in keys}
    missing = sorted({key[1] for key, result in found.items() if result is None})
    if missing:
        from studydl.engine.simulation import simulate

        runs = runs_for(workload.cards, days)
        together = max(1, MAX_CARD_REPLICAS // max(1, runs * workload.cards))
        for start in range(0, len(missing), together):
            batch = missing[start : start + together]
            totals = simulate(workload, batch, days, runs, stop)
            if totals is None:
                return None
            for row, retention in enumerate(batch):
                result = Forecast(
                    retention=retention,
                    days=days,
                    reviews=tuple(totals.reviews[row].tolist()),
                    new=tuple(totals.new[row].tolist()),
                    minutes=tuple((totals.seconds[row] / 60.0).tolist()),
                    remembered=tuple(totals.remembered[row].tolist()),
                    runs=runs,
                    cards=workload.cards,
                )
                key = (workload.fingerprint, retention, days)
                found[key] = result
                _keep(key, result)
    return [found[key] for key in keys]  # type: ignore[misc]


def forecast(
    workload: Workload, retention: float, days: int, stop: Callable[[], bool] | None = None
) -> Forecast | None:
    """Expected reviews, new cards, minutes and cards remembered per day for `days` days.

    `stop` is asked every few simulated days; when it says so, None is returned. The
    same workload, retention and days give the same forecast, so it is kept and reused.
    """
    results = forecasts(workload, [retention], days, stop)
    return results[0] if results is not None else None


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
    """One point per retention: the first alone (it is shown first), then the others, simulated together.

    A generator: the caller may stop between points; `stop` is also asked while simulating.
    """
    batches = [list(retentions[:1]), list(retentions[1:])]
    for batch in batches:
        if not batch:
            continue
        results = forecasts(workload, batch, days, stop)
        if results is None:
            return
        for retention, result in zip(batch, results, strict=True):
            yield WorkloadPoint(
                retention=retention,
                reviews_per_day=result.mean_reviews,
                minutes_per_day=result.mean_minutes,
                remembered=result.remembered[-1] if result.remembered else 0.0,
            )
