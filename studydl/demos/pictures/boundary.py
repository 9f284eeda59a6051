"""Decision regions: a classifier's probability grid with its training points."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

from studydl.demos.pictures.palette import (
    CLASS_FILL,
    HIGH,
    LOW,
    MARKERS,
    MID,
    REGION_COLOURS,
    REGION_MARKERS,
    RGB,
    SHADES,
    Picture,
    hex_colour,
    ramp,
    unit,
)
from studydl.demos.scales import format_value
from studydl.domain.demos import Boundary


def is_probability_grid(grid: Sequence[Sequence[float]]) -> bool:
    """A grid of P(class 1) rather than of class numbers."""
    flat = [v for row in grid for v in row if math.isfinite(v)]
    return bool(flat) and all(0.0 <= v <= 1.0 for v in flat) and any(v != int(v) for v in flat)


class BoundaryArt(Picture):
    """Decision regions in half-block pixels (square on a terminal), highest y on top, points over them.

    Two classes and probabilities use blue-grey-red; more classes get one colour each, chosen to
    stay apart on a 16-colour terminal, and their points the bright twin of that colour. The
    legend names every class present with its marker.
    """

    def __init__(self, frame: Boundary, max_rows: int = 16) -> None:
        self.frame = frame
        self.max_rows = max_rows
        grid = frame.grid
        self.probability = is_probability_grid(grid)
        values = {int(v) for row in grid for v in row if math.isfinite(v)} if not self.probability else {0, 1}
        self.classes = max([*values, *(p[2] for p in frame.points), 1]) + 1

    def _step(self, width: int) -> int:
        rows, cols = len(self.frame.grid), max((len(r) for r in self.frame.grid), default=0)
        step = 1
        while -(-rows // (2 * step)) > self.max_rows or -(-cols // step) > width:
            step += 1
        return step

    def region_rgb(self, value: float) -> RGB:
        if not math.isfinite(value):
            return (40, 40, 40)
        if self.probability:
            return ramp((LOW, MID, HIGH), value)
        cls = int(round(value))
        if self.classes <= 2:
            return LOW if cls == 0 else HIGH
        return REGION_COLOURS[cls % len(REGION_COLOURS)]

    def marker_style(self, cls: int) -> str:
        if self.classes <= 2:
            rgb = (200, 225, 255) if cls == 0 else (255, 200, 140)
        else:
            rgb = REGION_MARKERS[cls % len(REGION_MARKERS)]
        return f"bold {hex_colour(rgb)}"

    def _points(self, step: int, lines: int, columns: int) -> dict[tuple[int, int], int]:
        """(line, column) -> class of the point drawn there (a later point wins a shared cell)."""
        f = self.frame
        placed: dict[tuple[int, int], int] = {}
        n = len(f.grid)
        for x, y, cls in f.points:
            i = min(range(len(f.ys)), key=lambda k: abs(f.ys[k] - y)) if f.ys else 0
            j = min(range(len(f.xs)), key=lambda k: abs(f.xs[k] - x)) if f.xs else 0
            line = min(lines - 1, max(0, (n - 1 - i) // (2 * step)))
            placed[line, min(columns - 1, round(j / step))] = cls
        return placed

    def lines(self, width: int, colour: bool = True) -> list[Text]:
        grid = self.frame.grid
        if not grid:
            return [Text("(empty grid)", style="dim")]
        step = self._step(width)
        cols = list(range(0, len(grid[0]), step))
        tops = list(range(len(grid) - 1, -1, -2 * step))  # grid row drawn in the upper half
        placed = self._points(step, len(tops), len(cols))
        out = []
        for line_no, top in enumerate(tops):
            bottom = top - step
            text = Text()
            for col_no, j in enumerate(cols):
                up = grid[top][j]
                down = grid[bottom][j] if bottom >= 0 else up
                cls = placed.get((line_no, col_no))
                if not colour:
                    text.append(MARKERS[cls % 8] if cls is not None else self._fill(up))
                elif cls is not None:
                    text.append(MARKERS[cls % 8], style=f"{self.marker_style(cls)} on {hex_colour(self.region_rgb(up))}")
                else:
                    text.append("▀", style=f"{hex_colour(self.region_rgb(up))} on {hex_colour(self.region_rgb(down))}")
            out.append(text)
        out.extend(self._legend(colour, width))
        return out

    def _fill(self, value: float) -> str:
        if self.probability:
            return SHADES[min(len(SHADES) - 1, int(unit(value) * len(SHADES)))]
        return CLASS_FILL[int(round(value)) % len(CLASS_FILL)] if math.isfinite(value) else "?"

    def _legend(self, colour: bool, width: int) -> list[Text]:
        f = self.frame
        xs, ys = f.xs or [0.0], f.ys or [0.0]
        axes = Text(f"x {format_value(xs[0])} … {format_value(xs[-1])}, y {format_value(ys[0])} … {format_value(ys[-1])}", style="dim")
        key = Text()
        if self.probability:
            key.append("region: P(class 1) ", style="dim")
            if colour:
                for t in (0.0, 0.25, 0.5, 0.75, 1.0):
                    key.append(" ", style=f"on {hex_colour(self.region_rgb(t))}")
            else:
                key.append(SHADES)
            key.append(" 0 … 1   ", style="dim")
        for cls in range(self.classes):
            if colour and not self.probability:
                key.append("▀", style=f"{hex_colour(self.region_rgb(cls))} on {hex_colour(self.region_rgb(cls))}")
            elif not colour and not self.probability:
                key.append(CLASS_FILL[cls % len(CLASS_FILL)])
            key.append(MARKERS[cls % 8], style=self.marker_style(cls) if colour else "")
            key.append(f" class {cls}  ", style="dim")
        lines = [axes + Text("  ") + key] if axes.cell_len + 2 + key.cell_len <= width else [axes, key]
        for line in lines:
            line.no_wrap = False
        return lines


    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        grid_w = -(-max((len(r) for r in self.frame.grid), default=0) // self._step(options.max_width))
        return Measurement(min(grid_w, options.max_width), grid_w)
