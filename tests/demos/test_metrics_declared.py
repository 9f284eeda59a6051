"""Each demo's SPEC declares exactly the metrics its Result reports, so decks can name them unrun."""

from __future__ import annotations

import pytest

from studydl.demos.catalogue import get_spec, known_ids
from studydl.demos.runner import run_to_end


@pytest.mark.parametrize("demo_id", sorted(known_ids()))
def test_declared_metrics_are_the_metrics_a_run_reports(demo_id: str) -> None:
    spec = get_spec(demo_id)
    declared = [m.name for m in spec.metrics]
    assert len(declared) == len(set(declared)), "a metric declared twice"
    assert all(m.meaning and m.unit for m in spec.metrics), "every metric says what it means and its unit"
    produced = set(run_to_end(demo_id, seed=0).result.metrics)
    assert produced - set(declared) == set(), "reported but not declared"
    assert set(declared) - produced == set(), "declared but not reported"
