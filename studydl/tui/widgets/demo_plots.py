"""plotext plots of demo frames: curves on honest axes, point clouds and paths, legends below.

Every plot draws only what its axes can hold: the frame's points go through
`studydl.demos.scales` (inf, NaN and non-positive values on a log axis are left out and
counted), so plotext never sees a value it cannot place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual_plotext import Plot

from studydl.demos.pictures import MARKERS, RGB, hex_colour, markers_along
from studydl.demos.scales import Plotted, drawable, x_ticks
from studydl.domain.demos import Paths, RefLine, Scatter
from studydl.tui.widgets.charts import FreshPlot, series_colour, spread

REF_COLOUR: RGB = (150, 150, 150)
CONTOUR_COLOUR: RGB = (95, 95, 105)


@dataclass(frozen=True)
class Key:
    """One entry of a legend: a glyph in a colour, then a name."""

    glyph: str
    name: str
    colour: RGB | None = None


def legend_text(keys: Sequence[Key], note: str = "") -> Text:
    """The key to a plot's colours and glyphs, drawn outside the plot: `━━ train  ━━ test   note`."""
    text = Text()
    for key in keys:
        text.append(f"{key.glyph} ", style=hex_colour(key.colour) if key.colour else "dim")
        text.append(f"{key.name}  ")
    if note:
        text.append(f" {note}", style="dim")
    return text


def curve_keys(names: Sequence[str], refs: Sequence[RefLine]) -> list[Key]:
    keys = [Key("━━", name, series_colour(i)) for i, name in enumerate(names)]
    keys += [Key("┆" if ref.axis == "x" else "┄┄", ref.label, REF_COLOUR) for ref in refs]
    return keys


def _ticks(values: Sequence[float], width: int, spacing: int) -> list[tuple[float, str]]:
    return spread(x_ticks(values, max(2, width // spacing)), width, spacing=spacing)


class SeriesPlot(FreshPlot):
    """Curves on the axes of `scales.plotted` (log axes drawn as log10 positions, labelled with values)."""

    def show(self, drawn: Plotted, refs: Sequence[RefLine] = ()) -> None:
        """Draw each series in its palette colour, and the reference lines in grey."""
        x_axis, y_axis = drawn.x, drawn.y
        lines = [
            (axis, pos)
            for ref in refs
            if (axis := ref.axis) in "xy" and (pos := (x_axis if axis == "x" else y_axis).position(ref.at)) is not None
        ]
        every_x = [x for xs, _ in drawn.series.values() for x in xs]

        def draw(plt: Plot, width: int) -> None:
            for axis, pos in lines:
                (plt.vline if axis == "x" else plt.hline)(pos, color=REF_COLOUR)
            # Last series first, so the first (the one a demo is about) is drawn on top.
            for i, (xs, ys) in reversed(list(enumerate(drawn.series.values()))):
                if xs:
                    plt.plot(list(xs), list(ys), marker="braille", color=series_colour(i))
            plt.frame(False)
            plt.ylim(y_axis.lo, y_axis.hi)
            plt.yticks([at for at, _ in y_axis.ticks], [label for _, label in y_axis.ticks])
            if x_axis.log:
                shown = spread(list(x_axis.ticks), width, spacing=10)
                plt.xlim(x_axis.lo, x_axis.hi)
            else:
                shown = _ticks(every_x + [pos for axis, pos in lines if axis == "x"], width, 14)
            if shown:
                plt.xticks([at for at, _ in shown], [label for _, label in shown])
            if x_axis.label:
                plt.xlabel(x_axis.label)

        self.draw(draw)


def _finite_points(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float], int]:
    kept = [(x, y) for x, y in zip(xs, ys, strict=False) if drawable(x, False) and drawable(y, False)]
    return [x for x, _ in kept], [y for _, y in kept], min(len(xs), len(ys)) - len(kept)


def _axes(plt: Plot, xs: Sequence[float], ys: Sequence[float], width: int, height: int) -> None:
    """Round ticks on both axes (plotext's own land on values like 2.12 and -0.0)."""
    shown_x = _ticks(xs, width, 12)
    if shown_x:
        plt.xticks([at for at, _ in shown_x], [label for _, label in shown_x])
    shown_y = spread(x_ticks(ys, max(2, height // 3)), height * 3, spacing=9)
    if shown_y:
        plt.yticks([at for at, _ in shown_y], [label for _, label in shown_y])


class CloudPlot(FreshPlot):
    """A Scatter frame: each series in its own colour and marker, no legend inside."""

    left_out = 0

    def show_points(self, frame: Scatter) -> None:
        series = {name: _finite_points(xs, ys) for name, (xs, ys) in frame.series.items()}
        self.left_out = sum(n for _, _, n in series.values())
        every_x = [x for xs, _, _ in series.values() for x in xs]
        every_y = [y for _, ys, _ in series.values() for y in ys]

        def draw(plt: Plot, width: int) -> None:
            plt.frame(False)
            for i, (xs, ys, _) in reversed(list(enumerate(series.values()))):
                if xs:
                    plt.scatter(xs, ys, marker=MARKERS[i % len(MARKERS)], color=series_colour(i))
            _axes(plt, every_x, every_y, width, self.size.height)

        self.draw(draw)

    @staticmethod
    def keys(frame: Scatter) -> list[Key]:
        return [Key(MARKERS[i % len(MARKERS)], name, series_colour(i)) for i, name in enumerate(frame.series)]


class PathPlot(FreshPlot):
    """A Paths frame: faint contours, each path a line with its marker along it, then the points."""

    left_out = 0

    def show_paths(self, frame: Paths) -> None:
        paths = {name: _finite_points(xs, ys) for name, (xs, ys) in frame.paths.items()}
        points = {name: _finite_points(xs, ys) for name, (xs, ys) in frame.points.items()}
        contours = [_finite_points(xs, ys) for xs, ys in frame.contours.values()]
        self.left_out = sum(n for _, _, n in [*paths.values(), *points.values()])
        every = [*paths.values(), *points.values(), *contours]
        every_x = [x for xs, _, _ in every for x in xs]
        every_y = [y for _, ys, _ in every for y in ys]

        def draw(plt: Plot, width: int) -> None:
            plt.frame(False)
            for xs, ys, _ in contours:
                if xs:
                    plt.scatter(xs, ys, marker="·", color=CONTOUR_COLOUR)
            for i, (xs, ys, _) in reversed(list(enumerate(paths.values()))):
                if not xs:
                    continue
                colour = series_colour(i)
                plt.plot(xs, ys, marker="braille", color=colour)
                mx, my = markers_along(xs, ys, len(paths)) if frame.markers else (xs[-1:], ys[-1:])
                plt.scatter(mx, my, marker=MARKERS[i % len(MARKERS)], color=colour)
            for i, (xs, ys, _) in enumerate(points.values(), start=len(paths)):
                if xs:
                    plt.scatter(xs, ys, marker=MARKERS[i % len(MARKERS)], color=series_colour(i), style="bold")
            _axes(plt, every_x, every_y, width, self.size.height)
            if frame.x_label:
                plt.xlabel(frame.x_label)

        self.draw(draw)

    @staticmethod
    def keys(frame: Paths) -> list[Key]:
        keys = [Key("·", name, CONTOUR_COLOUR) for name in frame.contours]
        keys += [Key(f"─{MARKERS[i % len(MARKERS)]}", name, series_colour(i)) for i, name in enumerate(frame.paths)]
        start = len(frame.paths)
        keys += [Key(MARKERS[(start + i) % len(MARKERS)], name, series_colour(start + i)) for i, name in enumerate(frame.points)]
        return keys


def left_out_note(count: int) -> str:
    """`2 points not drawn (inf or NaN)`, or nothing."""
    if not count:
        return ""
    return f"{count} {'point' if count == 1 else 'points'} not drawn (inf or NaN)"

