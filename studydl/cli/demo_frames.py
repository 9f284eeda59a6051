"""Compact rich renderings of demo frames for an 80-column terminal (used by `demo run`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text as RichText

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

SPARKS = "▁▂▃▄▅▆▇█"
SHADES = " ░▒▓█"
MARKERS = "ox+*#@%&"
CLASS_FILL = "·░▒▓:="
COLOURS = ("cyan", "magenta", "yellow", "green", "red", "blue", "white", "bright_black")
WIDTH = 48
"""Characters of plot width (sparklines, scatter and boundary art)."""


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def _resample(values: Sequence[float], width: int) -> list[float]:
    if len(values) <= width:
        return list(values)
    return [values[int(i * (len(values) - 1) / (width - 1))] for i in range(width)]


def sparkline(values: Sequence[float], width: int = WIDTH, log: bool = False) -> str:
    """A one-line plot of `values` in block characters, scaled to their own range."""
    vals = [v for v in _resample(values, width) if math.isfinite(v)]
    if log:
        vals = [math.log10(v) for v in vals if v > 0]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    return "".join(SPARKS[round((v - lo) / span * (len(SPARKS) - 1))] for v in vals)


def shared_sparklines(frame: Curves, width: int) -> dict[str, str]:
    """One sparkline per series on a shared x axis (so lengths compare), each on its own y range."""

    def y_of(v: float) -> float | None:
        if not math.isfinite(v) or (frame.log_y and v <= 0):
            return None
        return math.log10(v) if frame.log_y else v

    points = {
        name: [(x, y) for x, v in zip(xs, ys, strict=False) if (y := y_of(v)) is not None]
        for name, (xs, ys) in frame.series.items()
    }
    every_x = [x for pts in points.values() for x, _ in pts]
    if not every_x:
        return {name: "" for name in points}
    x0, x1 = min(every_x), max(every_x)
    lines = {}
    for name, pts in points.items():
        if not pts:
            lines[name] = ""
            continue
        bins: list[list[float]] = [[] for _ in range(width)]
        for x, y in pts:
            bins[min(width - 1, int((x - x0) / ((x1 - x0) or 1) * width))].append(y)
        last = max(i for i, b in enumerate(bins) if b)
        means: list[float] = []
        for b in bins[: last + 1]:
            means.append(sum(b) / len(b) if b else means[-1])  # carry across empty bins
        lo, hi = min(means), max(means)
        lines[name] = "".join(
            SPARKS[round((m - lo) / ((hi - lo) or 1) * (len(SPARKS) - 1))] for m in means
        )
    return lines


def _curves(frame: Curves) -> RenderableType:
    table = RichTable(box=None, show_header=True, pad_edge=False)
    table.add_column("series", style="bold")
    log = " (log)" if frame.log_y else ""
    table.add_column(f"{frame.y_label or 'y'} vs {frame.x_label}{log}", min_width=22)
    table.add_column("first → last", justify="right")
    table.add_column("min … max", justify="right")
    sparks = shared_sparklines(frame, 22)
    for i, (name, (_, ys)) in enumerate(frame.series.items()):
        finite = [v for v in ys if math.isfinite(v)]
        ends = f"{_fmt(ys[0])} → {_fmt(ys[-1])}" if ys else ""
        span = f"{_fmt(min(finite))} … {_fmt(max(finite))}" if finite else ""
        table.add_row(name[:12], RichText(sparks[name], style=COLOURS[i % 8]), ends, span)
    return table


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


def _images(frame: Images, size: int = 12) -> RenderableType:
    shown = frame.images[:5]
    blocks: list[list[str]] = []
    for image in shown:
        h, w = len(image), len(image[0]) if image else 0
        rs = [int(i * h / size) for i in range(min(size, h))]
        cs = [int(j * w / size) for j in range(min(size, w))]
        blocks.append(
            ["".join(SHADES[min(4, max(0, int(image[r][c] * 5)))] for c in cs) for r in rs]
        )
    lines = []
    for r in range(max((len(b) for b in blocks), default=0)):
        lines.append("  ".join(b[r] if r < len(b) else " " * len(b[0]) for b in blocks))
    captions = "  ".join(f"{c[:size]:<{size}}" for c in frame.captions[: len(shown)])
    return RichText("\n".join([*lines, captions]))


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
