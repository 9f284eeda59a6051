"""Honest y axes for curve frames, shared by every front end (no torch, no textual).

A chart must not turn noise into drama: a linear axis of non-negative values (losses,
accuracies, norms) starts at zero, any linear range spans at least a tenth of its
largest magnitude, and a log axis spans at least one decade and is labelled with the
values themselves (0.01, 0.1, 1), never with their logarithms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studydl.domain.demos import Curves, RefLine

MIN_REL_SPAN = 0.1
"""A linear range spans at least this share of its largest magnitude."""
LARGEST = 1e100
"""Beyond this magnitude a value is off any readable linear axis: left out like inf and NaN."""
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class YAxis:
    """Where a frame's y axis runs; for a log axis `lo`/`hi` are log10 of the values."""

    lo: float
    hi: float
    log: bool
    ticks: tuple[tuple[float, str], ...]
    """(position on the axis, label) pairs; labels are plain values even on a log axis."""
    label: str

    def position(self, value: float) -> float | None:
        """Where `value` sits on the axis (its log10 on a log axis); None if it cannot be drawn."""
        if not drawable(value, self.log):
            return None
        return math.log10(value) if self.log else value

    def fraction(self, value: float) -> float | None:
        """0 at the bottom of the axis, 1 at the top (clamped); None if it cannot be drawn."""
        pos = self.position(value)
        if pos is None:
            return None
        return min(1.0, max(0.0, (pos - self.lo) / ((self.hi - self.lo) or 1.0)))


def format_value(value: float) -> str:
    """A tick label: 0.001, 0.25, 40, 1e4, 1e-12, 1e20 (no trailing zeros, no exponent padding)."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _nice_step(span: float, count: int) -> float:
    raw = span / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(s * magnitude for s in NICE_STEPS if s * magnitude >= raw * 0.999)


def _linear(values: list[float], y_min: float | None, y_max: float | None, ticks: int) -> tuple[float, float, list[float]]:
    lo = min(values) if values else 0.0
    hi = max(values) if values else 1.0
    if y_min is None and lo >= 0:
        lo = 0.0  # losses, accuracies and norms: zero is the honest floor
    if y_max is None and hi <= 0 and values:
        hi = 0.0
    if y_min is not None:
        lo = y_min
    if y_max is not None:
        hi = y_max
    need = max(MIN_REL_SPAN * max(abs(lo), abs(hi)), 1e-12)
    if hi - lo < need:
        mid = (hi + lo) / 2
        lo, hi = (mid - need / 2, mid + need / 2) if y_min is None else (lo, lo + need)
        if y_min is None and min(values, default=0.0) >= 0 and lo < 0:
            lo, hi = 0.0, need
    step = _nice_step(hi - lo, ticks)
    if y_min is None:
        lo = math.floor(lo / step + 1e-9) * step
    if y_max is None:
        hi = math.ceil(hi / step - 1e-9) * step
    first = math.ceil(lo / step - 1e-9) * step
    positions = []
    k = 0
    while first + k * step <= hi + step * 1e-6:
        positions.append(round(first + k * step, 12))
        k += 1
    return lo, hi, positions


def _log(
    values: list[float], ticks: int, v_min: float | None = None, v_max: float | None = None
) -> tuple[float, float, list[float]]:
    logs = [math.log10(v) for v in values if v > 0]
    if v_min is not None and v_min > 0:
        logs.append(math.log10(v_min))
    if v_max is not None and v_max > 0:
        logs.append(math.log10(v_max))
    if not logs:
        return -1.0, 0.0, [-1.0, 0.0]
    lo, hi = math.floor(min(logs)), math.ceil(max(logs))
    if v_min is not None and v_min > 0:
        lo = math.floor(math.log10(v_min))
    if v_max is not None and v_max > 0:
        hi = math.ceil(math.log10(v_max))
    if hi - lo < 1:
        hi = lo + 1
    every = _decades_between_ticks(hi - lo, ticks)
    lo = hi - every * math.ceil((hi - lo) / every)  # the lowest tick is the bottom of the axis
    return lo, hi, sorted(float(k) for k in range(hi, lo - 1, -every))


def _decades_between_ticks(span: int, ticks: int) -> int:
    """About `ticks` intervals over `span` decades: the smallest spacing that fits, or one a
    little wider that divides the span, so both ends of the axis get a label."""
    every = max(1, math.ceil(span / ticks))
    return next((e for e in range(every, 2 * every) if span % e == 0), every)


def drawable(value: float, log: bool) -> bool:
    """Whether a value can sit on an axis: finite, not absurdly large, positive on a log axis."""
    if not math.isfinite(value):
        return False
    return value > 0 if log else abs(value) <= LARGEST


def _refs(frame: Curves, axis: str) -> list[float]:
    return [r.at for r in frame.refs if r.axis == axis]


def y_axis(frame: Curves, ticks: int = 4) -> YAxis:
    """The y axis a front end should draw `frame` on (about `ticks` intervals).

    On a log axis y_min and y_max (when positive) fix the decades shown, so two frames can
    share one scale; reference lines on y are always inside the range.
    """
    values = [v for _, ys in frame.series.values() for v in ys if drawable(v, frame.log_y)]
    values += [v for v in _refs(frame, "y") if drawable(v, frame.log_y)]
    y_min, y_max = frame.y_min, frame.y_max
    if frame.log_y:
        lo, hi, positions = _log(values, ticks, y_min, y_max)
        labels = [format_value(10**p) for p in positions]
        label = f"{frame.y_label} (log scale)" if frame.y_label else "log scale"
    else:
        lo, hi, positions = _linear(values, y_min, y_max, ticks)
        labels = [format_value(p) for p in positions]
        label = frame.y_label
    return YAxis(lo, hi, frame.log_y, tuple(zip(positions, labels, strict=True)), label)


def x_axis(frame: Curves, ticks: int = 4) -> YAxis:
    """The x axis of `frame`: round ticks over the data (no zero floor), decades on a log axis."""
    values = [x for xs, _ in frame.series.values() for x in xs if drawable(x, frame.log_x)]
    values += [v for v in _refs(frame, "x") if drawable(v, frame.log_x)]
    if frame.log_x:
        logs = [math.log10(v) for v in values]
        lo, hi = (min(logs), max(logs)) if logs else (0.0, 1.0)
        first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        every = max(1, math.ceil((last - first) / max(1, ticks)))
        positions = [float(k) for k in range(first, last + 1, every)] or [lo]
        marks = tuple((p, format_value(10**p)) for p in positions)
        label = f"{frame.x_label} (log scale)" if frame.x_label else "log scale"
        return YAxis(lo, hi if hi > lo else lo + 1, True, marks, label)
    found = value_range(values)
    lo, hi = found if found is not None else (0.0, 1.0)
    return YAxis(lo, hi if hi > lo else lo + 1, False, tuple(x_ticks(values, ticks)), frame.x_label)


@dataclass(frozen=True)
class Plotted:
    """A Curves frame as positions on its axes (log10 where an axis is log), ready to draw."""

    x: YAxis
    y: YAxis
    series: dict[str, tuple[list[float], list[float]]]
    left_out: int
    """Points that could not be drawn (inf, NaN, or not positive on a log axis)."""

    def note(self) -> str:
        """`3 points not drawn (inf or NaN)` when some were left out, else empty."""
        if not self.left_out:
            return ""
        what = "point" if self.left_out == 1 else "points"
        return f"{self.left_out} {what} not drawn (inf, NaN or ≤ 0 on a log axis)"


def plotted(frame: Curves, ticks: int = 4) -> Plotted:
    """Every drawable point of `frame` on its axes, and how many were left out."""
    x, y = x_axis(frame, ticks), y_axis(frame, ticks)
    series: dict[str, tuple[list[float], list[float]]] = {}
    left_out = 0
    for name, (xs, ys) in frame.series.items():
        kept = [
            (math.log10(a) if x.log else a, math.log10(b) if y.log else b)
            for a, b in zip(xs, ys, strict=False)
            if drawable(a, x.log) and drawable(b, y.log)
        ]
        left_out += min(len(xs), len(ys)) - len(kept)
        series[name] = ([a for a, _ in kept], [b for _, b in kept])
    return Plotted(x, y, series, left_out)


def ref_position(ref: RefLine, axis: YAxis) -> float | None:
    """Where a reference line sits on its axis, None when it cannot be drawn."""
    return axis.position(ref.at)


def value_range(values: Iterable[float]) -> tuple[float, float] | None:
    """(min, max) of the drawable values, None when there are none."""
    finite = [v for v in values if drawable(v, log=False)]
    return (min(finite), max(finite)) if finite else None


SPARKS = "▁▂▃▄▅▆▇█"


def resample(values: Sequence[float], width: int) -> list[float]:
    """At most `width` values, evenly picked, first and last kept."""
    if len(values) <= width:
        return list(values)
    return [values[int(i * (len(values) - 1) / (width - 1))] for i in range(width)]


def sparkline(
    values: Sequence[float], width: int = 48, log: bool = False, honest: bool = False
) -> str:
    """A one-line plot of `values` in block characters, scaled to their own range.

    `honest` scales them as a linear curve axis would (zero floor for values >= 0, a range
    of at least a tenth of the largest magnitude), so noise does not fill the whole height.
    """
    vals = [v for v in resample(values, width) if drawable(v, log)]
    if log:
        vals = [math.log10(v) for v in vals]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if honest and not log:
        lo, hi, _ = _linear(vals, None, None, 4)
    span = (hi - lo) or 1.0
    return "".join(
        SPARKS[min(len(SPARKS) - 1, max(0, round((v - lo) / span * (len(SPARKS) - 1))))]
        for v in vals
    )


def x_ticks(values: Iterable[float], count: int = 4) -> list[tuple[float, str]]:
    """Round tick positions (0, 250, 500) across the values' range, with their labels.

    At least two ticks whenever the range is not a single value: on a narrow plot the nice step
    for -8 … 8 would be 10, which leaves only 0; a smaller nice step is taken instead.
    """
    found = value_range(values)
    if found is None:
        return []
    lo, hi = found
    if hi <= lo:
        return [(lo, format_value(lo))]
    step = _nice_step(hi - lo, count)
    positions = _multiples(lo, hi, step)
    while len(positions) < 2:
        step = _smaller_nice_step(step)
        positions = _multiples(lo, hi, step)
    return [(at, format_value(at)) for at in positions]


def _multiples(lo: float, hi: float, step: float) -> list[float]:
    """The multiples of `step` in [lo, hi], rounded."""
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    k = 0
    while first + k * step <= hi + step * 1e-6:
        out.append(round(first + k * step, 12))
        k += 1
    return out


def _smaller_nice_step(step: float) -> float:
    """The next nice step below `step` (10 -> 5 -> 2.5 -> 2 -> 1 -> 0.5 ...)."""
    magnitude = 10 ** math.floor(math.log10(step) + 1e-9)
    below = [s * magnitude for s in NICE_STEPS if s * magnitude < step * 0.999]
    return below[-1] if below else magnitude * NICE_STEPS[-2] / 10
