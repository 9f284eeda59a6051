"""A comparison demo at the suite's fixed seeds: its runs, and in how many its point holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from studydl.demos import run_to_end
from studydl.demos.runner import RunOutcome
from studydl.domain.demos import ParamValue

SUITE_SEEDS = range(8)
"""The seeds every comparison demo's test runs; each claim was also checked by hand at 100-107."""
AT_LEAST = 7
"""A demo's point must hold at this many of the suite's eight seeds."""


def runs(demo_id: str, overrides: Mapping[str, ParamValue] | None = None, seeds: Iterable[int] = SUITE_SEEDS) -> list[RunOutcome]:
    """One run to its end per seed, each a fixed number of steps (no wall-clock budget decides)."""
    return [run_to_end(demo_id, seed=seed, overrides=overrides) for seed in seeds]


def holds(outcomes: list[RunOutcome], point: Callable[[dict[str, float]], bool]) -> int:
    """In how many runs `point` holds on the final metrics."""
    return sum(bool(point(o.result.metrics)) for o in outcomes)


def reached(outcomes: list[RunOutcome]) -> int:
    """In how many runs the demo itself says its point was reached."""
    return sum(bool(o.result.reached) for o in outcomes)
