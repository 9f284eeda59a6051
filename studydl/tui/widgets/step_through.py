"""The step-through view: one Inspect frame, a selection the keys move, its explanation drawn.

The numbers and the drawing come from studydl.demos.inspect and studydl.demos.pictures.steps
(the same as `studydl demo inspect`); this widget only holds the selection and redraws.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from studydl.demos import inspect
from studydl.demos.pictures.steps import step_art
from studydl.domain.demos import AttentionInspect, ConvInspect, GradSteps, Inspect

MOVE = Binding.Group("Move", compact=True)
STEP = Binding.Group("Step", compact=True)
MAP = Binding.Group("Map", compact=True)


class StepThrough(VerticalScroll, can_focus=True):
    """Arrows / hjkl move the selection, n/p step (the kernel's next position, backprop's next
    node, the next query), [ and ] switch a convolution's output map."""

    BINDINGS = [
        Binding("up,k", "move(-1, 0)", "Up", key_display="↑k", group=MOVE),
        Binding("down,j", "move(1, 0)", "Down", key_display="↓j", group=MOVE),
        Binding("left,h", "move(0, -1)", "Left", key_display="←h", group=MOVE),
        Binding("right,l", "move(0, 1)", "Right", key_display="→l", group=MOVE),
        Binding("n", "step(1)", "Next", group=STEP),
        Binding("p", "step(-1)", "Previous", group=STEP),
        Binding("left_square_bracket", "switch(-1)", "Previous map", key_display="[", group=MAP),
        Binding("right_square_bracket", "switch(1)", "Next map", key_display="]", group=MAP),
        Binding("s", "screen.step_through", "Frames"),
    ]

    def __init__(self, frame: Inspect, **kwargs: object) -> None:
        super().__init__(classes="step-through", **kwargs)  # type: ignore[arg-type]
        self.frame = frame
        self.selection = inspect.first_selection(frame)

    def compose(self) -> ComposeResult:
        yield Static(classes="step-title")
        yield Static(classes="step-view")

    def on_mount(self) -> None:
        self.show(self.frame)

    def show(self, frame: Inspect) -> None:
        """Draw `frame` (a new run's: the selection stays where it still fits)."""
        if frame is not self.frame:
            self.frame = frame
            self.selection = self._fit(self.selection)
        self.query_one(".step-title", Static).update(self.frame.title)
        view = self.query_one(".step-view", Static)
        try:
            view.update(step_art(self.frame, self.selection, room=max(0, self.size.height - 1) or None))
        except inspect.SelectionError as exc:  # a frame without the numbers its view needs
            view.update(f"Nothing to step through: {exc}")

    def on_resize(self) -> None:
        self.show(self.frame)

    def _fit(self, sel: inspect.Selection) -> inspect.Selection:
        return inspect.switch(self.frame, inspect.move(self.frame, sel), 0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        frame = self.frame
        if action == "move" and parameters and parameters[0] == 0:  # left / right
            return isinstance(frame, ConvInspect | AttentionInspect)
        if action == "switch":
            return isinstance(frame, ConvInspect) and len(frame.kernels) > 1
        return isinstance(frame, ConvInspect | GradSteps | AttentionInspect)

    def _select(self, selection: inspect.Selection) -> None:
        if selection != self.selection:
            self.selection = selection
            self.show(self.frame)

    def action_move(self, rows: int, cols: int) -> None:
        self._select(inspect.move(self.frame, self.selection, rows, cols))

    def action_step(self, by: int) -> None:
        self._select(inspect.step(self.frame, self.selection, by))

    def action_switch(self, by: int) -> None:
        self._select(inspect.switch(self.frame, self.selection, by))
