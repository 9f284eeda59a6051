"""The step-through views as Rich renderables, for the app and `studydl demo inspect` alike.

`step_art(frame, selection)` picks the view for an Inspect frame; each lays its lines out
for the width it gets (blocks side by side when they fit, else one under another).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

from studydl.demos.inspect import Selection
from studydl.demos.pictures.palette import (
    SHADES,
    Picture,
    heat_scale,
    hex_colour,
    mix,
    wants_colour,
)
from studydl.domain.demos import AttentionInspect, ConvInspect, GradSteps, Inspect

MATCH = 1e-5
"""Relative gap under which a recomputed number is the model's (float32 sums differ in the 7th digit)."""


def same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=MATCH, abs_tol=MATCH)


def agreement(ours: float, theirs: float) -> Text:
    """`✓` when the explanation's number is the model's, else `✗ off by …`."""
    return gap_mark(abs(ours - theirs), abs(theirs))


def gap_mark(gap: float, size: float = 1.0) -> Text:
    """`✓` for a gap within rounding of a number of `size`, else `✗ off by …`."""
    if gap <= MATCH * max(1.0, size):
        return Text("✓", style="bold green")
    return Text(f"✗ off by {gap:.2g}", style="bold red")


def num(value: float, signed: bool = False) -> str:
    """Four significant digits, without an exponent for everyday sizes; `-inf` as `masked`."""
    if value == -math.inf:
        return "masked"
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e6:
        text = f"{int(value):+d}" if signed else f"{int(value)}"
    elif 1e-3 <= abs(value) < 1e4:
        digits = max(0, 3 - int(math.floor(math.log10(abs(value)))))
        text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    else:
        text = f"{value:+.3g}" if signed else f"{value:.3g}"
    return text


def side_by_side(blocks: Sequence[list[Text]], width: int, gap: int = 3) -> list[Text]:
    """Blocks of lines next to each other when they fit in `width`, else one under another."""
    widths = [max((line.cell_len for line in block), default=0) for block in blocks]
    if sum(widths) + gap * (len(blocks) - 1) > width:
        out: list[Text] = []
        for i, block in enumerate(blocks):
            out += ([Text()] if i else []) + block
        return out
    rows = max(len(block) for block in blocks)
    out = []
    for r in range(rows):
        line = Text()
        for i, block in enumerate(blocks):
            part = block[r] if r < len(block) else Text()
            line.append_text(part)
            if i < len(blocks) - 1:
                line.append(" " * (widths[i] - part.cell_len + gap))
        out.append(line)
    return out


def fixed(values: Sequence[float], signed: bool = False) -> Callable[[float], str]:
    """One format for a column of numbers, so they line up: whole numbers as they are, else
    three decimals (two from 10, none from 100); `masked` for -inf."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    top = max(finite, default=0.0)
    if all(v == int(v) for v in finite) and top < 1e6:
        digits = 0
    else:
        digits = 3 if top < 10 else 2 if top < 100 else 0
    sign = "+" if signed else ""

    def show(value: float) -> str:
        if value == -math.inf:
            return "masked"
        return f"{value:{sign}.{digits}f}" if math.isfinite(value) else str(value)

    return show


def matrix(title: str, rows: Sequence[Sequence[float]], signed: bool = False) -> list[Text]:
    """A small matrix of numbers under a title, columns right-aligned, one format for all."""
    show = fixed([v for row in rows for v in row], signed)
    cells = [[show(v) for v in row] for row in rows]
    w = max((len(c) for row in cells for c in row), default=1)
    lines = [Text(title, style="bold")]
    lines += [Text(" ".join(f"{c:>{w}}" for c in row)) for row in cells]
    return lines


FADE = 0.4
"""How far the cells outside the selection are darkened in colour (a spotlight on the rest)."""
LIGHT = 0.3
"""How far the selected cells are lightened, so a dark (near zero) cell still stands out."""


def grid(
    values: Sequence[Sequence[float]],
    lit: set[tuple[int, int]],
    colour: bool,
    dim: set[tuple[int, int]] = frozenset(),
    grow: int = 1,
) -> list[Text]:
    """A map small enough to read at 80x24: in colour, half-block pixels (two rows of values
    per line, each value a square of `grow` by `grow` pixels) with the `lit` cells in full
    colour and the rest darkened; without colour, two shade characters per value, `[]` on
    the lit cells and `··` on the `dim` ones (the zero padding)."""
    scale = heat_scale(values)
    if not colour:
        lines = []
        for i, row in enumerate(values):
            line = Text()
            for j, value in enumerate(row):
                mark = "[]" if (i, j) in lit else "··" if (i, j) in dim else None
                line.append(mark or SHADES[min(len(SHADES) - 1, int(scale.fraction(value) * len(SHADES)))] * 2)
            lines.append(line)
        return lines
    pixels = [[(i, j) for j in range(len(row)) for _ in range(grow)] for i, row in enumerate(values) for _ in range(grow)]

    def ink(cell: tuple[int, int]) -> str:
        rgb = scale.rgb(values[cell[0]][cell[1]])
        return hex_colour(mix(rgb, (255, 255, 255), LIGHT) if cell in lit else mix(rgb, (0, 0, 0), FADE))

    lines = []
    for top in range(0, len(pixels), 2):
        line = Text()
        lower = pixels[top + 1] if top + 1 < len(pixels) else None
        for k, cell in enumerate(pixels[top]):
            line.append("▀", style=f"{ink(cell)} on {ink(lower[k])}" if lower else ink(cell))
        lines.append(line)
    return lines


class StepPicture(Picture):
    """A step-through view: as wide as its widest line at the width it is given."""

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((line.cell_len for line in self.lines(options.max_width, wants_colour(console))), default=0)
        return Measurement(min(widest, options.max_width), min(widest, options.max_width))


def step_art(frame: Inspect, selection: Selection, room: int | None = None) -> StepPicture:
    """The view that explains `selection` of `frame`, in at most `room` lines where it can choose."""
    from studydl.demos.pictures.step_attention import AttentionStepArt
    from studydl.demos.pictures.step_chain import ChainStepArt
    from studydl.demos.pictures.step_conv import ConvStepArt

    if isinstance(frame, ConvInspect):
        return ConvStepArt(frame, selection, room)
    if isinstance(frame, GradSteps):
        return ChainStepArt(frame, selection)
    if isinstance(frame, AttentionInspect):
        return AttentionStepArt(frame, selection)
    raise TypeError(f"no step-through view for {type(frame).__name__}")


def first_step(frame: Inspect) -> StepPicture:
    """The view at the demo's own selection (`demo run` prints it)."""
    from studydl.demos.inspect import first_selection

    return step_art(frame, first_selection(frame))


def invitation(frame: Inspect) -> Text:
    """What the step-through view of `frame` shows, for a panel that opens it with `s`."""
    text = Text("s", style="bold reverse")
    if isinstance(frame, ConvInspect):
        maps = len(frame.outputs)
        rows = len(frame.outputs[0]) if maps else 0
        cols = len(frame.outputs[0][0]) if rows else 0
        what = (
            f" pick any cell of the {rows}×{cols} output{f' of {maps} maps' if maps > 1 else ''} and see its input window, "
            "the kernel and the products that sum to it"
        )
    elif isinstance(frame, GradSteps):
        what = f" step backprop through its {len(frame.nodes)} nodes, each gradient the product of its chain-rule factors"
    elif isinstance(frame, AttentionInspect):
        what = f" pick one of the {len(frame.queries)} queries and see its scores over the keys, their softmax and the mix of values"
    else:
        what = " step through it"
    return text.append(what + ": the model's own numbers, checked against what it computed.")
