"""Heatmaps, decision regions, grey-scale images and tables as Rich renderables, for the CLI and the app alike.

Each picture is a renderable that lays itself out for the width it is given (numbers in
heatmap cells when they fit, half-block pixels, images wrapped into rows) and never draws
wider than that width; `__rich_measure__` reports the width it really uses, so a test can
tell a picture that fits from one that had to be cut. On a terminal without colour the
pictures fall back to numbers and shade characters. No textual, no torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table as RichTable
from rich.text import Text

from studydl.demos.scales import format_value
from studydl.domain.demos import Boundary, Heatmap, Images, Table

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
SHADES = " ░▒▓█"
CLASS_FILL = "·░▒▓:=+-"
"""Region fill per class on a terminal without colour."""
LOW, MID, HIGH = (33, 102, 172), (52, 52, 60), (178, 24, 43)
"""Diverging blue - grey - red: values of both signs, grey at zero; also two classes."""
SEQUENTIAL = ((28, 30, 60), (33, 120, 140), (240, 220, 90))
"""Dark blue - teal - yellow: values that are all of one sign (probabilities, gates, counts)."""


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _mix(a: RGB, b: RGB, u: float) -> RGB:
    return tuple(round(x + (y - x) * u) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _ramp(stops: Sequence[RGB], t: float) -> RGB:
    t = min(1.0, max(0.0, t))
    at = t * (len(stops) - 1)
    k = min(len(stops) - 2, int(at))
    return _mix(stops[k], stops[k + 1], at - k)


def dim(rgb: RGB, keep: float = 0.55) -> RGB:
    """A darker shade of a colour, for region backgrounds under bright markers."""
    return _mix((18, 18, 24), rgb, keep)


def grey(value: float) -> str:
    """A grey for a pixel value in 0..1 (NaN: black)."""
    level = round(255 * unit(value))
    return f"#{level:02x}{level:02x}{level:02x}"


def unit(value: float) -> float:
    return min(1.0, max(0.0, value)) if math.isfinite(value) else 0.0


def _colour(console: Console) -> bool:
    return console.color_system is not None and not console.no_color


class _Picture:
    """A renderable drawn as lines laid out for the width it gets, each cropped to it (a line
    marked `no_wrap=False`, such as a legend, wraps instead)."""

    def lines(self, width: int, colour: bool = True) -> Iterable[Text]:
        raise NotImplementedError

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width, _colour(console)):
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
        return _ramp((LOW, MID, HIGH), t) if self.diverging else _ramp(SEQUENTIAL, t)

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


# --------------------------------------------------------------------------- heatmaps


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


class HeatmapArt(_Picture):
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
        out.append(self._legend(lay, colour))
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
        lay = self.layout(options.max_width, _colour(console))
        used = lay.width if lay.columns == self.n_cols else lay.label_w + 1 + self.n_cols * lay.cell
        return Measurement(min(used, options.max_width), used)


# --------------------------------------------------------------------------- decision regions


def is_probability_grid(grid: Sequence[Sequence[float]]) -> bool:
    """A grid of P(class 1) rather than of class numbers."""
    flat = [v for row in grid for v in row if math.isfinite(v)]
    return bool(flat) and all(0.0 <= v <= 1.0 for v in flat) and any(v != int(v) for v in flat)


class BoundaryArt(_Picture):
    """Decision regions in half-block pixels (square on a terminal), highest y on top, points over them.

    Two classes and probabilities use blue-grey-red; more classes get one colour each. The
    legend names every class present with its marker.
    """

    def __init__(self, frame: Boundary, max_rows: int = 16) -> None:
        self.frame = frame
        self.max_rows = max_rows
        grid = frame.grid
        self.probability = is_probability_grid(grid)
        values = {int(v) for row in grid for v in row if math.isfinite(v)} if not self.probability else {0, 1}
        self.classes = max([*values, *(p[2] for p in frame.points), 1]) + 1

    def _step(self, width: int) -> int:
        rows, cols = len(self.frame.grid), max((len(r) for r in self.frame.grid), default=0)
        step = 1
        while -(-rows // (2 * step)) > self.max_rows or -(-cols // step) > width:
            step += 1
        return step

    def region_rgb(self, value: float) -> RGB:
        if not math.isfinite(value):
            return (40, 40, 40)
        if self.probability:
            return _ramp((LOW, MID, HIGH), value)
        cls = int(round(value))
        if self.classes <= 2:
            return LOW if cls == 0 else HIGH
        return dim(CLASS_COLOURS[cls % len(CLASS_COLOURS)])

    def marker_style(self, cls: int) -> str:
        rgb = (200, 225, 255) if self.classes <= 2 and cls == 0 else (255, 200, 140) if self.classes <= 2 else CLASS_COLOURS[cls % 8]
        return f"bold {hex_colour(rgb)}"

    def _points(self, step: int, lines: int, columns: int) -> dict[tuple[int, int], int]:
        """(line, column) -> class of the point drawn there (a later point wins a shared cell)."""
        f = self.frame
        placed: dict[tuple[int, int], int] = {}
        n = len(f.grid)
        for x, y, cls in f.points:
            i = min(range(len(f.ys)), key=lambda k: abs(f.ys[k] - y)) if f.ys else 0
            j = min(range(len(f.xs)), key=lambda k: abs(f.xs[k] - x)) if f.xs else 0
            line = min(lines - 1, max(0, (n - 1 - i) // (2 * step)))
            placed[line, min(columns - 1, round(j / step))] = cls
        return placed

    def lines(self, width: int, colour: bool = True) -> list[Text]:
        grid = self.frame.grid
        if not grid:
            return [Text("(empty grid)", style="dim")]
        step = self._step(width)
        cols = list(range(0, len(grid[0]), step))
        tops = list(range(len(grid) - 1, -1, -2 * step))  # grid row drawn in the upper half
        placed = self._points(step, len(tops), len(cols))
        out = []
        for line_no, top in enumerate(tops):
            bottom = top - step
            text = Text()
            for col_no, j in enumerate(cols):
                up = grid[top][j]
                down = grid[bottom][j] if bottom >= 0 else up
                cls = placed.get((line_no, col_no))
                if not colour:
                    text.append(MARKERS[cls % 8] if cls is not None else self._fill(up))
                elif cls is not None:
                    text.append(MARKERS[cls % 8], style=f"{self.marker_style(cls)} on {hex_colour(self.region_rgb(up))}")
                else:
                    text.append("▀", style=f"{hex_colour(self.region_rgb(up))} on {hex_colour(self.region_rgb(down))}")
            out.append(text)
        out.extend(self._legend(colour, width))
        return out

    def _fill(self, value: float) -> str:
        if self.probability:
            return SHADES[min(len(SHADES) - 1, int(unit(value) * len(SHADES)))]
        return CLASS_FILL[int(round(value)) % len(CLASS_FILL)] if math.isfinite(value) else "?"

    def _legend(self, colour: bool, width: int) -> list[Text]:
        f = self.frame
        xs, ys = f.xs or [0.0], f.ys or [0.0]
        axes = Text(f"x {format_value(xs[0])} … {format_value(xs[-1])}, y {format_value(ys[0])} … {format_value(ys[-1])}", style="dim")
        key = Text()
        if self.probability:
            key.append("region: P(class 1) ", style="dim")
            if colour:
                for t in (0.0, 0.25, 0.5, 0.75, 1.0):
                    key.append(" ", style=f"on {hex_colour(self.region_rgb(t))}")
            else:
                key.append(SHADES)
            key.append(" 0 … 1   ", style="dim")
        for cls in range(self.classes):
            if colour and not self.probability:
                key.append("▀", style=f"{hex_colour(self.region_rgb(cls))} on {hex_colour(self.region_rgb(cls))}")
            elif not colour and not self.probability:
                key.append(CLASS_FILL[cls % len(CLASS_FILL)])
            key.append(MARKERS[cls % 8], style=self.marker_style(cls) if colour else "")
            key.append(f" class {cls}  ", style="dim")
        lines = [axes + Text("  ") + key] if axes.cell_len + 2 + key.cell_len <= width else [axes, key]
        for line in lines:
            line.no_wrap = False
        return lines


    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        grid_w = -(-max((len(r) for r in self.frame.grid), default=0) // self._step(options.max_width))
        return Measurement(min(grid_w, options.max_width), grid_w)


# --------------------------------------------------------------------------- images


MAX_PIXELS = 24
"""An image wider or taller than this is shown downsampled to it."""
SMALL = 8
"""A smaller image (a 3x3 kernel, a 6x6 map) is blown up by a whole factor to about this size."""


def _pixels(image: Sequence[Sequence[float]]) -> list[list[float]]:
    h = len(image)
    w = max((len(r) for r in image), default=0)
    if not h or not w:
        return [[0.0]]
    grow = max(1, min(4, SMALL // max(h, w)))
    rows, cols = min(MAX_PIXELS, h * grow), min(MAX_PIXELS, w * grow)
    rs = [int(i * h / rows) for i in range(rows)]
    cs = [int(j * w / cols) for j in range(cols)]
    return [[unit(image[r][c]) if c < len(image[r]) else 0.0 for c in cs] for r in rs]


def image_lines(image: Sequence[Sequence[float]], colour: bool = True) -> list[Text]:
    """One grey-scale image: half blocks (two square pixels per character) in colour, else one
    shade character per pixel and row."""
    pixels = _pixels(image)
    if not colour:
        return [Text("".join(SHADES[min(4, int(v * 5))] for v in row)) for row in pixels]
    lines = []
    for top in range(0, len(pixels), 2):
        lower = pixels[top + 1] if top + 1 < len(pixels) else [0.0] * len(pixels[top])
        line = Text()
        for up, down in zip(pixels[top], lower, strict=True):
            line.append("▀", style=f"{grey(up)} on {grey(down)}")
        lines.append(line)
    return lines


def _wrap_caption(caption: str, width: int, lines: int = 2) -> list[str]:
    """A caption in at most `lines` lines of `width`, broken at spaces, the last cut with …."""
    words, out, current = caption.split(), [], ""
    for word in words:
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1 :])]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in out]


class ImageGrid(_Picture):
    """An Images frame: images side by side in rows that fit the width, each captioned below."""

    GAP = 2

    def __init__(self, frame: Images) -> None:
        self.frame = frame

    def _cells(self, colour: bool) -> list[tuple[list[Text], str]]:
        captions = [*self.frame.captions, *[""] * len(self.frame.images)]
        return [(image_lines(image, colour), captions[n]) for n, image in enumerate(self.frame.images)]

    def per_row(self, width: int, cell_w: int) -> int:
        fit = max(1, (width + self.GAP) // (cell_w + self.GAP))
        return min(fit, self.frame.columns or fit)

    def lines(self, width: int, colour: bool = True) -> Iterator[Text]:
        cells = self._cells(colour)
        if not cells:
            return
        image_w = max(max((t.cell_len for t in lines), default=1) for lines, _ in cells)
        caption_w = max(len(caption) for _, caption in cells)
        cell_w = min(max(8, image_w, min(caption_w, 16)), width)
        per_row = self.per_row(width, cell_w)
        for start in range(0, len(cells), per_row):
            row = cells[start : start + per_row]
            height = max(len(lines) for lines, _ in row)
            for r in range(height):
                line = Text()
                for lines, _ in row:
                    piece = lines[r] if r < len(lines) else Text("")
                    line.append_text(piece)
                    line.append(" " * (cell_w - piece.cell_len + self.GAP))
                line.rstrip()
                yield line
            wrapped = [_wrap_caption(caption, cell_w) for _, caption in row]
            for k in range(max(len(w) for w in wrapped)):
                yield Text(
                    "".join(f"{(w[k] if k < len(w) else ''):<{cell_w + self.GAP}}" for w in wrapped).rstrip(),
                    style="dim",
                )


    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        used = max((line.cell_len for line in self.lines(options.max_width, _colour(console))), default=0)
        return Measurement(min(used, options.max_width), used)


# --------------------------------------------------------------------------- tables


def _is_number(value: object) -> bool:
    """A cell that reads as a number (12, 0.25, 1.2e-03, 99%, 4.0x, —) is right-aligned."""
    if isinstance(value, int | float):
        return True
    text = str(value).strip().rstrip("%x×").replace(",", "").replace("e+", "e")
    try:
        float(text)
    except ValueError:
        return text in {"—", "-", ""}
    return True


def table_art(frame: Table) -> RichTable:
    """Columns of numbers right-aligned, of words left-aligned, two spaces apart, a rule under the head."""
    table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False, padding=(0, 1))
    for n, column in enumerate(frame.columns):
        numeric = all(_is_number(row[n]) for row in frame.rows if n < len(row))
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.rows:
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return table
