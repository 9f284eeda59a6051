"""Every demo's point holds at 7 or more of 8 fixed seeds, not only at its own test's seed.

A demo teaches by evidence: its `reached` must not hang on one lucky seed. Each demo in the
catalogue (the comparisons, and the few exact identities, which cost nothing) runs here at
seeds 0-7 (held-out seeds 100-107 are checked by `bench/demo_seeds.py`; no test picks them),
at its default parameters unless a smaller configuration is named below with its reason, and
with no wall-clock budget: a fixed number of steps, so a loaded machine changes how long this
takes, never what it finds.
"""

from __future__ import annotations

import pytest

from studydl.demos import catalogue
from studydl.demos.params import resolve_params
from studydl.demos.runner import DemoRun
from studydl.domain.demos import ParamValue, Result

SEEDS = tuple(range(8))
HOLDS_AT = 7
"""Seeds out of 8 at which the point must hold."""
NO_BUDGET_S = 1e6

SMALLER: dict[str, dict[str, ParamValue]] = {}
"""Demos run at a smaller configuration than their defaults, to keep this module's cost
modest; each must still make the demo's point (the defaults are checked by bench/demo_seeds.py)."""

DEMO_IDS = sorted(catalogue.known_ids())


def run_seed(demo_id: str, seed: int, overrides: dict[str, ParamValue] | None = None) -> Result:
    """One run to its Result at a fixed number of steps, never cut by the demo's wall-clock budget."""
    spec = catalogue.get_spec(demo_id)
    run = DemoRun(spec, seed, resolve_params(spec, overrides), NO_BUDGET_S)
    for _ in run:
        pass
    assert run.result is not None and run.result.stopped is None
    return run.result


@pytest.mark.slow
@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_the_point_holds_at_seven_of_eight_seeds(demo_id: str) -> None:
    results = {seed: run_seed(demo_id, seed, SMALLER.get(demo_id)) for seed in SEEDS}
    missed = {seed: r.summary for seed, r in results.items() if not r.reached}
    assert len(SEEDS) - len(missed) >= HOLDS_AT, f"{demo_id} missed its point at seeds {missed}"
