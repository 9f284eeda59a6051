"""The `k` dialog of the demo screen: turn the run just seen into a predict-then-run card.

The learner picks one of the demo's metrics, edits the question and the tolerance, and picks
one of their own deck files (or names a new one) and a section of it; studydl.decks.capture
checks and writes the card. It returns where the card went, or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from studydl.decks import capture
from studydl.decks.capture import Added, CaptureError, Section
from studydl.demos.spec_index import SpecIndex
from studydl.domain.demos import DemoSpec, ParamValue

NEW = "\x00new"
"""The deck choice that asks for a new file's name."""


@dataclass(frozen=True)
class CaptureSource:
    """What the card is made from: a finished run of a demo, and where the learner's decks are."""

    spec: DemoSpec
    params: dict[str, ParamValue]
    metrics: dict[str, float]
    summary: str
    decks_dir: Path
    run: int


class CaptureDialog(ModalScreen[Added | None]):
    """Metric, question, tolerance, deck file and section; enter or `Write card` writes it."""

    CSS_PATH = "../styles/capture.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, source: CaptureSource) -> None:
        super().__init__()
        self.source = source
        self.metrics = capture.usable_metrics(source.spec, source.metrics)
        self.decks = [str(p) for p in capture.own_decks(source.decks_dir)]
        self.sections: list[Section] = [Section("")]
        self.known = SpecIndex()
        self._drafted = ""
        """The question as last drafted: the learner's own edit is never overwritten."""

    def compose(self) -> ComposeResult:
        source = self.source
        with Vertical(id="capture"):
            yield Static(f"A predict card from run {source.run} of {source.spec.id}", id="capture-title")
            yield self._row("Metric", Select([(m.name, m.name) for m in self.metrics], allow_blank=False, id="metric", compact=True))
            yield Static(id="measured")
            yield self._row("Question", Input(id="question", compact=True))
            yield self._row("Tolerance", Input(id="tolerance", compact=True))
            decks = [(name, name) for name in self.decks] + [("a new file…", NEW)]
            yield self._row("Deck", Select(decks, value=decks[0][1], allow_blank=False, id="deck", compact=True))
            yield self._row("New file", Input(capture.NEW_FILE, id="new-file", compact=True), "new-file-row")
            yield self._row("Section", Select([("(the end of the file)", "0")], value="0", allow_blank=False, id="section", compact=True))
            yield Static(id="capture-error")
            with Horizontal(id="capture-buttons"):
                yield Button("Write card", id="write", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @staticmethod
    def _row(label: str, field: Select[str] | Input, row_id: str | None = None) -> Horizontal:
        return Horizontal(Label(label, classes="capture-label"), field, classes="capture-row", id=row_id)

    def on_mount(self) -> None:
        self._metric_chosen()
        self._deck_chosen()
        self.query_one("#question", Input).focus()

    # -- the fields follow each other ---------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "metric":
            self._metric_chosen()
        elif event.select.id == "deck":
            self._deck_chosen()

    def _draft(self) -> capture.PredictCard:
        s = self.source
        return capture.draft(s.spec, s.params, s.metrics, str(self.query_one("#metric", Select).value), s.summary)

    def _metric_chosen(self) -> None:
        if not self.metrics:
            self._error("this run measured no metric a card can predict")
            return
        card = self._draft()
        metric = self.source.spec.metric(card.metric)
        unit = f" ({metric.unit})" if metric and metric.unit else ""
        self.query_one("#measured", Static).update(f"measured {card.expect}{unit}: {metric.meaning if metric else ''}")
        question = self.query_one("#question", Input)
        if question.value in ("", self._drafted):
            question.value = self._drafted = card.question
            question.cursor_position = 0  # the question's start in view (a long one would show only its end)
        self.query_one("#tolerance", Input).value = card.tolerance

    def _deck_chosen(self) -> None:
        name = str(self.query_one("#deck", Select).value)
        self.query_one("#new-file-row").display = name == NEW
        path = self.source.decks_dir / name
        data = path.read_bytes() if name != NEW and path.is_file() else b""
        self.sections = capture.sections(data)
        default = capture.section_for_demo(path, self.source.spec.id, self.known) if data else Section("")
        pick = self.query_one("#section", Select)
        pick.set_options([(s.label, str(i)) for i, s in enumerate(self.sections)])
        pick.value = str(self.sections.index(default) if default in self.sections else 0)

    # -- writing --------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_write()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "write":
            self.action_write()
        else:
            self.action_cancel()

    def action_write(self) -> None:
        """Check and write the card; stay open with the reason when it cannot be written."""
        if not self.metrics:
            return
        deck = str(self.query_one("#deck", Select).value)
        name = self.query_one("#new-file", Input).value if deck == NEW else deck
        section = self.sections[int(str(self.query_one("#section", Select).value))]
        card = replace(
            self._draft(),
            question=self.query_one("#question", Input).value,
            tolerance=self.query_one("#tolerance", Input).value,
        )
        try:
            added = capture.add_card(self.source.decks_dir, name, card, section, self.known)
        except (CaptureError, OSError) as exc:
            self._error(str(exc))
            return
        self.dismiss(added)

    def _error(self, message: str) -> None:
        error = self.query_one("#capture-error", Static)
        error.update(message)
        error.display = bool(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
