"""Widgets that draw a demo's frames: plots via plotext, grids and pixels as coloured Rich text.

Each view has `show(frame)`; `FramePanel` wraps the view that fits a frame's kind
under the frame's title. The pure `*_text` functions do the drawing, so tests can
check them without an app.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table as RichTable
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Markdown, Static

from studydl.demos.scales import format_value, sparkline, y_axis
from studydl.domain.demos import Boundary, Curves, Frame, Heatmap, Images, Scatter, Table
from studydl.domain.demos import Text as TextFrame
from studydl.tui.widgets.charts import CloudPlot, SeriesPlot, hex_colour, legend_text, series_colour

LOW, MID, HIGH = (33, 102, 172), (40, 40, 48), (178, 24, 43)
"""Diverging blue - grey - red for heatmaps and decision regions."""
POINT_STYLES = ("bold #9ecae1", "bold #fdae6b", "bold #a1d99b", "bold #bcbddc")
POINT_GLYPHS = ("o", "x", "+", "*")


def blend(t: float) -> str:
    """A colour for t in 0..1 on the blue-grey-red scale."""
    t = 0.5 if math.isnan(t) else min(1.0, max(0.0, t))
    a, b, u = (LOW, MID, t * 2) if t < 0.5 else (MID, HIGH, t * 2 - 1)
    r, g, bl = (round(x + (y - x) * u) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _scale(values: Sequence[Sequence[float]]) -> tuple[float, float]:
    flat = [v for row in values for v in row if not math.isnan(v)]
    low, high = (min(flat), max(flat)) if flat else (0.0, 1.0)
    return low, (high if high > low else low + 1.0)


def heatmap_text(frame: Heatmap) -> Text:
    """Each value in a coloured cell, with row labels on the left and column labels on top."""
    low, high = _scale(frame.values)
    cols = max((len(row) for row in frame.values), default=0)
    numbers = cols <= 12
    labels = [str(c) for c in frame.col_labels] + [""] * cols
    cell = max([6 if numbers else 2] + [len(c) + 1 for c in labels[:cols]]) if numbers else 2
    row_w = max((len(str(r)) for r in frame.row_labels), default=0)
    text = Text(" " * (row_w + 1) + "".join(f"{c[: cell - 1]:>{cell - 1}} " for c in labels[:cols]) + "\n", style="dim")
    for i, row in enumerate(frame.values):
        label = str(frame.row_labels[i]) if i < len(frame.row_labels) else ""
        text.append(f"{label:>{row_w}} ", style="dim")
        for value in row:
            shade = blend((value - low) / (high - low))
            body = f"{value:>{cell - 1}.2f} " if numbers else " " * cell
            text.append(body, style=f"bold white on {shade}")
        text.append("\n")
    text.append(f"{' ' * row_w} low {low:.3g} ", style="dim")
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        text.append("  ", style=f"on {blend(t)}")
    text.append(f" high {high:.3g}", style="dim")
    return text


def _nearest(axis: Sequence[float], value: float) -> int:
    return min(range(len(axis)), key=lambda k: abs(axis[k] - value)) if axis else 0


def boundary_text(frame: Boundary, max_rows: int = 24) -> Text:
    """Decision regions as coloured cells (highest y on top), the labelled points drawn over them."""
    grid = frame.grid
    if not grid:
        return Text("(empty grid)", style="dim")
    classes = max([int(v) for row in grid for v in row if not math.isnan(v)] + [p[2] for p in frame.points] + [1])
    step = max(1, math.ceil(len(grid) / max_rows))
    rows = list(range(len(grid) - 1, -1, -step))
    points: dict[tuple[int, int], int] = {}
    for x, y, label in frame.points:
        i = _nearest(frame.ys, y)
        points[(min(rows, key=lambda r: abs(r - i)), _nearest(frame.xs, x))] = label
    text = Text()
    for i in rows:
        for j, value in enumerate(grid[i]):
            shade = blend(value / classes)
            label = points.get((i, j))
            if label is None:
                text.append("  ", style=f"on {shade}")
            else:
                k = label % len(POINT_GLYPHS)
                text.append(POINT_GLYPHS[k] + " ", style=f"{POINT_STYLES[k]} on {shade}")
        text.append("\n")
    xs, ys = frame.xs or [0.0], frame.ys or [0.0]
    text.append(f"x {xs[0]:g}…{xs[-1]:g}  y {ys[0]:g}…{ys[-1]:g}  ", style="dim")
    for k in range(min(classes + 1, len(POINT_GLYPHS))):
        text.append(f"{POINT_GLYPHS[k]}", style=POINT_STYLES[k])
        text.append(f" class {k}  ", style="dim")
    return text


def image_rows(image: Sequence[Sequence[float]]) -> list[Text]:
    """One grey-scale image as half blocks: each character is two pixels, top one in front."""
    rows = []
    for top in range(0, len(image), 2):
        upper, lower = image[top], image[top + 1] if top + 1 < len(image) else None
        line = Text()
        for j, value in enumerate(upper):
            below = lower[j] if lower is not None and j < len(lower) else 0.0
            line.append("▀", style=f"{_grey(value)} on {_grey(below)}")
        rows.append(line)
    return rows


def _grey(value: float) -> str:
    level = round(255 * min(1.0, max(0.0, 0.0 if math.isnan(value) else value)))
    return f"#{level:02x}{level:02x}{level:02x}"


def images_text(frame: Images, width: int = 80) -> Text:
    """The images side by side (wrapping to the width), each with its caption below."""
    blocks = []
    for n, image in enumerate(frame.images):
        rows = image_rows(image)
        w = max((len(r) for r in rows), default=0)
        caption = frame.captions[n] if n < len(frame.captions) else ""
        blocks.append((rows, max(w, 1), caption[: max(w, 8)]))
    text = Text()
    line_start = 0
    while line_start < len(blocks):
        used, end = 0, line_start
        while end < len(blocks) and (
            end == line_start
            or (used + max(blocks[end][1], len(blocks[end][2])) + 2 <= width and (frame.columns is None or end - line_start < frame.columns))
        ):
            used += max(blocks[end][1], len(blocks[end][2])) + 2
            end += 1
        group = blocks[line_start:end]
        height = max(len(rows) for rows, _, _ in group)
        for r in range(height + 1):
            for rows, w, caption in group:
                cell_w = max(w, len(caption))
                if r < height:
                    piece = rows[r] if r < len(rows) else Text("")
                    text.append_text(piece)
                    text.append(" " * (cell_w - len(piece) + 2))
                else:
                    text.append(f"{caption:<{cell_w}}  ", style="dim")
            text.append("\n")
        line_start = end
    return text


def table_renderable(frame: Table) -> RichTable:
    table = RichTable(show_edge=False, header_style="bold", pad_edge=False)
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for row in frame.rows:
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return table


class ImagesView:
    """`images_text` at whatever width the widget has when it renders (never a stale width)."""

    def __init__(self, frame: Images) -> None:
        self.frame = frame

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield images_text(self.frame, max(12, options.max_width))


def metrics_table(history: Mapping[str, tuple[Sequence[float], Sequence[float]]], width: int = 24) -> RichTable:
    """One row per metric: name, a sparkline on the metric's own scale, its range and last value.

    Metrics have different units (a loss, a fraction, a count), so each gets its own line
    instead of sharing one axis.
    """
    table = RichTable(box=None, show_header=False, pad_edge=False, expand=False)
    table.add_column("metric", style="bold", no_wrap=True)
    table.add_column("trend", no_wrap=True)
    table.add_column("range", style="dim", no_wrap=True, justify="right")
    table.add_column("now", justify="right", no_wrap=True)
    for i, (name, (_, values)) in enumerate(history.items()):
        if not values:
            continue
        lo, hi = min(values), max(values)
        table.add_row(
            name,
            Text(sparkline(values, width), style=hex_colour(series_colour(i))),
            f"{format_value(lo)} … {format_value(hi)}" if lo != hi else "",
            f"{values[-1]:.4g}",
        )
    return table


class FramePanel(Vertical):
    """One frame under its title; a newer frame with the same key redraws the same panel.

    Plots carry their legend (and the axes' names) on a line below the plot, never inside it.
    """

    def __init__(self, frame: Frame, **kwargs: object) -> None:
        super().__init__(classes=f"frame frame-{type(frame).__name__.lower()}", **kwargs)  # type: ignore[arg-type]
        self.frame = frame
        self.border_title = frame.title

    def compose(self) -> ComposeResult:
        yield self._make_view(self.frame)
        if isinstance(self.frame, Curves | Scatter):
            yield Static(classes="legend")

    @staticmethod
    def _make_view(frame: Frame) -> Widget:
        if isinstance(frame, Curves):
            return SeriesPlot(classes="view plot")
        if isinstance(frame, Scatter):
            return CloudPlot(classes="view plot")
        if isinstance(frame, TextFrame):
            return Markdown(classes="view")
        return Static(classes="view")

    def on_mount(self) -> None:
        self.show(self.frame)

    def show(self, frame: Frame) -> None:
        self.frame = frame
        self.border_title = frame.title
        views = self.query(".view")
        if not views:
            return  # not composed yet: on_mount shows the newest frame
        view = views.first()
        if isinstance(frame, Curves) and isinstance(view, SeriesPlot):
            axis = y_axis(frame)
            series = {
                name: ([x for x, y in zip(xs, ys, strict=False) if axis.position(y) is not None], [p for y in ys if (p := axis.position(y)) is not None])
                for name, (xs, ys) in frame.series.items()
            }
            view.show(series, y_range=(axis.lo, axis.hi), y_ticks=axis.ticks, x_label=frame.x_label)
            note = f"y: {axis.label}" if axis.label else ""
            self.query_one(".legend", Static).update(legend_text(list(frame.series), note=note))
        elif isinstance(frame, Scatter) and isinstance(view, CloudPlot):
            view.show_points(frame.series)
            self.query_one(".legend", Static).update(legend_text(list(frame.series), glyph="•"))
        elif isinstance(frame, TextFrame) and isinstance(view, Markdown):
            view.update(frame.body)
        elif isinstance(view, Static):
            view.update(self._renderable(frame))

    def _renderable(self, frame: Frame) -> object:
        if isinstance(frame, Heatmap):
            return heatmap_text(frame)
        if isinstance(frame, Boundary):
            return boundary_text(frame)
        if isinstance(frame, Images):
            return ImagesView(frame)
        if isinstance(frame, Table):
            return table_renderable(frame)
        return Text(f"({type(frame).__name__} frame)", style="dim")
