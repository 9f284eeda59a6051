"""Settings: the presets decks use, the options every preset shares, each deck's choices; save and cancel in view.

The dialog shows the store's settings as the app read them on opening it, and returns
only what the learner changed; the app writes those, field by field, so values
changed meanwhile elsewhere (parameters from `studydl optimize`) are never overwritten.
A preset (Anki's deck-options preset) is chosen at the top; its options fill the form,
and switching to another keeps what was typed for each. Beside the desired retention,
a changed value shows Anki's "Approximate workload: 1.23x" against the stored one
(simulated in a worker). Typed values are checked by engine/setting_checks.py: every
bad field is named at once, under the field and in a line beside the buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from studydl.domain.words import noun, plural
from studydl.tui.widgets.footer import StudyFooter

if TYPE_CHECKING:
    from collections.abc import Callable

    from studydl.engine.setting_values import Settings

PRESET_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Daily limits", ("new_per_day", "reviews_per_day")),
    ("Scheduling", ("desired_retention", "learning_steps_min", "relearning_steps_min", "maximum_interval")),
    ("Order", ("review_order", "new_order", "new_review_mix")),
    ("Easy Days", ("easy_days",)),
    ("Siblings and leeches", ("bury_siblings", "leech_threshold", "leech_suspend")),
)
"""The chosen preset's sections and fields, in order."""
SHARED_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Every preset", ("fuzz", "load_balancer", "day_start_hour", "timezone", "theme")),
)
"""The options every preset shares; the FSRS parameters and the decks end the form."""
ON_OFF = (("on", "on"), ("off", "off"))
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "fuzz": ON_OFF,
    "load_balancer": ON_OFF,
    "bury_siblings": ON_OFF,
    "leech_suspend": (("suspend it", "suspend"), ("only tag it", "tag")),
}
"""Fields chosen from a list: (shown, value as text for the checks)."""


def _choices(name: str) -> tuple[tuple[str, str], ...]:
    from studydl.engine.setting_values import NEW_ORDERS, NEW_REVIEW_MIXES, REVIEW_ORDERS

    lists = {"review_order": REVIEW_ORDERS, "new_order": NEW_ORDERS, "new_review_mix": NEW_REVIEW_MIXES}
    if name in lists:
        return tuple((words, key) for key, words in lists[name].items())
    return CHOICES[name]


def _fields(sections: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    return tuple(name for _title, names in sections for name in names)


class SettingsScreen(ModalScreen["dict[str, Any] | None"]):
    """Returns the changes on save (shared fields by name, presets' under PRESETS_KEY, decks' under DECKS_KEY), None on cancel."""

    CSS_PATH = "../styles/settings.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        settings: Settings,
        themes: list[str],
        decks: list[str] | None = None,
        workload: Callable[[str, float, float], float | None] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.themes = themes
        self.decks = sorted({*(decks or []), *settings.deck_limits, *settings.deck_retention}, key=str.lower)
        """Decks offered choices of their own: those in the store and those with one already."""
        self.workload = workload
        """(preset, retention, compared to) -> the workload factor (a simulation: run in a worker)."""
        self.preset = settings.preset
        self._typed: dict[str, dict[str, str]] = {}
        """Per preset: its fields as typed, kept while another preset is shown."""

    # -- the form ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from studydl.engine.setting_values import FIELDS

        names = self.settings.preset_names()
        with Vertical(id="settings-dialog"):
            yield Label("Settings", id="settings-title")
            with VerticalScroll(id="settings-form"):
                yield Label("Preset: the options decks share", classes="settings-section")
                choose = Select(((n, n) for n in names), value=self.preset, allow_blank=False, id="preset", compact=True)
                yield from self._row("preset", "Preset", choose, "the options below are this preset's")
                new = Input(id="new_preset", compact=True, placeholder="name", select_on_focus=False)
                yield from self._row("new_preset", "Add a preset", new, "a copy of this one, on save")
                for sections in (PRESET_SECTIONS, SHARED_SECTIONS):
                    for title, fields in sections:
                        yield Label(title, classes="settings-section")
                        for name in fields:
                            yield from self._row(name, FIELDS[name].label, self._field(name), FIELDS[name].hint)
                yield Label("FSRS parameters", classes="settings-section")
                yield from self._row("parameters", "Parameters", Static(self._fitted(), id="parameters", classes="setting-value"), "`studydl optimize` fits them")
                yield from self._deck_rows()
            yield Static(id="settings-problems")
            with Horizontal(id="settings-buttons"):
                yield Button("Save  ctrl+s", id="save", variant="primary", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)
        yield StudyFooter(compact=True)

    def _fitted(self) -> str:
        seen = self.settings.for_preset(self.preset)
        if seen.parameters is None:
            return f"FSRS-{seen.fsrs_version} defaults"
        return f"fitted: FSRS-{seen.fsrs_version}, {len(seen.parameters)}"

    def _field(self, name: str) -> Widget:
        from studydl.engine.setting_values import form_text

        text = form_text(self.settings.for_preset(self.preset), name)
        if name == "theme":
            themes = self.themes if text in self.themes else [text, *self.themes]
            return Select(((t, t) for t in themes), value=text, allow_blank=False, id=name, compact=True)
        if name in CHOICES or name in ("review_order", "new_order", "new_review_mix"):
            return Select(_choices(name), value=text, allow_blank=False, id=name, compact=True)
        placeholder = "this computer's zone" if name == "timezone" else "none" if name.endswith("steps_min") else ""
        return Input(text, id=name, compact=True, placeholder=placeholder, select_on_focus=False)

    @staticmethod
    def _row(name: str, label: str, field: Widget, hint: str) -> ComposeResult:
        with Horizontal(classes="setting-row"):
            yield Label(label, classes="setting-label")
            yield field
            yield Label(Text(hint, style="dim"), id=f"{name}-hint", classes="setting-hint")
        yield Static(id=f"{name}-problem", classes="setting-problem")

    def _deck_rows(self) -> ComposeResult:
        if not self.decks:
            return
        names = self.settings.preset_names()
        yield Label("Decks", classes="settings-section")
        yield Label(Text("preset · own retention (empty: the preset's) · new / reviews a day", style="dim"), classes="settings-note")
        for i, deck in enumerate(self.decks):
            new, reviews = self.settings.deck_limits.get(deck, ("", ""))
            retention = self.settings.deck_retention.get(deck, "")
            preset = self.settings.preset_of(deck)
            with Horizontal(classes="setting-row"):
                yield Label(deck, classes="setting-label deck-label")
                yield Select(((n, n) for n in names), value=preset, allow_blank=False, id=f"deck-{i}-preset", compact=True, classes="deck-preset")
                yield Input(str(retention), id=f"deck-{i}-retention", compact=True, placeholder="preset's", classes="deck-limit")
                yield Input(str(new), id=f"deck-{i}-new", compact=True, placeholder="new", classes="deck-limit")
                yield Input(str(reviews), id=f"deck-{i}-reviews", compact=True, placeholder="reviews", classes="deck-limit")
            yield Static(id=f"deck-{i}-problem", classes="setting-problem")

    def on_mount(self) -> None:
        self.query_one("#preset", Select).focus()
        for problem in self.query(".setting-problem"):
            problem.display = False
        self.query_one("#settings-problems").display = False

    # -- switching presets, and the workload beside the retention -------------------

    def _value(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        return str(widget.value) if isinstance(widget, Select) else widget.value  # type: ignore[attr-defined]

    def _set_value(self, name: str, text: str) -> None:
        widget = self.query_one(f"#{name}")
        widget.value = text  # type: ignore[attr-defined]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "preset" or event.value == self.preset:
            return
        from studydl.engine.setting_values import form_text

        self._typed[self.preset] = {name: self._value(name) for name in _fields(PRESET_SECTIONS)}
        self.preset = str(event.value)
        seen = self.settings.for_preset(self.preset)
        typed = self._typed.get(self.preset, {})
        for name in _fields(PRESET_SECTIONS):
            self._set_value(name, typed.get(name, form_text(seen, name)))
        self.query_one("#parameters", Static).update(self._fitted())

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "desired_retention":
            self._estimate(self.preset, event.value)

    @work(exclusive=True, thread=True, group="workload", exit_on_error=False)
    def _estimate(self, preset: str, text: str) -> None:
        from studydl.engine.retention_advice import workload_text
        from studydl.engine.setting_checks import BadValue, parse_value

        stored = self.settings.for_preset(preset).desired_retention
        try:
            retention = parse_value("desired_retention", text)
        except BadValue:
            return
        if retention == stored or self.workload is None:
            line = "0.70-0.99: recall odds when due"
        else:
            line = workload_text(self.workload(preset, retention, stored), stored)
        self.app.call_from_thread(self._show_workload, line)

    def _show_workload(self, line: str) -> None:
        if self.is_attached:
            self.query_one("#desired_retention-hint", Label).update(Text(line, style="dim"))

    # -- reading it -------------------------------------------------------------

    def read_form(self) -> dict[str, Any]:
        """The changes in the form; raises SettingsInvalid naming every bad field (ids as keys)."""
        from studydl.engine.setting_checks import BadValue, SettingsInvalid, parse_value
        from studydl.engine.settings import DECKS_KEY, PRESETS_KEY

        problems: dict[str, str] = {}

        def parse(key: str, name: str, text: str) -> Any:
            try:
                return parse_value(name, text)
            except BadValue as exc:
                problems[key] = str(exc)
                return None

        self._typed[self.preset] = {name: self._value(name) for name in _fields(PRESET_SECTIONS)}
        presets: dict[str, dict[str, Any]] = {}
        for preset, typed in self._typed.items():
            seen = self.settings.for_preset(preset)
            values = {name: parse(name, name, text) for name, text in typed.items()}
            presets[preset] = {n: v for n, v in values.items() if v is not None and getattr(seen, n) != v}
        shared = {name: parse(name, name, self._value(name)) for name in _fields(SHARED_SECTIONS)}
        changes: dict[str, Any] = {n: v for n, v in shared.items() if v is not None and getattr(self.settings, n) != v}
        new_name = " ".join(self._value("new_preset").split())
        if new_name:
            if new_name in self.settings.preset_names():
                problems["new_preset"] = f"there is already a preset named {new_name!r}"
            else:
                own = self.settings.for_preset(self.preset)
                copied = {name: getattr(own, name) for name in (*_fields(PRESET_SECTIONS), "parameters")}
                presets[new_name] = {**copied, **presets.get(self.preset, {})}
        decks, limits = self._deck_choices(parse)
        if problems:
            raise SettingsInvalid(problems)
        if limits != self.settings.deck_limits:
            changes["deck_limits"] = limits
        if any(presets.values()):
            changes[PRESETS_KEY] = {name: values for name, values in presets.items() if values}
        if decks:
            changes[DECKS_KEY] = decks
        return changes

    def _deck_choices(self, parse: Callable[[str, str, str], Any]) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[int, int]]]:
        """Each deck's changed preset and own retention, and the per-deck limits as typed."""
        decks: dict[str, dict[str, Any]] = {}
        limits: dict[str, tuple[int, int]] = {}
        general = self._typed.get(self.settings.preset, {})
        for i, deck in enumerate(self.decks):
            key = f"deck-{i}"
            choice: dict[str, Any] = {}
            preset = self._value(f"deck-{i}-preset")
            if preset != self.settings.preset_of(deck):
                choice["preset"] = preset
            text = self.query_one(f"#deck-{i}-retention", Input).value.strip()
            retention = parse(key, "desired_retention", text) if text else None
            if retention != self.settings.deck_retention.get(deck) and (retention is not None or not text):
                choice["retention"] = retention
            if choice:
                decks[deck] = choice
            new, reviews = (self.query_one(f"#deck-{i}-{kind}", Input).value.strip() for kind in ("new", "reviews"))
            if new or reviews:  # a limit left empty is the Default preset's
                found = (
                    parse(key, "new_per_day", new or general.get("new_per_day", str(self.settings.new_per_day))),
                    parse(key, "reviews_per_day", reviews or general.get("reviews_per_day", str(self.settings.reviews_per_day))),
                )
                if None not in found:
                    limits[deck] = found  # type: ignore[assignment]
        return decks, limits

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
            labels = {"new_preset": "Add a preset"}
            names = [
                self.decks[int(k.split("-")[1])] if k.startswith("deck-") else labels.get(k, label_of(k)) for k in problems
            ]
            summary.update(f"Not saved: fix {plural(len(problems), 'field')} ({', '.join(names)}); {noun(len(problems), 'it is', 'they are')} marked above.")
            first = next(iter(problems))
            target = self.query_one(f"#{first}-retention" if first.startswith("deck-") else f"#{first}")
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
