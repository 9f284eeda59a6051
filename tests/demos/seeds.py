"""A demo's point must hold at 7 of 8 seeds, each run at a fixed number of steps (its defaults)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from studydl.demos import run_to_end
from studydl.demos.runner import RunOutcome
from studydl.domain.demos import ParamValue

SEEDS = tuple(range(8))
"""The fixed seeds a demo's test runs; its point must hold at NEEDED of them."""
NEEDED = 7


def runs(demo_id: str, overrides: Mapping[str, ParamValue] | None = None) -> list[RunOutcome]:
    """The demo run to its end once per seed; none may stop early (budget or cancel)."""
    outcomes = [run_to_end(demo_id, seed=seed, overrides=overrides) for seed in SEEDS]
    assert [o.result.stopped for o in outcomes] == [None] * len(SEEDS)
    return outcomes


def holding(outcomes: list[RunOutcome], claim: Callable[[dict[str, float]], bool]) -> int:
    """How many runs' final metrics satisfy `claim` (checked here, not taken from the demo's `reached`)."""
    return sum(bool(claim(o.result.metrics)) for o in outcomes)


def reached(outcomes: list[RunOutcome]) -> int:
    """How many runs say their point was reached."""
    return sum(o.result.reached for o in outcomes)
