"""Settings: desired retention, daily limits, the hour a study day starts, the theme.

The dialog shows the store's settings as the app read them on opening it, and returns
only the fields the learner changed; the app writes those, field by field, so values
changed meanwhile elsewhere (parameters from `studydl optimize`) are never overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from studydl.domain.errors import StudyError

if TYPE_CHECKING:
    from studydl.engine.settings import Settings

FIELDS = (
    ("desired_retention", "Desired retention", "0.70-0.99: the chance of recall when a card comes due", "number"),
    ("new_per_day", "New cards per day", "per deck", "integer"),
    ("reviews_per_day", "Reviews per day", "per deck", "integer"),
    ("day_start_hour", "Day starts at", "local hour, 0-23", "integer"),
)
"""(setting, label, hint, input type) of each text field."""


class SettingsScreen(ModalScreen["dict[str, Any] | None"]):
    """Returns the changed fields on save ({name: value}; the app stores them), None on cancel."""

    CSS_PATH = "../styles/settings.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, settings: Settings, themes: list[str]) -> None:
        super().__init__()
        self.settings = settings
        self.themes = themes

    def compose(self) -> ComposeResult:
        with Vertical(id="settings-dialog"):
            yield Label("Settings", id="settings-title")
            with Grid(id="settings-grid"):
                for name, label, hint, kind in FIELDS:
                    yield Label(label, classes="setting-label")
                    yield Input(str(getattr(self.settings, name)), id=name, type=kind, tooltip=hint, placeholder=hint)
                yield Label("Theme", classes="setting-label")
                yield Select(((t, t) for t in self.themes), value=self.settings.theme, allow_blank=False, id="theme")
            yield Label("", id="settings-error")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def read_form(self) -> dict[str, Any]:
        """The fields changed in the form; raises StudyError naming the first bad field."""
        from studydl.engine.settings import parse_setting

        values: dict[str, Any] = {}
        for name, label, _hint, _kind in FIELDS:
            try:
                values[name] = parse_setting(name, self.query_one(f"#{name}", Input).value)[1]
            except StudyError as exc:
                raise StudyError(f"{label}: {exc}") from exc
        values["theme"] = str(self.query_one("#theme", Select).value)
        return {name: value for name, value in values.items() if getattr(self.settings, name) != value}

    def action_save(self) -> None:
        try:
            settings = self.read_form()
        except StudyError as exc:
            self.query_one("#settings-error", Label).update(str(exc))
            return
        self.dismiss(settings)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
