"""Grey-scale images in rows that fit, half-block pixels or shades."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

from studydl.demos.pictures.palette import (
    SHADES,
    Picture,
    grey,
    unit,
    wants_colour,
)
from studydl.domain.demos import Images

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


class ImageGrid(Picture):
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
        used = max((line.cell_len for line in self.lines(options.max_width, wants_colour(console))), default=0)
        return Measurement(min(used, options.max_width), used)
