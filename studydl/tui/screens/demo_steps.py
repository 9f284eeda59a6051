"""The demo screen's step-through view (`s`): the run's Inspect frame, stepped through in place
of the frame list (studydl.tui.widgets.step_through draws it)."""

from __future__ import annotations

from textual.widget import Widget

from studydl.domain.demos import Inspect
from studydl.tui.widgets.step_through import StepThrough


class StepsView(Widget):
    """Mixed into DemoScreen: opens, updates and closes the `#steps` view beside `#frames`."""

    inspect: Inspect | None = None
    """The run's frame to step through, if its demo yields one (reset by each run)."""

    @property
    def stepping(self) -> bool:
        """The step-through view is open."""
        steps = self.query("#steps")
        return bool(steps) and steps.first().display

    def _show_inspect(self, frame: Inspect) -> None:
        first = self.inspect is None
        self.inspect = frame
        for view in self.query(StepThrough):
            view.show(frame)
        if first:
            self.refresh_bindings()

    def action_step_through(self) -> None:
        """Open (or close) the view that steps through the model's numbers."""
        steps = self.query_one("#steps")
        if steps.display or self.inspect is None:
            self._close_steps()
            return
        steps.remove_children()
        view = StepThrough(self.inspect)
        steps.mount(view)
        steps.display = True
        self.query_one("#frames").display = self.query_one("#compare").display = False
        view.focus()
        self.refresh_bindings()

    def _close_steps(self) -> None:
        steps = self.query_one("#steps")
        if steps.display:
            steps.display = False
            steps.remove_children()
            self.query_one("#frames").display = True
            self.refresh_bindings()
