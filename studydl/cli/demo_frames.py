"""Compact rich renderings of demo frames for an 80-column terminal (used by `demo run`).

Curves become sparklines on one shared, honest axis (studydl.demos.scales); heatmaps,
decision regions and images are the pictures the app draws too (studydl.demos.pictures);
scatters and paths go on a small character canvas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text as RichText

from studydl.demos.pictures import (
    MARKERS,
    BoundaryArt,
    HeatmapArt,
    ImageGrid,
    markers_along,
    table_art,
)
from studydl.demos.pictures.steps import first_step
from studydl.demos.scales import SPARKS, Plotted, format_value, plotted, sparkline, value_range
from studydl.domain.demos import (
    Boundary,
    Curves,
    Frame,
    Heatmap,
    Images,
    Inspect,
    Paths,
    Scatter,
    Table,
    Text,
)

__all__ = ["SPARKS", "render_frame", "render_frames", "shared_sparklines", "sparkline"]

COLOURS = ("cyan", "magenta", "yellow", "green", "red", "blue", "white", "bright_black")
WIDTH = 56
"""Characters of canvas width (scatter and paths)."""
HEIGHT = 14
SPARK_WIDTH = 22
SPARSE = 3
"""A series with at most one point per this many columns is drawn as points, not a line."""
TITLE_ON_BORDER = 72
"""Longer titles go inside the panel, where they can wrap."""


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def _short(value: float) -> str:
    return format_value(value) if math.isfinite(value) else str(value)


def _sparks(points: list[tuple[float, float]], x0: float, x1: float, width: int) -> str:
    """Fractions (0..1) at x positions binned into `width` columns; blanks before the first.

    A dense series holds its last level across empty columns (a curve); a sparse one (a
    sweep of a few rates) leaves them blank, so five measurements read as five, not as a line.
    """
    bins: list[list[float]] = [[] for _ in range(width)]
    for x, f in points:
        bins[min(width - 1, max(0, int((x - x0) / ((x1 - x0) or 1) * width)))].append(f)
    filled = [i for i, b in enumerate(bins) if b]
    if not filled:
        return ""
    sparse = len(points) * SPARSE <= width
    chars: list[str] = []
    level: float | None = None
    for b in bins[: filled[-1] + 1]:
        if b:
            level = sum(b) / len(b)
        elif sparse:
            level = None
        chars.append(" " if level is None else SPARKS[round(level * (len(SPARKS) - 1))])
    return "".join(chars)


def _fraction(value: float, lo: float, hi: float) -> float:
    return min(1.0, max(0.0, (value - lo) / ((hi - lo) or 1.0)))


def shared_sparklines(frame: Curves, width: int, drawn: Plotted | None = None) -> dict[str, str]:
    """One sparkline per series on the frame's shared axes (see studydl.demos.scales).

    x is shared so lengths compare (on a log scale when the frame's x is); y is shared so
    heights compare (sigmoid's slope of 0.25 stands a quarter as tall as tanh's 1). A
    series that starts later than others is padded with blanks on the left.
    """
    drawn = drawn or plotted(frame)
    x, y = drawn.x, drawn.y
    return {
        name: _sparks([(a, _fraction(b, y.lo, y.hi)) for a, b in zip(xs, ys, strict=True)], x.lo, x.hi, width)
        for name, (xs, ys) in drawn.series.items()
    }


def _curves(frame: Curves) -> RenderableType:
    drawn = plotted(frame)
    axis = drawn.y
    table = RichTable(box=None, show_header=True, pad_edge=False)
    table.add_column("series", style="bold", max_width=18)
    table.add_column("trend", min_width=SPARK_WIDTH, no_wrap=True)
    table.add_column("first → last", justify="right", no_wrap=True)
    table.add_column("min … max", justify="right", no_wrap=True)
    sparks = shared_sparklines(frame, SPARK_WIDTH, drawn)
    for i, (name, (_, ys)) in enumerate(frame.series.items()):
        finite = [v for v in ys if math.isfinite(v)]
        ends = f"{_short(ys[0])} → {_short(ys[-1])}" if ys else ""
        span = f"{_short(min(finite))} … {_short(max(finite))}" if finite else ""
        table.add_row(name, RichText(sparks[name], style=COLOURS[i % 8]), ends, span)
    for ref in frame.refs:
        if ref.axis == "y" and (at := axis.position(ref.at)) is not None:
            level = SPARKS[round(_fraction(at, axis.lo, axis.hi) * (len(SPARKS) - 1))]
            table.add_row(RichText(f"┈ {ref.label}", style="dim"), RichText(level * SPARK_WIDTH, style="dim"), "", "")
        elif ref.axis == "x" and (at := drawn.x.position(ref.at)) is not None:
            column = min(SPARK_WIDTH - 1, int(_fraction(at, drawn.x.lo, drawn.x.hi) * SPARK_WIDTH))
            table.add_row(RichText(f"▲ {ref.label}", style="dim"), RichText(" " * column + "▲", style="bold"), "", "")
    x0, x1 = (10**v if drawn.x.log else v for v in (drawn.x.lo, drawn.x.hi))
    x_range = f" {format_value(x0)} … {format_value(x1)}" if any(xs for xs, _ in drawn.series.values()) else ""
    note = (
        f"one y axis for every row: {axis.label or 'y'} {axis.ticks[0][1]} … {axis.ticks[-1][1]}; "
        f"x: {drawn.x.label or 'x'}{x_range}"
    )
    if drawn.left_out:
        note += f"; {drawn.note()}"
    return Group(table, RichText(note, style="dim"))


class _Canvas:
    """A character grid over an x/y range; later marks of higher rank win a cell."""

    def __init__(self, xs: Sequence[float], ys: Sequence[float], width: int = WIDTH, height: int = HEIGHT) -> None:
        self.x = value_range(xs) or (0.0, 1.0)
        self.y = value_range(ys) or (0.0, 1.0)
        self.width, self.height = width, height
        self.cells: dict[tuple[int, int], tuple[str, str, int]] = {}

    def _cell(self, x: float, y: float) -> tuple[int, int] | None:
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        (x0, x1), (y0, y1) = self.x, self.y
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return None
        j = round((x - x0) / ((x1 - x0) or 1) * (self.width - 1))
        i = round((y - y0) / ((y1 - y0) or 1) * (self.height - 1))
        return self.height - 1 - i, j

    def put(self, x: float, y: float, char: str, style: str, rank: int) -> None:
        cell = self._cell(x, y)
        if cell is not None and rank >= self.cells.get(cell, ("", "", -1))[2]:
            self.cells[cell] = (char, style, rank)

    def line(self, a: tuple[float, float], b: tuple[float, float], style: str) -> None:
        """Dots from one point to the next, both ends included: a path whose points share or
        neighbour cells (a 101-point fitted curve) is still drawn. Markers drawn later win."""
        start, end = self._cell(*a), self._cell(*b)
        if start is None or end is None:
            return
        steps = max(abs(end[0] - start[0]), abs(end[1] - start[1]))
        for k in range(steps + 1):
            i = round(start[0] + (end[0] - start[0]) * k / max(1, steps))
            j = round(start[1] + (end[1] - start[1]) * k / max(1, steps))
            if self.cells.get((i, j), ("", "", -1))[2] <= 1:
                self.cells[i, j] = ("·", style, 1)

    def text(self) -> RichText:
        out = RichText()
        for i in range(self.height):
            for j in range(self.width):
                char, style, _ = self.cells.get((i, j), (" ", "", 0))
                out.append(char, style=style)
            out.append("\n")
        out.append(
            f"x {format_value(self.x[0])} … {format_value(self.x[1])}, y {format_value(self.y[0])} … {format_value(self.y[1])}\n",
            style="dim",
        )
        return out


def _legend(out: RichText, entries: Sequence[tuple[str, str, str]]) -> RichText:
    for glyph, name, style in entries:
        out.append(f"{glyph} ", style=style)
        out.append(f"{name}  ")
    return out


def _scatter(frame: Scatter) -> RenderableType:
    xs = [x for sx, _ in frame.series.values() for x in sx]
    ys = [y for _, sy in frame.series.values() for y in sy]
    if not xs:
        return RichText("(empty)")
    canvas = _Canvas(xs, ys)
    for k, (sx, sy) in enumerate(frame.series.values()):
        for x, y in zip(sx, sy, strict=False):
            canvas.put(x, y, MARKERS[k % 8], COLOURS[k % 8], k)
    entries = [(MARKERS[k % 8], name, COLOURS[k % 8]) for k, name in enumerate(frame.series)]
    return _legend(canvas.text(), entries)


def _paths(frame: Paths) -> RenderableType:
    every = [*frame.paths.values(), *frame.points.values(), *frame.contours.values()]
    canvas = _Canvas([x for xs, _ in every for x in xs], [y for _, ys in every for y in ys])
    for xs, ys in frame.contours.values():
        for x, y in zip(xs, ys, strict=False):
            canvas.put(x, y, ".", "bright_black", 0)
    entries = [(".", name, "bright_black") for name in frame.contours]
    for k, (xs, ys) in reversed(list(enumerate(frame.paths.values()))):  # the first on top
        colour = COLOURS[k % 8]
        pts = list(zip(xs, ys, strict=False))
        for a, b in zip(pts, pts[1:], strict=False):
            canvas.line(a, b, colour)
        mx, my = markers_along(list(xs), list(ys), len(frame.paths)) if frame.markers else (xs[-1:], ys[-1:])
        for x, y in zip(mx, my, strict=False):
            canvas.put(x, y, MARKERS[k % 8], colour, 2)
    entries += [(MARKERS[k % 8], name, COLOURS[k % 8]) for k, name in enumerate(frame.paths)]
    for k, (name, (xs, ys)) in enumerate(frame.points.items(), start=len(frame.paths)):
        for x, y in zip(xs, ys, strict=False):
            canvas.put(x, y, MARKERS[k % 8], f"bold {COLOURS[k % 8]}", 3)
        entries.append((MARKERS[k % 8], name, f"bold {COLOURS[k % 8]}"))
    return _legend(canvas.text(), entries)


def render_frame(frame: Frame) -> RenderableType:
    """One frame as a titled panel that fits in 80 columns."""
    renderers = {
        Curves: _curves,
        Heatmap: HeatmapArt,
        Boundary: BoundaryArt,
        Scatter: _scatter,
        Paths: _paths,
        Images: ImageGrid,
        Table: table_art,
        Text: lambda f: RichText(f.body),
    }
    render = renderers.get(type(frame))
    if isinstance(frame, Inspect):  # at the demo's own selection; `demo inspect` picks another
        render = first_step
    return titled(frame, render(frame) if render else RichText(f"({type(frame).__name__})"))


def titled(frame: Frame, body: RenderableType) -> Panel:
    """`body` in a panel under the frame's title."""
    if len(frame.title) > TITLE_ON_BORDER:  # a border title is cut, not wrapped: put it inside
        return Panel(Group(RichText(frame.title, style="bold"), body), expand=False)
    return Panel(body, title=frame.title, title_align="left", expand=False)


def render_frames(frames: Sequence[Frame]) -> RenderableType:
    """Every frame, stacked."""
    return Group(*(render_frame(f) for f in frames))
