"""Small helpers shared by the demo modules (no torch at import time).

Stable API for every demo author: `Ticker`, `grid_points`, `boundary_frame`,
`loss_curves`. Add new helpers rather than changing these.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from studydl.domain.demos import Boundary, Curves


class Ticker:
    """Says when `interval_s` has passed since it last said so; the first call is always due."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self._last: float | None = None

    def due(self) -> bool:
        """True at most once per interval."""
        now = time.perf_counter()
        if self._last is None or now - self._last >= self.interval_s:
            self._last = now
            return True
        return False


def grid_points(lo: float, hi: float, n: int) -> tuple[list[float], list[float], Any]:
    """An n-by-n grid over [lo, hi]^2: (xs, ys, tensor of shape (n*n, 2) in row-major y, x order)."""
    import torch

    axis = torch.linspace(lo, hi, n)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    values = [round(v, 4) for v in axis.tolist()]
    return values, values, points


def boundary_frame(
    key: str,
    title: str,
    predict: Callable[[Any], Any],
    x: Any,
    y: Any,
    lo: float = -0.5,
    hi: float = 1.5,
    n: int = 21,
) -> Boundary:
    """A Boundary frame of `predict` (points (m, 2) -> class or probability (m,)) with data `x`, `y`."""
    import torch

    xs, ys, points = grid_points(lo, hi, n)
    with torch.no_grad():
        values = predict(points).reshape(n, n).float()
    grid = [[round(v, 4) for v in row] for row in values.tolist()]
    labelled = [
        (float(a), float(b), int(c))
        for (a, b), c in zip(x.tolist(), y.reshape(-1).tolist(), strict=True)
    ]
    return Boundary(key=key, title=title, xs=xs, ys=ys, grid=grid, points=labelled)


def loss_curves(
    key: str, title: str, series: dict[str, Sequence[float]], x_label: str = "step"
) -> Curves:
    """A Curves frame from plain lists of y values, x = 1, 2, ..."""
    return Curves(
        key=key,
        title=title,
        series={
            name: ([float(i + 1) for i in range(len(ys))], [float(v) for v in ys])
            for name, ys in series.items()
        },
        x_label=x_label,
        y_label="loss",
    )
