"""Compact rich renderings of demo frames for an 80-column terminal (used by `demo run`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text as RichText

from studydl.demos.scales import SPARKS, sparkline, y_axis

__all__ = ["SPARKS", "render_frame", "render_frames", "shared_sparklines", "sparkline"]
from studydl.domain.demos import (
    Boundary,
    Curves,
    Frame,
    Heatmap,
    Images,
    Scatter,
    Table,
    Text,
)

SHADES = " ░▒▓█"
MARKERS = "ox+*#@%&"
CLASS_FILL = "·░▒▓:="
COLOURS = ("cyan", "magenta", "yellow", "green", "red", "blue", "white", "bright_black")
WIDTH = 48
"""Characters of plot width (sparklines, scatter and boundary art)."""


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def shared_sparklines(frame: Curves, width: int) -> dict[str, str]:
    """One sparkline per series on the frame's shared axes (see studydl.demos.scales).

    x is shared so lengths compare; y is shared so heights compare (sigmoid's slope of 0.25
    stands a quarter as tall as tanh's 1). A series that starts later than others is padded
    with blanks on the left.
    """
    axis = y_axis(frame)
    points = {
        name: [(x, f) for x, v in zip(xs, ys, strict=False) if (f := axis.fraction(v)) is not None]
        for name, (xs, ys) in frame.series.items()
    }
    every_x = [x for pts in points.values() for x, _ in pts]
    if not every_x:
        return {name: "" for name in points}
    x0, x1 = min(every_x), max(every_x)
    lines = {}
    for name, pts in points.items():
        bins: list[list[float]] = [[] for _ in range(width)]
        for x, f in pts:
            bins[min(width - 1, int((x - x0) / ((x1 - x0) or 1) * width))].append(f)
        filled = [i for i, b in enumerate(bins) if b]
        if not filled:
            lines[name] = ""
            continue
        chars: list[str] = []
        level: float | None = None
        for b in bins[: filled[-1] + 1]:
            if b:
                level = sum(b) / len(b)
            chars.append(" " if level is None else SPARKS[round(level * (len(SPARKS) - 1))])
        lines[name] = "".join(chars)
    return lines


def _curves(frame: Curves) -> RenderableType:
    axis = y_axis(frame)
    table = RichTable(box=None, show_header=True, pad_edge=False)
    table.add_column("series", style="bold")
    table.add_column(f"{axis.label or 'y'} vs {frame.x_label}", min_width=22)
    table.add_column("first → last", justify="right")
    table.add_column("min … max", justify="right")
    sparks = shared_sparklines(frame, 22)
    for i, (name, (_, ys)) in enumerate(frame.series.items()):
        finite = [v for v in ys if math.isfinite(v)]
        ends = f"{_fmt(ys[0])} → {_fmt(ys[-1])}" if ys else ""
        span = f"{_fmt(min(finite))} … {_fmt(max(finite))}" if finite else ""
        table.add_row(name[:16], RichText(sparks[name], style=COLOURS[i % 8]), ends, span)
    xs = [x for xs, _ in frame.series.values() for x in xs if math.isfinite(x)]
    scale = "log scale, " if axis.log else ""
    note = RichText(
        f"one y axis for every row ({scale}{axis.ticks[0][1]} … {axis.ticks[-1][1]})"
        + (f"; {frame.x_label} {_fmt(min(xs))} … {_fmt(max(xs))}" if xs else ""),
        style="dim",
    )
    return Group(table, note)


def _heat_colour(t: float) -> str:
    """Blue (low) through white to red (high) for t in 0..1."""
    t = min(1.0, max(0.0, t))
    if t < 0.5:
        k = t * 2
        return f"rgb({int(40 + 215 * k)},{int(80 + 175 * k)},255)"
    k = (t - 0.5) * 2
    return f"rgb(255,{int(255 - 200 * k)},{int(255 - 200 * k)})"


def _heatmap(frame: Heatmap) -> RenderableType:
    rows = frame.values[:24]
    flat = [v for row in rows for v in row[:30] if math.isfinite(v)]
    lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
    span = (hi - lo) or 1.0
    label_w = max((len(lbl) for lbl in frame.row_labels[:24]), default=0)
    text = RichText()
    for i, row in enumerate(rows):
        label = frame.row_labels[i] if i < len(frame.row_labels) else ""
        text.append(f"{label:>{label_w}} ")
        for v in row[:30]:
            colour = _heat_colour((v - lo) / span) if math.isfinite(v) else "black"
            text.append("  ", style=f"on {colour}")
        text.append("\n")
    text.append(f"blue {_fmt(lo)} … red {_fmt(hi)}", style="dim")
    return text


def _boundary(frame: Boundary) -> RenderableType:
    """One character per grid column and every other row (terminal cells are about 2:1)."""
    flat = [v for row in frame.grid for v in row]
    probabilities = all(0.0 <= v <= 1.0 for v in flat) and any(v != int(v) for v in flat)
    col_step = max(1, -(-len(frame.xs) // WIDTH))
    cols = list(range(0, len(frame.xs), col_step))
    rows = list(range(0, len(frame.ys), 2 * col_step))
    cells: dict[tuple[int, int], tuple[str, str]] = {}
    for i in rows:
        for j in cols:
            v = frame.grid[i][j]
            if probabilities:
                cells[i, j] = (SHADES[min(len(SHADES) - 1, int(v * len(SHADES)))], "grey50")
            else:
                cls = int(round(v))
                cells[i, j] = (CLASS_FILL[cls % len(CLASS_FILL)], COLOURS[cls % 8])
    for x, y, cls in frame.points:
        i = min(rows, key=lambda r: abs(frame.ys[r] - y))
        j = min(cols, key=lambda c: abs(frame.xs[c] - x))
        cells[i, j] = (MARKERS[cls % len(MARKERS)], f"bold {COLOURS[cls % 8]}")
    text = RichText()
    for i in reversed(rows):  # highest y on top
        for j in cols:
            char, style = cells[i, j]
            text.append(char, style=style)
        text.append("\n")
    legend = "shade = P(class 1)" if probabilities else "fill · = class 0, ░ = class 1"
    text.append(f"{legend}\npoints: o = class 0, x = class 1", style="dim")
    return text


def _scatter(frame: Scatter, height: int = 14) -> RenderableType:
    xs = [x for sx, _ in frame.series.values() for x in sx]
    ys = [y for _, sy in frame.series.values() for y in sy]
    if not xs:
        return RichText("(empty)")
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    grid = [[(" ", "")] * WIDTH for _ in range(height)]
    for k, (sx, sy) in enumerate(frame.series.values()):
        for x, y in zip(sx, sy, strict=False):
            j = int((x - x0) / ((x1 - x0) or 1) * (WIDTH - 1))
            i = int((y - y0) / ((y1 - y0) or 1) * (height - 1))
            grid[height - 1 - i][j] = (MARKERS[k % len(MARKERS)], COLOURS[k % 8])
    text = RichText()
    for row in grid:
        for char, style in row:
            text.append(char, style=style)
        text.append("\n")
    for k, name in enumerate(frame.series):
        text.append(f"{MARKERS[k % len(MARKERS)]} {name}  ", style=COLOURS[k % 8])
    return text


class _ImageGrid:
    """Images in rows that fit the width: grey half blocks (square pixels) on a colour
    terminal, shade characters (one per pixel) on a plain one; captions under each image."""

    def __init__(self, frame: Images, size: int = 12) -> None:
        self.frame = frame
        self.size = size

    def _pixels(self, image: Sequence[Sequence[float]]) -> list[list[float]]:
        h, w = len(image), len(image[0]) if image else 0
        rs = [int(i * h / self.size) for i in range(min(self.size, h))]
        cs = [int(j * w / self.size) for j in range(min(self.size, w))]
        return [[_unit(image[r][c]) for c in cs] for r in rs]

    def _lines(self, pixels: list[list[float]], colour: bool) -> list[RichText]:
        if not colour:
            return [RichText("".join(SHADES[min(4, int(v * 5))] for v in row)) for row in pixels]
        lines = []
        for top in range(0, len(pixels), 2):
            lower = pixels[top + 1] if top + 1 < len(pixels) else [0.0] * len(pixels[top])
            line = RichText()
            for up, down in zip(pixels[top], lower, strict=True):
                line.append("▀", style=f"{_grey(up)} on {_grey(down)}")
            lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        colour = console.color_system is not None and not console.no_color
        cells = [
            (self._lines(self._pixels(image), colour), caption)
            for image, caption in zip(
                self.frame.images,
                [*self.frame.captions, *[""] * len(self.frame.images)],
                strict=False,
            )
        ]
        cell_w = max((max((len(t) for t in lines), default=1) for lines, _ in cells), default=1)
        cell_w = max(cell_w, 8)
        fit = max(1, (options.max_width + 2) // (cell_w + 2))
        per_row = min(fit, self.frame.columns or fit)
        for start in range(0, len(cells), per_row):
            row = cells[start : start + per_row]
            height = max(len(lines) for lines, _ in row)
            for r in range(height):
                line = RichText()
                for lines, _ in row:
                    piece = lines[r] if r < len(lines) else RichText("")
                    line.append_text(piece)
                    line.append(" " * (cell_w - len(piece) + 2))
                yield line
            yield RichText(
                "".join(f"{caption[:cell_w]:<{cell_w + 2}}" for _, caption in row).rstrip(),
                style="dim",
            )


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value)) if math.isfinite(value) else 0.0


def _grey(value: float) -> str:
    level = round(255 * _unit(value))
    return f"rgb({level},{level},{level})"


def _images(frame: Images) -> RenderableType:
    return _ImageGrid(frame)


def _table(frame: Table) -> RenderableType:
    table = RichTable(show_edge=False, pad_edge=False)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.rows:
        table.add_row(*(_fmt(v) if isinstance(v, float) else str(v) for v in row))
    return table


def render_frame(frame: Frame) -> RenderableType:
    """One frame as a titled panel that fits in 80 columns."""
    renderers = {
        Curves: _curves,
        Heatmap: _heatmap,
        Boundary: _boundary,
        Scatter: _scatter,
        Images: _images,
        Table: _table,
        Text: lambda f: RichText(f.body),
    }
    render = renderers.get(type(frame))
    body = render(frame) if render else RichText(f"({type(frame).__name__})")
    return Panel(body, title=frame.title, title_align="left", expand=False)


def render_frames(frames: Sequence[Frame]) -> RenderableType:
    """Every frame, stacked."""
    return Group(*(render_frame(f) for f in frames))
