"""Charts for the statistics screen: a calendar heatmap and bar lists in Rich, plots via plotext.

Importing this module imports plotext (through textual_plotext); only the screens
that draw charts import it, and the app imports those screens only when they open.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget
from textual_plotext import Plot, PlotextPlot

from studydl.demos.pictures import CLASS_COLOURS
from studydl.demos.pictures import hex_colour as hex_colour  # the stats screen takes it from here
from studydl.domain.words import plural

HEAT_COLOURS = ("#2d333b", "#0e4429", "#006d32", "#26a641", "#39d353")
"""GitHub's greens: no answers, then four levels up to the busiest day."""
WEEKDAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
CELL = "■ "
GUTTER = 4


def heat_level(count: int, busiest: int) -> int:
    """0 for no answers, else 1-4 by share of the busiest day."""
    if count <= 0 or busiest <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / busiest)))


class CalendarHeatmap(Widget):
    """Answers per day as a GitHub-style calendar: one column per week, as many weeks as fit."""

    DEFAULT_CSS = """
    CalendarHeatmap {
        height: 9;
        width: 1fr;
    }
    """

    counts: reactive[dict[date, int]] = reactive(dict, always_update=True)
    today: reactive[date | None] = reactive(None)

    def weeks_shown(self) -> int:
        return max(1, (self.size.width - GUTTER) // len(CELL))

    def render(self) -> Text:
        if self.today is None:
            return Text("")
        weeks = self.weeks_shown()
        first = self.today - timedelta(days=self.today.weekday()) - timedelta(weeks=weeks - 1)
        busiest = max((n for day, n in self.counts.items() if day >= first), default=0)
        lines = [self._month_line(first, weeks)]
        for weekday in range(7):
            line = Text(f"{WEEKDAY_LABELS[weekday]:<{GUTTER}}", style="dim")
            for week in range(weeks):
                day = first + timedelta(weeks=week, days=weekday)
                if day > self.today:
                    line.append(" " * len(CELL))
                    continue
                colour = HEAT_COLOURS[heat_level(self.counts.get(day, 0), busiest)]
                line.append(CELL[0], style=colour)
                line.append(CELL[1:])
            lines.append(line)
        lines.append(self._legend())
        return Text("\n").join(lines)

    def _month_line(self, first: date, weeks: int) -> Text:
        """Month names over the week column where each month begins."""
        chars = [" "] * (GUTTER + weeks * len(CELL) + 4)
        previous = None
        for week in range(weeks):
            monday = first + timedelta(weeks=week)
            if monday.month != previous:
                previous = monday.month
                at = GUTTER + week * len(CELL)
                label = monday.strftime("%b")
                # A label needs a free cell before it, and the first column only names its month
                # when the month starts in that week.
                free = all(c == " " for c in chars[at - 1 : at + len(label)]) if week else monday.day <= 7
                if free:
                    chars[at : at + len(label)] = label
        return Text("".join(chars).rstrip(), style="dim")

    def summary(self) -> str:
        """`980 answers on 152 days, busiest 12` over the weeks shown."""
        if self.today is None:
            return ""
        first = self.today - timedelta(days=self.today.weekday()) - timedelta(weeks=self.weeks_shown() - 1)
        shown = [n for day, n in self.counts.items() if first <= day <= self.today]
        return f"{plural(sum(shown), 'answer')} on {plural(sum(1 for n in shown if n), 'day')}, busiest {max(shown, default=0)}"

    def _legend(self) -> Text:
        text = Text(" " * GUTTER + "less ", style="dim")
        for colour in HEAT_COLOURS:
            text.append(CELL, style=colour)
        text.append("more", style="dim")
        return text


class BarList(Widget):
    """Labelled horizontal bars with their values, scaled to the widest that fits."""

    DEFAULT_CSS = """
    BarList {
        height: auto;
        width: 1fr;
    }
    """

    bars: reactive[tuple[tuple[str, int, str], ...]] = reactive(tuple, layout=True)
    """(label, value, colour) per bar."""

    def render(self) -> Text:
        if not self.bars:
            return Text("")
        label_w = max(len(label) for label, _, _ in self.bars)
        value_w = max(len(f"{value:,}") for _, value, _ in self.bars)
        room = max(4, self.size.width - label_w - value_w - 3)
        top = max(value for _, value, _ in self.bars) or 1
        lines = []
        for label, value, colour in self.bars:
            eighths = round(8 * room * value / top)
            bar = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
            line = Text(f"{label:>{label_w}} ", style="bold")
            line.append(f"{bar:<{room}}", style=colour)
            line.append(f" {value:>{value_w},}")
            lines.append(line)
        return Text("\n").join(lines)


class FreshPlot(PlotextPlot):
    """A plot that rebuilds its figure from scratch on every render.

    plotext's build is not idempotent (a second build of the same figure, even after
    clearing it, can lay the tick labels out differently), so the figure is kept as a
    function and drawn on a new plotext figure each time: snapshots stay stable.
    """

    _draw: Callable[[Plot, int], None] | None = None

    def draw(self, draw: Callable[[Plot, int], None]) -> None:
        """Set the figure: `draw(plt, width)` is called on a fresh figure at each render."""
        self._draw = draw
        self.refresh()

    def render(self) -> RenderResult:
        self._plot = Plot()
        try:
            if self._draw is not None:
                self._draw(self._plot, self.size.width)
            return super().render()
        except (ArithmeticError, ValueError, IndexError) as exc:
            # plotext fails on values it cannot place; callers drop those first, and should one
            # still slip through, a message beats taking the whole screen down.
            return Text(f"(this plot could not be drawn: {type(exc).__name__}: {exc})", style="dim")


def spread(ticks: Sequence[tuple[float, str]], width: int, spacing: int = 14) -> list[tuple[float, str]]:
    """At most one labelled tick per `spacing` cells, evenly chosen, first and last kept.

    Labels closer than that collide, and plotext settles collisions in an order that
    changes with Python's hash seed: snapshots would differ from run to run.
    """
    keep = max(2, width // spacing)
    if len(ticks) <= keep:
        return list(ticks)
    chosen = sorted({round(k * (len(ticks) - 1) / (keep - 1)) for k in range(keep)})
    return [ticks[i] for i in chosen]


class BarPlot(FreshPlot):
    """A plotext bar chart of values over labelled positions."""

    def show(self, values: Sequence[float], ticks: Sequence[tuple[float, str]], colour: str = "cyan") -> None:
        values = list(values)
        top = max(1, math.ceil(max(values, default=0)))
        step = max(1, math.ceil(top / 4))

        def draw(plt: Plot, width: int) -> None:
            plt.bar(list(range(len(values))), values, color=colour, width=0.5)
            plt.frame(False)
            shown = spread(ticks, width, spacing=7)
            plt.xticks([at for at, _ in shown], [label for _, label in shown])
            plt.ylim(0, top)
            plt.yticks(list(range(0, top + 1, step)))

        self.draw(draw)


class LinePlot(FreshPlot):
    """A plotext line chart of one or more series over a shared x axis."""

    def show(
        self,
        series: dict[str, tuple[Sequence[float], Sequence[float]]],
        *,
        ticks: Sequence[tuple[float, str]] | None = None,
        y_range: tuple[float, float] | None = None,
        y_ticks: Sequence[float] | None = None,
        x_label: str = "",
        y_label: str = "",
    ) -> None:
        def draw(plt: Plot, width: int) -> None:
            for name, (xs, ys) in series.items():
                if xs:
                    plt.plot(list(xs), list(ys), label=name if len(series) > 1 else None, marker="braille")
            plt.frame(False)
            if ticks:
                shown = spread(ticks, width)
                plt.xticks([at for at, _ in shown], [label for _, label in shown])
            if y_range is not None:
                plt.ylim(*y_range)
            if y_ticks is not None:
                plt.yticks(list(y_ticks))
            if x_label:
                plt.xlabel(x_label)
            if y_label:
                plt.ylabel(y_label)

        self.draw(draw)


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 up to at least `top` in `count` or so round steps (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * i for i in range(math.ceil(top / step - 1e-9) + 1)]


class MarkedCurvePlot(FreshPlot):
    """One curve over labelled x positions, with one point of it marked (e.g. the current setting)."""

    def show(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        *,
        ticks: Sequence[tuple[float, str]],
        marked: tuple[float, float] | None = None,
    ) -> None:
        xs, ys = list(xs), list(ys)
        y_ticks = nice_ticks(max(ys, default=0.0) * 1.1)

        def draw(plt: Plot, width: int) -> None:
            if len(xs) > 1:
                plt.plot(xs, ys, marker="braille", color=series_colour(0))
            if marked is not None:
                plt.scatter([marked[0]], [marked[1]], marker="●", color=series_colour(1))
            plt.frame(False)
            shown = spread(ticks, width, spacing=6)
            plt.xticks([at for at, _ in shown], [label for _, label in shown])
            if xs:
                plt.xlim(min(xs) - 0.5, max(xs) + 0.5)
            plt.ylim(0, y_ticks[-1])
            plt.yticks(y_ticks, [f"{t:g}" for t in y_ticks])

        self.draw(draw)


SERIES_COLOURS = CLASS_COLOURS
"""Okabe-Ito colours (distinguishable with colour-blindness), one per series, in order; the
same palette as the demos' plots and decision regions."""


def series_colour(index: int) -> tuple[int, int, int]:
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]
