"""Colours, markers, the heat scale and the base of every picture (shared by the CLI and the app)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

RGB = tuple[int, int, int]

MARKERS = ("o", "x", "+", "*", "#", "@", "%", "&")
"""One glyph per class or series, in order; shared by every front end."""
CLASS_COLOURS: tuple[RGB, ...] = (
    (86, 180, 233),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (240, 228, 66),
    (213, 94, 0),
    (0, 114, 178),
    (170, 170, 170),
)
"""Okabe-Ito, in the order of the app's series colours (distinguishable with colour-blindness)."""
REGION_COLOURS: tuple[RGB, ...] = (
    (33, 64, 151),
    (135, 96, 11),
    (6, 118, 52),
    (140, 45, 130),
    (63, 154, 115),
    (138, 42, 8),
    (105, 130, 146),
    (41, 41, 42),
)
"""Decision-region fills, one per class: dark shades of the series colours moved just far enough
that a 16-colour terminal (TERM=xterm, no COLORTERM) maps them to eight different colours
(blue, yellow, green, magenta, cyan, red, white, black) instead of three to one grey."""
REGION_MARKERS: tuple[RGB, ...] = (
    (86, 166, 236),
    (234, 173, 13),
    (38, 202, 102),
    (217, 112, 189),
    (139, 246, 189),
    (226, 91, 26),
    (191, 220, 236),
    (123, 123, 123),
)
"""The points of each class: the bright twin of its region colour, so on 16 colours a point is
bright blue on blue, bright yellow on yellow, never one colour on the same colour."""
SHADES = " ░▒▓█"
CLASS_FILL = "·░▒▓:=+-"
"""Region fill per class on a terminal without colour."""
LOW, MID, HIGH = (33, 102, 172), (52, 52, 60), (178, 24, 43)
"""Diverging blue - grey - red: values of both signs, grey at zero; also two classes."""
SEQUENTIAL = ((28, 30, 60), (33, 120, 140), (240, 220, 90))
"""Dark blue - teal - yellow: values that are all of one sign (probabilities, gates, counts)."""


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def mix(a: RGB, b: RGB, u: float) -> RGB:
    return tuple(round(x + (y - x) * u) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def ramp(stops: Sequence[RGB], t: float) -> RGB:
    t = min(1.0, max(0.0, t))
    at = t * (len(stops) - 1)
    k = min(len(stops) - 2, int(at))
    return mix(stops[k], stops[k + 1], at - k)


def grey(value: float) -> str:
    """A grey for a pixel value in 0..1 (NaN: black)."""
    level = round(255 * unit(value))
    return f"#{level:02x}{level:02x}{level:02x}"


def unit(value: float) -> float:
    return min(1.0, max(0.0, value)) if math.isfinite(value) else 0.0


def wants_colour(console: Console) -> bool:
    return console.color_system is not None and not console.no_color


class Picture:
    """A renderable drawn as lines laid out for the width it gets, each cropped to it (a line
    marked `no_wrap=False`, such as a legend, wraps instead)."""

    def lines(self, width: int, colour: bool = True) -> Iterable[Text]:
        raise NotImplementedError

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width, wants_colour(console)):
            if line.no_wrap is not False:
                line.no_wrap, line.overflow = True, "crop"
            yield line


ALL_MARKERS = 60
"""A path of at most this many points gets a marker on every point (a step each)."""
MARKER_BUDGET = 60
"""Longer paths share this many markers (evenly spaced, the ends always), so six stay readable."""


def markers_along(xs: list[float], ys: list[float], paths: int) -> tuple[list[float], list[float]]:
    """Where a path's markers go: every point of a short path; on a long one evenly spaced
    points, the first and last kept (the Paths frame's markers, in every front end)."""
    if len(xs) <= ALL_MARKERS:
        return xs, ys
    count = max(6, MARKER_BUDGET // max(1, paths))
    picks = sorted({round(k * (len(xs) - 1) / (count - 1)) for k in range(count)})
    return [xs[k] for k in picks], [ys[k] for k in picks]


# --------------------------------------------------------------------------- heat scale


@dataclass(frozen=True)
class HeatScale:
    """Where values sit on a heatmap's colours: diverging around zero, or sequential."""

    lo: float
    hi: float
    diverging: bool

    def fraction(self, value: float) -> float:
        return unit((value - self.lo) / ((self.hi - self.lo) or 1.0))

    def rgb(self, value: float) -> RGB:
        if not math.isfinite(value):
            return (90, 90, 90)
        t = self.fraction(value)
        return ramp((LOW, MID, HIGH), t) if self.diverging else ramp(SEQUENTIAL, t)

    def ink(self, value: float) -> str:
        """Text colour that reads on the cell's colour: black on light cells, white on dark."""
        r, g, b = self.rgb(value)
        return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 110 else "white"


def heat_scale(values: Sequence[Sequence[float]], v_min: float | None = None, v_max: float | None = None) -> HeatScale:
    """The colour scale of a matrix: fixed ends where given, else from the finite values.

    Values of both signs get a diverging scale symmetric about zero (zero is grey, so the
    sign reads at a glance); values of one sign a sequential one from the smallest.
    """
    flat = [v for row in values for v in row if math.isfinite(v)]
    lo = v_min if v_min is not None else min(flat, default=0.0)
    hi = v_max if v_max is not None else max(flat, default=1.0)
    diverging = lo < 0 < hi
    if diverging and v_min is None and v_max is None:
        edge = max(-lo, hi)
        lo, hi = -edge, edge
    if hi <= lo:
        hi = lo + 1.0
    return HeatScale(lo, hi, diverging)
