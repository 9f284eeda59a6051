"""Widgets that draw a demo's frames: plots via plotext, pictures and tables as Rich renderables.

`FramePanel` wraps the view that fits a frame's kind under the frame's title; heatmaps,
decision regions and images are the same pictures the CLI prints
(`studydl.demos.pictures`), laid out for the panel's width at each render.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from studydl.demos.pictures import BoundaryArt, HeatmapArt, ImageGrid, hex_colour, table_art
from studydl.demos.pictures.steps import invitation
from studydl.demos.scales import format_value, plotted, sparkline
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
)
from studydl.domain.demos import Text as TextFrame
from studydl.render import picture_mode
from studydl.tui.widgets.demo_plots import (
    CloudPlot,
    PathPlot,
    SeriesPlot,
    curve_keys,
    left_out_note,
    legend_text,
    series_colour,
)

TREND_POINTS = 3
"""A metric is drawn as a trend once it has this many values; fewer say nothing a number doesn't."""


class MetricsTable:
    """One row per metric with a trend: name, a sparkline on an honest axis of its own, range, now.

    Metrics have different units (a loss, a fraction, a count), so each gets its own line
    instead of sharing one axis; the sparkline takes whatever width is left.
    """

    def __init__(self, history: Mapping[str, tuple[Sequence[float], Sequence[float]]]) -> None:
        self.history = {name: list(values) for name, (_, values) in history.items() if len(values) >= TREND_POINTS}

    def __bool__(self) -> bool:
        return bool(self.history)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = []
        for name, values in self.history.items():
            lo, hi = min(values), max(values)
            span = f"{format_value(lo)} … {format_value(hi)}" if lo != hi else "constant"
            rows.append((name, values, span, format_value(values[-1])))
        name_w = min(28, max(len(r[0]) for r in rows))
        range_w = max(len(r[2]) for r in rows)
        now_w = max(len(r[3]) for r in rows)
        spark_w = max(8, min(40, options.max_width - name_w - range_w - now_w - 3))
        for i, (name, values, span, now) in enumerate(rows):
            line = Text(f"{name[:name_w]:<{name_w}} ", style="bold")
            stretched = [v for v in values for _ in range(max(1, spark_w // len(values)))]
            line.append(f"{sparkline(stretched, spark_w, honest=True):<{spark_w}}", style=hex_colour(series_colour(i)))
            line.append(f" {span:>{range_w}}", style="dim")
            line.append(f" {now:>{now_w}}")
            line.no_wrap = True
            line.overflow = "crop"
            yield line


def metrics_table(history: Mapping[str, tuple[Sequence[float], Sequence[float]]]) -> MetricsTable:
    return MetricsTable(history)


class FramePanel(Vertical):
    """One frame under its title; a newer frame with the same key redraws the same panel.

    Plots carry their legend (and the axes' names) on a line below the plot, never inside
    it. A title too long for the border goes inside the panel, whole.
    """

    def __init__(self, frame: Frame, **kwargs: object) -> None:
        super().__init__(classes=f"frame frame-{type(frame).__name__.lower()}", **kwargs)  # type: ignore[arg-type]
        self.frame = frame
        self.border_title = frame.title

    def compose(self) -> ComposeResult:
        yield Static(classes="frame-title")
        yield self._make_view(self.frame)
        if isinstance(self.frame, Curves | Scatter | Paths):
            yield Static(classes="legend")

    @staticmethod
    def _make_view(frame: Frame) -> Widget:
        if isinstance(frame, Curves):
            return SeriesPlot(classes="view plot")
        if isinstance(frame, Scatter):
            return CloudPlot(classes="view plot")
        if isinstance(frame, Paths):
            return PathPlot(classes="view plot")
        return Static(classes="view")

    def on_mount(self) -> None:
        self.show(self.frame)

    def on_resize(self, _event: events.Resize) -> None:
        self._place_title()

    def _place_title(self) -> None:
        """The title on the border when it fits there, else as the panel's first line."""
        titles = self.query(".frame-title")
        if not titles:
            return
        inside = titles.first(Static)
        fits = len(self.frame.title) + 6 <= self.size.width or not self.size.width
        self.border_title = self.frame.title if fits else ""
        inside.update(Text(self.frame.title, style="bold"))
        inside.display = not fits

    def show(self, frame: Frame) -> None:
        self.frame = frame
        self._place_title()
        views = self.query(".view")
        if not views:
            return  # not composed yet: on_mount shows the newest frame
        view = views.first()
        if isinstance(frame, Curves) and isinstance(view, SeriesPlot):
            drawn = plotted(frame)
            view.show(drawn, frame.refs)
            note = "; ".join(n for n in (f"y: {drawn.y.label}" if drawn.y.label else "", drawn.note()) if n)
            self._legend(legend_text(curve_keys(list(frame.series), frame.refs), note=note))
        elif isinstance(frame, Scatter) and isinstance(view, CloudPlot):
            view.show_points(frame)
            self._legend(legend_text(view.keys(frame), note=left_out_note(view.left_out)))
        elif isinstance(frame, Paths) and isinstance(view, PathPlot):
            view.show_paths(frame)
            axes = f"x: {frame.x_label}, y: {frame.y_label}" if (frame.x_label, frame.y_label) != ("x", "y") else ""
            note = "; ".join(n for n in (axes, left_out_note(view.left_out)) if n)
            self._legend(legend_text(view.keys(frame), note=note))
        elif isinstance(view, Static):
            view.update(self._renderable(frame))

    def _legend(self, text: Text) -> None:
        self.query_one(".legend", Static).update(text)

    @staticmethod
    def _renderable(frame: Frame) -> object:
        if isinstance(frame, Images | Heatmap) and picture_mode.app_mode() == picture_mode.KITTY:  # pixels
            from studydl.render.terminal_picture import FramePicture

            return FramePicture(frame, picture_mode.KITTY)
        if isinstance(frame, Heatmap):
            return HeatmapArt(frame)
        if isinstance(frame, Boundary):
            return BoundaryArt(frame)
        if isinstance(frame, Images):
            return ImageGrid(frame)
        if isinstance(frame, Table):
            return table_art(frame)
        if isinstance(frame, TextFrame):
            return Text(frame.body)
        if isinstance(frame, Inspect):  # the step-through view (`s`) draws it
            return invitation(frame)
        return Text(f"({type(frame).__name__} frame)", style="dim")

