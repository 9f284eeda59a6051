"""Curve data that every front end can draw (no torch at import)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def finite(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """The (x, y) points whose y is a finite number: a diverged run's line ends where it blew up."""
    kept = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True) if math.isfinite(y)]
    return [x for x, _ in kept], [y for _, y in kept]
