"""A check shared by demo tests: every number a front end must plot is finite."""

from __future__ import annotations

import math
from collections.abc import Iterable

from studydl.domain.demos import Boundary, Curves, Event, Heatmap, Scatter


def assert_drawable(events: Iterable[Event]) -> None:
    """Curves, scatters, heatmaps and boundaries carry no inf or NaN (plot libraries choke on them)."""
    for event in events:
        if isinstance(event, Curves | Scatter):
            for name, (xs, ys) in event.series.items():
                assert len(xs) == len(ys), (event.key, name)
                assert all(math.isfinite(v) for v in [*xs, *ys]), (event.key, name)
        elif isinstance(event, Heatmap):
            assert all(math.isfinite(v) for row in event.values for v in row), event.key
        elif isinstance(event, Boundary):
            assert all(math.isfinite(v) for row in event.grid for v in row), event.key
