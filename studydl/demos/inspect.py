"""Step through a model: the explanation of one selected cell, node or token of an Inspect frame.

Headless and torch-free: the app's step-through view and `studydl demo inspect` both ask
these functions, so they show the same numbers, and those numbers are the model's own
(the frame carries them; tests check that the products sum to the layer's output, the
chain-rule factors multiply to autograd's gradient and the value mix is the head's output).

- A convolution cell: the input window under the kernel, the kernel, their products, and
  the sum (plus the bias) beside the output the layer computed.
- A backward-pass node: the chain of local derivatives from the loss down to it, their
  product beside autograd's gradient.
- A query token: its scores over the keys, their softmax, and the weights times the values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from studydl.domain.demos import AttentionInspect, ConvInspect, GradNode, GradSteps, Inspect


class SelectionError(ValueError):
    """A selection the frame does not have (`--at 40,2` on a 6x6 map); the message says what it has."""


@dataclass(frozen=True)
class Selection:
    """What is selected: a conv cell (map, row, col), a node (row), or a query (row) and a key (col)."""

    map: int = 0
    row: int = 0
    col: int = 0


# ------------------------------------------------------------------ convolution


@dataclass(frozen=True)
class ConvCell:
    """One output cell of a convolution, taken apart."""

    map: int
    row: int
    col: int
    top: int
    left: int
    """The window's top-left corner in the zero-padded input."""
    window: list[list[float]]
    kernel: list[list[float]]
    products: list[list[float]]
    bias: float
    total: float
    """Sum of the products plus the bias."""
    output: float
    """What the layer itself computed for this cell."""

    @property
    def size(self) -> int:
        return len(self.kernel)


def padded(frame: ConvInspect) -> list[list[float]]:
    """The input with its zero border, as the kernel sees it."""
    p = frame.padding
    width = (len(frame.image[0]) if frame.image else 0) + 2 * p
    blank = [0.0] * width
    return [blank[:] for _ in range(p)] + [[0.0] * p + list(row) + [0.0] * p for row in frame.image] + [blank[:] for _ in range(p)]


def conv_cell(frame: ConvInspect, sel: Selection) -> ConvCell:
    """The window, kernel, products and sum behind output cell `sel` of map `sel.map`."""
    _check_conv(frame, sel)
    kernel = frame.kernels[sel.map]
    k = len(kernel)
    top, left = sel.row * frame.stride, sel.col * frame.stride
    grid = padded(frame)
    window = [grid[top + a][left : left + k] for a in range(k)]
    products = [[kernel[a][b] * window[a][b] for b in range(k)] for a in range(k)]
    bias = frame.bias[sel.map] if frame.bias else 0.0
    total = math.fsum(v for row in products for v in row) + bias
    output = frame.outputs[sel.map][sel.row][sel.col]
    return ConvCell(sel.map, sel.row, sel.col, top, left, window, kernel, products, bias, total, output)


def conv_shape(frame: ConvInspect) -> tuple[int, int, int]:
    """(maps, rows, columns) of the layer's output."""
    first = frame.outputs[0] if frame.outputs else []
    return len(frame.outputs), len(first), len(first[0]) if first else 0


def _check_conv(frame: ConvInspect, sel: Selection) -> None:
    maps, rows, cols = conv_shape(frame)
    if not (0 <= sel.map < maps):
        raise SelectionError(f"map {sel.map + 1}: the layer has maps 1..{maps}")
    if not (0 <= sel.row < rows and 0 <= sel.col < cols):
        raise SelectionError(f"cell ({sel.row}, {sel.col}): the output is {rows}x{cols}, rows 0..{rows - 1}, columns 0..{cols - 1}")


# ------------------------------------------------------------------ backward pass


@dataclass(frozen=True)
class Factor:
    """One local derivative on the way from the loss to a node."""

    of: str
    """The node differentiated (the one nearer the loss)."""
    by: str
    """The node it is differentiated by."""
    formula: str
    value: float


@dataclass(frozen=True)
class Chain:
    """A node's gradient as the chain rule writes it: the product of the local derivatives
    on its path from the loss."""

    node: GradNode
    index: int
    factors: list[Factor]
    product: float
    autograd: float
    parent: GradNode | None
    """The node it feeds: backprop gets this node's gradient as the parent's times one factor."""

    @property
    def path(self) -> list[str]:
        """Node names from the loss down to this node."""
        return [f.of for f in self.factors] + [self.node.name]


def chain(frame: GradSteps, sel: Selection) -> Chain:
    """The chain-rule factors from the loss to node `sel.row` (in backprop order), and their product."""
    nodes = frame.nodes
    if not (0 <= sel.row < len(nodes)):
        raise SelectionError(f"step {sel.row + 1}: the backward pass has steps 1..{len(nodes)}")
    by_name = {n.name: n for n in nodes}
    node = nodes[sel.row]
    factors: list[Factor] = []
    current = node
    seen = {current.name}
    while current.parent is not None:
        parent = by_name.get(current.parent)
        if parent is None or parent.name in seen:
            raise SelectionError(f"node {current.name!r} feeds {current.parent!r}, which is not on a path to the loss")
        factors.append(Factor(parent.name, current.name, current.local_formula, current.local))
        seen.add(parent.name)
        current = parent
    factors.reverse()
    product = math.prod(f.value for f in factors) * current.grad  # the loss's own gradient: 1
    return Chain(node, sel.row, factors, product, node.grad, by_name.get(node.parent) if node.parent else None)


# ------------------------------------------------------------------ attention


@dataclass(frozen=True)
class Attend:
    """One query of an attention head: scores, their softmax, and the mix of values."""

    query: int
    label: str
    scores: list[float]
    softmax: list[float]
    """Recomputed here from the scores (masked keys: 0)."""
    weights: list[float]
    """The model's own weights for this query."""
    mix: list[float]
    """The softmax times the values, summed key by key."""
    output: list[float]
    """The model's own output for this query."""
    values: list[list[float]]

    def contributions(self) -> list[tuple[int, float]]:
        """(key, weight) for the keys that count, heaviest first."""
        return sorted(((k, w) for k, w in enumerate(self.softmax) if w > 0), key=lambda kw: -kw[1])


def softmax(scores: list[float]) -> list[float]:
    """exp(s - max) / sum; a score of -inf (a masked key) gets weight 0."""
    finite = [s for s in scores if math.isfinite(s)]
    if not finite:
        return [0.0] * len(scores)
    top = max(finite)
    exps = [math.exp(s - top) if math.isfinite(s) else 0.0 for s in scores]
    total = math.fsum(exps)
    return [e / total for e in exps]


def attend(frame: AttentionInspect, sel: Selection) -> Attend:
    """Query `sel.row`'s scores over the keys, their softmax and the weighted sum of the values."""
    if not (0 <= sel.row < len(frame.queries)):
        raise SelectionError(f"query {sel.row}: the sequence has queries 0..{len(frame.queries) - 1}")
    scores = list(frame.scores[sel.row])
    weights = softmax(scores)
    dims = len(frame.values[0]) if frame.values else 0
    mix = [math.fsum(w * frame.values[k][d] for k, w in enumerate(weights)) for d in range(dims)]
    return Attend(
        sel.row, frame.queries[sel.row], scores, weights, list(frame.weights[sel.row]), mix, list(frame.outputs[sel.row]), frame.values
    )


# ------------------------------------------------------------------ moving the selection


def first_selection(frame: Inspect) -> Selection:
    """Where a view opens: the cell, node or query the demo chose."""
    if isinstance(frame, ConvInspect):
        return Selection(0, *frame.at)
    if isinstance(frame, GradSteps | AttentionInspect):
        return Selection(row=frame.at, col=_heaviest(frame, frame.at) if isinstance(frame, AttentionInspect) else 0)
    return Selection()


def _heaviest(frame: AttentionInspect, query: int) -> int:
    row = frame.weights[query] if 0 <= query < len(frame.weights) else []
    return max(range(len(row)), key=lambda k: row[k]) if row else 0


def _bounds(frame: Inspect) -> tuple[int, int, int]:
    """(maps, rows, columns) a selection moves within."""
    if isinstance(frame, ConvInspect):
        return conv_shape(frame)
    if isinstance(frame, GradSteps):
        return 1, len(frame.nodes), 1
    if isinstance(frame, AttentionInspect):
        return 1, len(frame.queries), len(frame.keys)
    return 1, 1, 1


def move(frame: Inspect, sel: Selection, rows: int = 0, cols: int = 0) -> Selection:
    """Up/down and left/right, stopping at the edges."""
    _, n_rows, n_cols = _bounds(frame)
    row = min(max(sel.row + rows, 0), max(n_rows - 1, 0))
    col = min(max(sel.col + cols, 0), max(n_cols - 1, 0))
    if isinstance(frame, AttentionInspect) and row != sel.row:
        col = _heaviest(frame, row)  # a new query: show where it looks most
    return replace(sel, row=row, col=col)


def step(frame: Inspect, sel: Selection, by: int) -> Selection:
    """The next (by=1) or previous (-1) step: the kernel's next position, the next node backprop
    visits, the next query; stopping at the first and the last."""
    if isinstance(frame, ConvInspect):
        _, rows, cols = conv_shape(frame)
        at = min(max(sel.row * cols + sel.col + by, 0), rows * cols - 1)
        return replace(sel, row=at // cols, col=at % cols)
    return move(frame, sel, rows=by)


def switch(frame: Inspect, sel: Selection, by: int) -> Selection:
    """Another output map (a convolution's other kernels); the same cell."""
    maps, _, _ = _bounds(frame)
    return replace(sel, map=min(max(sel.map + by, 0), maps - 1))


# ------------------------------------------------------------------ a selection as text


_CELL = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*$")


def parse_at(frame: Inspect, text: str | None, map_number: int | None = None) -> Selection:
    """`--at` as the view reads it: `ROW,COL` of a conv output, a node's name or step number
    (1 = the loss), a query's position; None: the demo's own choice. `map_number` from 1."""
    sel = first_selection(frame)
    if map_number is not None:
        if not isinstance(frame, ConvInspect):
            raise SelectionError("--map picks a convolution's output map; this view has none")
        sel = replace(sel, map=map_number - 1)
    if text is not None:
        sel = _parse(frame, sel, text.strip())
    _check(frame, sel)
    return sel


def _parse(frame: Inspect, sel: Selection, text: str) -> Selection:
    if isinstance(frame, ConvInspect):
        match = _CELL.match(text)
        if not match:
            raise SelectionError(f"--at {text!r}: give an output cell as ROW,COL (from 0), e.g. 2,3")
        return replace(sel, row=int(match.group(1)), col=int(match.group(2)))
    if isinstance(frame, GradSteps):
        names = [n.name for n in frame.nodes]
        if text in names:
            return replace(sel, row=names.index(text))
        if text.isdigit():
            return replace(sel, row=int(text) - 1)
        raise SelectionError(f"--at {text!r}: give a step number (1..{len(names)}) or a node: {', '.join(names)}")
    if isinstance(frame, AttentionInspect):
        if not text.isdigit():
            raise SelectionError(f"--at {text!r}: give a query position, 0..{len(frame.queries) - 1}")
        row = int(text)
        return Selection(row=row, col=_heaviest(frame, row))
    return sel


def _check(frame: Inspect, sel: Selection) -> None:
    if isinstance(frame, ConvInspect):
        _check_conv(frame, sel)
    elif isinstance(frame, GradSteps):
        chain(frame, sel)
    elif isinstance(frame, AttentionInspect):
        attend(frame, sel)
