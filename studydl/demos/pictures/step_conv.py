"""A convolution output cell taken apart: window × kernel = products, their sum, and where it sits."""

from __future__ import annotations

from rich.text import Text

from studydl.demos.inspect import Selection, conv_cell, conv_shape, padded
from studydl.demos.pictures.steps import StepPicture, agreement, grid, matrix, num, side_by_side
from studydl.domain.demos import ConvInspect

BIG_MAP = 24
"""An input (with its padding) at most this many values across may be drawn at twice the size."""
NUMBER_LINES = 12
"""Lines above the maps: the heading, window × kernel = products, the sum and the output."""


class ConvStepArt(StepPicture):
    """The selected output cell: its window of the input, the kernel, the products, the sum."""

    def __init__(self, frame: ConvInspect, selection: Selection, room: int | None = None) -> None:
        self.frame = frame
        self.cell = conv_cell(frame, selection)
        self.room = room
        """Lines the view may take (a screen's height); None: as many as it likes."""

    @property
    def _name(self) -> str:
        names, index = self.frame.names, self.cell.map
        return names[index] if index < len(names) else f"{index + 1}"

    def lines(self, width: int, colour: bool = True) -> list[Text]:
        frame, cell = self.frame, self.cell
        maps, rows, cols = conv_shape(frame)
        k, p = cell.size, frame.padding
        name = self._name
        head = Text(f"Output ({cell.row}, {cell.col})", style="bold")
        head.append(f" of {rows}×{cols} map {name}" + (f" ({cell.map + 1} of {maps})" if maps > 1 else ""))
        head.append(f": input rows {cell.top - p}–{cell.top - p + k - 1}, columns {cell.left - p}–{cell.left - p + k - 1}")
        out = [head]
        rows_in, cols_in = len(frame.image), len(frame.image[0]) if frame.image else 0
        if cell.top < p or cell.left < p or cell.top - p + k > rows_in or cell.left - p + k > cols_in:
            out.append(Text("(the window reaches past the image's edge: the zero padding)", style="dim"))
        out.append(Text())
        out += side_by_side(
            [matrix("window", cell.window), matrix(f"× kernel {name}", cell.kernel, signed=True), matrix("= products", cell.products, signed=True)],
            width,
        )
        total = Text(f"sum of the {k * k} products", style="bold")
        total.append(f" {num(cell.total - cell.bias)}")
        if frame.bias:
            total.append(f" + bias {num(cell.bias)} = {num(cell.total)}")
        line = Text(f"the layer's own output at ({cell.row}, {cell.col}): {num(cell.output)} ")
        line.append_text(agreement(cell.total, cell.output))
        out += [Text(), total, line, Text()]
        out += self._maps(width, colour)
        return out

    def _grow(self, image: list[list[float]], output: list[list[float]], width: int) -> int:
        """2: each value drawn as 2x2 pixels, when both maps fit so, side by side and in the room left."""
        wide = 2 * (len(image[0]) + len(output[0])) + 3 if image and output and output[0] else width + 1
        tall = NUMBER_LINES + 1 + len(image)
        fits = wide <= width and (self.room is None or tall <= self.room)
        return 2 if fits and max(len(image), len(image[0])) <= BIG_MAP else 1

    def _maps(self, width: int, colour: bool) -> list[Text]:
        frame, cell = self.frame, self.cell
        p, k = frame.padding, cell.size
        image = padded(frame)
        window = {(cell.top + a, cell.left + b) for a in range(k) for b in range(k)}
        border = {(i, j) for i in range(len(image)) for j in range(len(image[0]) if image else 0)
                  if i < p or j < p or i >= len(image) - p or j >= len(image[0]) - p}
        mark = "lit" if colour else "[]"
        where = f"input{', zero-padded by ' + str(p) if p else ''}: the window {mark}"
        output = frame.outputs[cell.map]
        grow = self._grow(image, output, width)
        return side_by_side(
            [
                [Text(where, style="dim"), *grid(image, window, colour, border, grow)],
                [Text(f"output map {self._name}: the cell {mark}", style="dim"), *grid(output, {(cell.row, cell.col)}, colour, grow=grow)],
            ],
            width,
        )
