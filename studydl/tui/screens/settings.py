"""Settings: every review setting in one scrolling form, with save and cancel always in view.

The dialog shows the store's settings as the app read them on opening it, and returns
only the fields the learner changed; the app writes those, field by field, so values
changed meanwhile elsewhere (parameters from `studydl optimize`) are never overwritten.
Typed values are checked by engine/setting_values.py: every bad field is named at
once, under the field and in a line beside the buttons (the field may be scrolled away).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from studydl.domain.words import noun, plural
from studydl.tui.widgets.footer import StudyFooter

if TYPE_CHECKING:
    from studydl.engine.setting_values import Settings

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Daily limits", ("new_per_day", "reviews_per_day")),
    ("Scheduling", ("desired_retention", "learning_steps_min", "relearning_steps_min", "maximum_interval", "fuzz")),
    ("Siblings and leeches", ("bury_siblings", "leech_threshold", "leech_suspend")),
    ("Study days", ("day_start_hour", "timezone")),
    ("Look", ("theme",)),
)
"""The form's sections and their fields, in order; the FSRS parameters and per-deck limits end it."""
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "fuzz": (("on", "on"), ("off", "off")),
    "bury_siblings": (("on", "on"), ("off", "off")),
    "leech_suspend": (("suspend it", "suspend"), ("only tag it", "tag")),
}
"""Fields chosen from a list: (shown, value as text for the checks)."""


class SettingsScreen(ModalScreen["dict[str, Any] | None"]):
    """Returns the changed fields on save ({name: value}; the app stores them), None on cancel."""

    CSS_PATH = "../styles/settings.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, settings: Settings, themes: list[str], decks: list[str] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.themes = themes
        self.decks = sorted({*(decks or []), *settings.deck_limits}, key=str.lower)
        """Decks offered a limit of their own: those in the store and those with one already."""

    # -- the form ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from studydl.engine.setting_values import FIELDS

        with Vertical(id="settings-dialog"):
            yield Label("Settings", id="settings-title")
            with VerticalScroll(id="settings-form"):
                for title, names in SECTIONS:
                    yield Label(title, classes="settings-section")
                    for name in names:
                        yield from self._row(name, FIELDS[name].label, self._field(name), FIELDS[name].hint)
                yield Label("FSRS parameters", classes="settings-section")
                fitted = self.settings.parameters
                shown = "FSRS-6 defaults" if fitted is None else "fitted to you"
                yield from self._row("parameters", "Parameters", Static(shown, id="parameters", classes="setting-value"), "`studydl optimize` fits them")
                yield from self._deck_rows()
            yield Static(id="settings-problems")
            with Horizontal(id="settings-buttons"):
                yield Button("Save  ctrl+s", id="save", variant="primary", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)
        yield StudyFooter(compact=True)

    def _field(self, name: str) -> Widget:
        from studydl.engine.setting_values import form_text

        text = form_text(self.settings, name)
        if name == "theme":
            themes = self.themes if text in self.themes else [text, *self.themes]
            return Select(((t, t) for t in themes), value=text, allow_blank=False, id=name, compact=True)
        if name in CHOICES:
            return Select(CHOICES[name], value=text, allow_blank=False, id=name, compact=True)
        placeholder = "this computer's zone" if name == "timezone" else "none" if name.endswith("steps_min") else ""
        return Input(text, id=name, compact=True, placeholder=placeholder, select_on_focus=False)

    @staticmethod
    def _row(name: str, label: str, field: Widget, hint: str) -> ComposeResult:
        with Horizontal(classes="setting-row"):
            yield Label(label, classes="setting-label")
            yield field
            yield Label(Text(hint, style="dim"), classes="setting-hint")
        yield Static(id=f"{name}-problem", classes="setting-problem")

    def _deck_rows(self) -> ComposeResult:
        if not self.decks:
            return
        general = (self.settings.new_per_day, self.settings.reviews_per_day)
        yield Label("Per-deck limits", classes="settings-section")
        yield Label(Text(f"new / reviews per day; empty: the daily limits (now {general[0]} / {general[1]})", style="dim"), classes="settings-note")
        for i, deck in enumerate(self.decks):
            new, reviews = self.settings.deck_limits.get(deck, ("", ""))
            with Horizontal(classes="setting-row"):
                yield Label(deck, classes="setting-label deck-label")
                yield Input(str(new), id=f"deck-{i}-new", compact=True, placeholder="new", classes="deck-limit")
                yield Input(str(reviews), id=f"deck-{i}-reviews", compact=True, placeholder="reviews", classes="deck-limit")
            yield Static(id=f"deck-{i}-problem", classes="setting-problem")

    def on_mount(self) -> None:
        self.query_one("#new_per_day", Input).focus()
        for problem in self.query(".setting-problem"):
            problem.display = False
        self.query_one("#settings-problems").display = False

    # -- reading it -------------------------------------------------------------

    def _texts(self) -> dict[str, str]:
        """Every field as typed (choices as their value text)."""
        texts: dict[str, str] = {}
        for _title, names in SECTIONS:
            for name in names:
                widget = self.query_one(f"#{name}")
                texts[name] = str(widget.value) if isinstance(widget, Select) else widget.value  # type: ignore[attr-defined]
        return texts

    def read_form(self) -> dict[str, Any]:
        """The fields changed in the form; raises SettingsInvalid naming every bad field (ids as keys)."""
        from studydl.engine.setting_checks import BadValue, SettingsInvalid, parse_value

        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, text in self._texts().items():
            try:
                values[name] = parse_value(name, text)
            except BadValue as exc:
                problems[name] = str(exc)
        limits: dict[str, tuple[int, int]] = {}
        for i, deck in enumerate(self.decks):
            new, reviews = (self.query_one(f"#deck-{i}-{kind}", Input).value.strip() for kind in ("new", "reviews"))
            if not new and not reviews:
                continue
            try:  # a limit left empty is the general one
                limits[deck] = (
                    parse_value("new_per_day", new) if new else values.get("new_per_day", self.settings.new_per_day),
                    parse_value("reviews_per_day", reviews) if reviews else values.get("reviews_per_day", self.settings.reviews_per_day),
                )
            except BadValue as exc:
                problems[f"deck-{i}"] = str(exc)
        values["deck_limits"] = limits
        if problems:
            raise SettingsInvalid(problems)
        return {name: value for name, value in values.items() if getattr(self.settings, name) != value}

    def _show_problems(self, problems: dict[str, str]) -> None:
        from studydl.engine.setting_values import label_of

        for widget in self.query(".setting-problem"):
            key = (widget.id or "").removesuffix("-problem")
            message = problems.get(key)
            widget.display = message is not None
            if message is not None:
                widget.update(message)
        summary = self.query_one("#settings-problems", Static)
        summary.display = bool(problems)
        if problems:
            names = [self.decks[int(k.split("-")[1])] if k.startswith("deck-") else label_of(k) for k in problems]
            summary.update(f"Not saved: fix {plural(len(problems), 'field')} ({', '.join(names)}); {noun(len(problems), 'it is', 'they are')} marked above.")
            first = next(iter(problems))
            target = self.query_one(f"#{first}-new" if first.startswith("deck-") else f"#{first}")
            target.focus()
            self.query_one("#settings-form", VerticalScroll).scroll_to_widget(target, animate=False)

    # -- actions ----------------------------------------------------------------

    def action_save(self) -> None:
        from studydl.engine.setting_checks import SettingsInvalid

        try:
            changes = self.read_form()
        except SettingsInvalid as exc:
            self._show_problems(exc.problems)
            return
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
