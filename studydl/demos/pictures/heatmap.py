"""Heatmaps: numbers in the cells when they fit, colour or shade otherwise."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

from studydl.demos.pictures.palette import (
    SHADES,
    Picture,
    heat_scale,
    hex_colour,
    wants_colour,
)
from studydl.demos.scales import format_value
from studydl.domain.demos import Heatmap


def _full(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:.2f}" if abs(value) < 100 else format_value(value)


def _compact(value: float) -> str:
    """0.73 -> .73, -0.82 -> -.82: four characters for any |value| < 10."""
    text = _full(value)
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def _short(value: float) -> str:
    return _compact(float(f"{value:.1f}")) if math.isfinite(value) and abs(value) < 10 else _compact(value)


NUMBER_FORMATS = (_full, _compact, _short)
MAX_ROWS = 48


@dataclass(frozen=True)
class _HeatLayout:
    cell: int
    """Characters per cell, one of them the gap on the left."""
    number: object | None
    """The number format, None: colour (or shade) only."""
    columns: int
    """Columns shown (fewer than the matrix has only when even 1-character cells do not fit)."""
    label_w: int

    @property
    def width(self) -> int:
        return self.label_w + 1 + self.columns * self.cell


class HeatmapArt(Picture):
    """A Heatmap frame: numbers in coloured cells when they fit the width, else colour only."""

    def __init__(self, frame: Heatmap) -> None:
        self.frame = frame
        self.rows = [list(row) for row in frame.values[:MAX_ROWS]]
        self.n_cols = max((len(row) for row in self.rows), default=0)
        self.scale = heat_scale(self.rows, frame.v_min, frame.v_max)

    def _row_label(self, i: int) -> str:
        return str(self.frame.row_labels[i]) if i < len(self.frame.row_labels) else ""

    def layout(self, width: int, colour: bool = True) -> _HeatLayout:
        labels = [self._row_label(i) for i in range(len(self.rows))]
        label_w = min(16, max((len(lbl) for lbl in labels), default=0))
        room = width - label_w - 1
        cells = [v for row in self.rows for v in row]
        heads = max((len(str(c)) for c in self.frame.col_labels[: self.n_cols]), default=0)
        for number in NUMBER_FORMATS:
            cell = 1 + max((len(number(v)) for v in cells), default=1)
            for wide in (max(cell, heads + 1), cell):  # room for the column labels in one row if it fits
                if self.n_cols * wide <= room:
                    return _HeatLayout(wide, number, self.n_cols, label_w)
        for cell in (3, 2) if colour else (2,):
            if self.n_cols * cell <= room:
                return _HeatLayout(cell, None, self.n_cols, label_w)
        cell = 1 if colour else 2
        return _HeatLayout(cell, None, max(1, min(self.n_cols, room // cell)), label_w)

    def _header(self, lay: _HeatLayout, width: int) -> list[Text]:
        labels = [str(c) for c in self.frame.col_labels[: lay.columns]]
        if not any(labels):
            return []
        longest = max(len(c) for c in labels)
        pad = " " * (lay.label_w + 1)
        if longest <= lay.cell - 1:  # one row, each label right-aligned over its cell
            return [Text(pad + "".join(f"{c:>{lay.cell}}" for c in labels), style="dim")]
        # Staggered: label j starts over its own cell on row j % k and may run over the next k - 1.
        k = min(3, -(-(longest + 1) // lay.cell))
        every = 1 if k * lay.cell > longest else -(-(longest + 1) // lay.cell)
        room = (k if every == 1 else every) * lay.cell - 1
        lines = [[" "] * (lay.columns * lay.cell + room) for _ in range(k if every == 1 else 1)]
        for j, label in enumerate(labels):
            if j % every:
                continue
            line = lines[j % k] if every == 1 else lines[0]
            at = j * lay.cell + (1 if lay.cell > 1 else 0)
            text = label if len(label) <= room else label[: room - 1] + "…"
            line[at : at + len(text)] = text
        room_right = max(lay.columns * lay.cell, width - lay.label_w - 1)
        return [Text(pad + "".join(line)[:room_right].rstrip(), style="dim") for line in lines]

    def lines(self, width: int, colour: bool = True) -> list[Text]:
        lay = self.layout(width, colour)
        out = self._header(lay, width)
        for i, row in enumerate(self.rows):
            label = self._row_label(i)
            if len(label) > lay.label_w:
                label = label[: lay.label_w - 1] + "…"
            line = Text(f"{label:>{lay.label_w}} ", style="dim")
            for value in row[: lay.columns]:
                line.append_text(self._cell(value, lay, colour))
            out.append(line)
        legend = self._legend(lay, colour)
        legend.no_wrap = False  # wider than the cells: it wraps, never cut mid-note
        out.append(legend)
        return out

    def _cell(self, value: float, lay: _HeatLayout, colour: bool) -> Text:
        if lay.number is not None:
            body = f"{lay.number(value):>{lay.cell}}"  # type: ignore[operator]
        elif colour:
            body = " " * lay.cell if math.isfinite(value) else f"{'×':>{lay.cell}}"
        else:
            shade = SHADES[min(len(SHADES) - 1, int(self.scale.fraction(value) * len(SHADES)))]
            body = " " + shade * (lay.cell - 1)
        if not colour:
            return Text(body)
        style = f"bold {self.scale.ink(value)} on {hex_colour(self.scale.rgb(value))}"
        return Text(body, style=style)

    def _legend(self, lay: _HeatLayout, colour: bool) -> Text:
        scale = self.scale
        text = Text(" " * (lay.label_w + 1))
        text.append(f"{format_value(scale.lo)} ", style="dim")
        if colour:
            for t in (0.0, 0.25, 0.5, 0.75, 1.0):
                text.append("  ", style=f"on {hex_colour(scale.rgb(scale.lo + t * (scale.hi - scale.lo)))}")
        else:
            text.append(SHADES[1:] + " ")
        text.append(f" {format_value(scale.hi)}", style="dim")
        notes = []
        if scale.diverging:
            notes.append("grey = 0")
        if self.frame.v_min is not None and self.frame.v_max is not None:
            notes.append("fixed scale")
        if lay.columns < self.n_cols:
            notes.append(f"first {lay.columns} of {self.n_cols} columns")
        if len(self.frame.values) > len(self.rows):
            notes.append(f"first {len(self.rows)} of {len(self.frame.values)} rows")
        if notes:
            text.append(f"  ({', '.join(notes)})", style="dim")
        return text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """The cells' width, widened for the legend as far as the width allows (beyond it the
        legend wraps); more than the width only when the cells themselves do not fit."""
        colour = wants_colour(console)
        lay = self.layout(options.max_width, colour)
        used = lay.width if lay.columns == self.n_cols else lay.label_w + 1 + self.n_cols * lay.cell
        legend = min(self._legend(lay, colour).cell_len, options.max_width)
        return Measurement(min(used, options.max_width), max(used, legend))
