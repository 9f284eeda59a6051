"""The demo's catalogue parameters as a small form: one line per parameter, then Run."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from studydl.domain.demos import DemoSpec, Param, ParamValue


def _shown(value: ParamValue) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class ParamForm(VerticalScroll):
    """Edits a demo's parameters; enter in a field or the Run button asks for a re-run."""

    class RunRequested(Message):
        """The learner asked to run again with the form's values."""

    def __init__(self, spec: DemoSpec, values: dict[str, ParamValue], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.spec = spec
        self.initial = dict(values)

    def compose(self) -> ComposeResult:
        yield Static("Parameters", classes="form-title")
        for param in self.spec.params:
            with Horizontal(classes="param-row"):
                yield Label(param.name, classes="param-name")
                yield self._field(param, self.initial.get(param.name, param.default))
        yield Static(classes="param-error")
        yield Button("Run again (ctrl+r)", id="rerun", compact=True, variant="primary")

    @staticmethod
    def _field(param: Param, value: ParamValue) -> Input | Checkbox | Select[str]:
        field_id = f"param-{param.name}"
        if param.kind is bool:
            field: Input | Checkbox | Select[str] = Checkbox(value=bool(value), compact=True, id=field_id)
        elif param.choices:
            field = Select([(c, c) for c in param.choices], value=str(value), compact=True, allow_blank=False, id=field_id)
        else:
            field = Input(_shown(value), compact=True, id=field_id, classes="param-value")
        field.tooltip = param.describe()
        return field

    def values(self) -> dict[str, ParamValue]:
        """The form's values as overrides (text fields as typed; the runner checks them)."""
        out: dict[str, ParamValue] = {}
        for param in self.spec.params:
            field = self.query_one(f"#param-{param.name}")
            if isinstance(field, Checkbox):
                out[param.name] = field.value
            elif isinstance(field, Select):
                out[param.name] = str(field.value)
            elif isinstance(field, Input):
                out[param.name] = field.value.strip()
        return out

    def set_error(self, message: str) -> None:
        """Show why the values cannot run (empty: clear it)."""
        for error in self.query(".param-error").results(Static):
            error.update(message)
            error.display = bool(message)

    def on_mount(self) -> None:
        self.set_error("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.RunRequested())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "rerun":
            event.stop()
            self.post_message(self.RunRequested())
