"""The contract between a demo module and any front end that shows it.

A demo module (under `demos/`) defines a module-level `SPEC: DemoSpec` and a
generator `run(ctx: DemoContext) -> Iterator[Event]`. It imports torch inside
`run`, never at module level, so listing the catalogue stays light. It yields:

- `Progress` often (step, metrics) so a front end can show life within 1 s;
- frames (`Curves`, `Heatmap`, `Boundary`, `Scatter`, `Paths`, `Images`, `Table`, `Text`)
  whenever its picture changes; a frame with the same `key` replaces the older one;
- optionally an `Inspect` frame (`ConvInspect`, `GradSteps`, `AttentionInspect`) with the
  model's own numbers, for a view that steps through it (studydl.demos.inspect);
- exactly one `Result` at the end, with the final metrics and whether the
  teaching point was reached.

It polls `ctx.should_stop()` inside its loops and returns early when it is true
(cancelled or out of time). It never prints and never knows which front end runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ParamValue = int | float | str | bool


@dataclass(frozen=True)
class Param:
    """One tunable parameter of a demo; its type is the type of `default`."""

    name: str
    default: ParamValue
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def kind(self) -> type:
        return type(self.default)

    def describe(self) -> str:
        """`name=default (int, 1..100): help` for error messages and listings."""
        if self.choices:
            rng = "|".join(self.choices)
        elif self.min is not None or self.max is not None:
            rng = f"{self.min if self.min is not None else ''}..{self.max if self.max is not None else ''}"
        else:
            rng = ""
        kind = self.kind.__name__
        return f"{self.name}={self.default} ({kind}{', ' + rng if rng else ''}): {self.help}"


@dataclass(frozen=True)
class Metric:
    """One number a demo's Result reports, declared so a deck can name it without running the demo."""

    name: str
    meaning: str
    unit: str = ""
    """Its unit or range, as a reader needs it: `0..1`, `≥ 0`, `steps`, `ratio`, `0 or 1`."""

    def describe(self) -> str:
        return f"{self.name} ({self.unit}): {self.meaning}" if self.unit else f"{self.name}: {self.meaning}"


@dataclass(frozen=True)
class DemoSpec:
    """What a demo is, readable without importing torch."""

    id: str
    title: str
    teaches: str
    """One sentence: the point the learner should see."""
    concepts: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    budget_s: float = 20.0
    """Hard cap on wall time; the runner stops the demo at it."""
    metrics: tuple[Metric, ...] = ()
    """Every metric its Result reports (a test runs each demo and compares). A demo module may
    write each as a `(name, meaning, unit)` tuple: it becomes a Metric."""

    def __post_init__(self) -> None:
        declared = tuple(m if isinstance(m, Metric) else Metric(*m) for m in self.metrics)
        object.__setattr__(self, "metrics", declared)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def metric(self, name: str) -> Metric | None:
        return next((m for m in self.metrics if m.name == name), None)

    def defaults(self) -> dict[str, ParamValue]:
        return {p.name: p.default for p in self.params}


@dataclass
class DemoContext:
    """What a running demo receives from the runner."""

    params: dict[str, ParamValue]
    seed: int
    should_stop: Callable[[], bool]
    time_left: Callable[[], float]
    threads: int = 1


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Progress:
    """A training step happened."""

    step: int
    total: int | None
    metrics: dict[str, float] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Frame:
    """Base of everything a demo draws; a newer frame with the same key replaces an older one."""

    key: str
    title: str


@dataclass(frozen=True)
class RefLine:
    """A labelled reference line across a plot: a limit, a cap, a baseline (not data)."""

    at: float
    label: str
    axis: str = "y"
    """"y": a horizontal line at y = at (a clip cap, a chance level); "x": a vertical line
    at x = at (the 2/k learning-rate limit)."""


@dataclass(frozen=True)
class Curves(Frame):
    """Line plots: series name -> (xs, ys).

    A point whose x or y is not a finite number (or not positive on a log axis) cannot be
    drawn: front ends leave it out and say how many they left out.
    """

    series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    x_label: str = "step"
    y_label: str = ""
    log_y: bool = False
    y_min: float | None = None
    """Fixed bottom of the y axis (e.g. 0 for an accuracy); None: from the data, and 0 when
    every value is >= 0 (see studydl.demos.scales)."""
    y_max: float | None = None
    """Fixed top of the y axis (e.g. 1 for an accuracy); None: from the data."""
    log_x: bool = False
    """x on a log scale (a learning-rate sweep): x values must be positive; the ticks are
    labelled with the values themselves."""
    refs: tuple[RefLine, ...] = ()
    """Reference lines drawn across the plot and named in its legend."""


@dataclass(frozen=True)
class Heatmap(Frame):
    """A matrix of values, rows by columns.

    Colours run over [v_min, v_max]: give both to share one scale between frames (gates
    before and after training, probabilities on 0..1); None takes that end from the data.
    Values of both signs are coloured on a scale centred at zero.
    """

    values: list[list[float]] = field(default_factory=list)
    row_labels: list[str] = field(default_factory=list)
    col_labels: list[str] = field(default_factory=list)
    v_min: float | None = None
    v_max: float | None = None


@dataclass(frozen=True)
class Boundary(Frame):
    """A classifier's decision regions on a 2-D grid plus the labelled points."""

    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    grid: list[list[float]] = field(default_factory=list)
    """grid[i][j] is the predicted class/probability at (xs[j], ys[i])."""
    points: list[tuple[float, float, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Scatter(Frame):
    """Point clouds: series name -> (xs, ys)."""

    series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Paths(Frame):
    """Routes through the plane (x and y in the same units): optimizer trajectories, fitted curves.

    Each path is drawn joined in order, with its own marker on its points when `markers`;
    `points` are drawn as markers only (a start, a minimum, training data) and `contours`
    as faint dots under everything (level sets of the function being minimized).
    """

    paths: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    points: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    contours: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    markers: bool = True
    x_label: str = "x"
    y_label: str = "y"


@dataclass(frozen=True)
class Images(Frame):
    """Small grey-scale images (values 0..1), each a list of rows, with captions."""

    images: list[list[list[float]]] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    columns: int | None = None
    """Images per row, so rows line up (originals over their reconstructions); None: as many
    as fit. A front end too narrow for `columns` wraps anyway."""


@dataclass(frozen=True)
class Table(Frame):
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Text(Frame):
    body: str = ""


@dataclass(frozen=True)
class Inspect(Frame):
    """Base of the frames a learner steps through (studydl.demos.inspect explains a selection).

    They carry the model's own numbers, small: a front end draws the explanation of the
    selected cell, node or token, not the frame itself.
    """


@dataclass(frozen=True)
class ConvInspect(Inspect):
    """One convolution layer on one single-channel input: every output cell is a window of
    `image` (zero-padded by `padding`) times a kernel, summed, plus the kernel's bias."""

    image: list[list[float]] = field(default_factory=list)
    kernels: list[list[list[float]]] = field(default_factory=list)
    """One square kernel per output map."""
    outputs: list[list[list[float]]] = field(default_factory=list)
    """The layer's own output maps (before any activation), one per kernel."""
    bias: list[float] = field(default_factory=list)
    """One per kernel; empty: no bias."""
    names: list[str] = field(default_factory=list)
    """The kernels' names, as the demo's other frames call them."""
    stride: int = 1
    padding: int = 0
    at: tuple[int, int] = (0, 0)
    """The output cell (row, column) shown first."""


@dataclass(frozen=True)
class GradNode:
    """One node of a backward pass: its forward value, autograd's gradient of the loss with
    respect to it, and the local derivative that links it to the node it feeds."""

    name: str
    value: float
    grad: float
    """d loss / d node as autograd computed it."""
    parent: str | None = None
    """The node this one feeds (None for the loss)."""
    local: float = 1.0
    """d parent / d node, from the forward values."""
    local_formula: str = ""
    """The local derivative in symbols: `out(1 − out)`, `h1`, `w2[0]`."""


@dataclass(frozen=True)
class GradSteps(Inspect):
    """A backward pass node by node, in the order backpropagation visits them (the loss
    first); each node feeds exactly one other, so its gradient is a product of factors."""

    nodes: list[GradNode] = field(default_factory=list)
    forward: str = ""
    """The forward pass in symbols, one line, so the node names read."""
    at: int = 0


@dataclass(frozen=True)
class AttentionInspect(Inspect):
    """One attention head on one sequence: the query rows' scores over the keys, the
    softmax the model took of them, the value vectors and the model's own mix of them."""

    queries: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    scores: list[list[float]] = field(default_factory=list)
    """q·k / √d per query and key; -inf where a mask forbids the key."""
    weights: list[list[float]] = field(default_factory=list)
    """The model's attention weights (the softmax of each row of scores)."""
    values: list[list[float]] = field(default_factory=list)
    """One value vector per key."""
    outputs: list[list[float]] = field(default_factory=list)
    """The model's output per query: its weights times the values, summed."""
    scale: float = 1.0
    """√d, the scores' divisor."""
    at: int = 0


@dataclass(frozen=True)
class Result:
    """The last event of a run."""

    metrics: dict[str, float]
    reached: bool | None
    """Whether the teaching point was shown (e.g. XOR learned to 100%); None when the run
    stopped early (the runner sets it): the point was not measured, so there is no verdict."""
    summary: str = ""
    stopped: str | None = None
    """Why the run ended early: 'cancelled' or 'budget', else None (set by the runner)."""


Event = Progress | Frame | Result
