"""The problems of the last deck sync, as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList

from studydl.domain.errors import DeckProblem
from studydl.domain.words import problems_in_files


class DeckErrorsScreen(ModalScreen[None]):
    """Lists the problems that kept decks from syncing; fix the file and it syncs again."""

    CSS_PATH = "../styles/errors.tcss"
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, problems: list[DeckProblem], home: Path | None = None) -> None:
        super().__init__()
        self.problems = problems
        self.home = home
        """The home folder: files in it are shown from there (`decks/cnn.md`), others whole."""

    def _where(self, problem: DeckProblem) -> str:
        path = Path(problem.path)
        if self.home is not None and path.is_relative_to(self.home):
            path = path.relative_to(self.home)
        return f"{path}:{problem.line}"

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-dialog"):
            files = len({str(p.path) for p in self.problems})
            kept = "it keeps its" if files == 1 else "those decks keep their"
            yield Label(f"{problems_in_files(self.problems)} ({kept} last good version)", id="errors-title")
            options = [Text.assemble((self._where(p), "bold"), f": {p.message}") for p in self.problems]
            yield OptionList(*(options or ["No problems."]), id="errors-list")
            yield Button("Close", id="errors-close", variant="primary")

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()
