"""Every key of every screen, read from their BINDINGS (so it never goes stale)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

SCREENS = (
    ("Deck list", "studydl.tui.screens.home", "HomeScreen"),
    ("Deck list", "studydl.tui.widgets.deck_tree", "DeckTree"),
    ("Review", "studydl.tui.screens.review", "ReviewScreen"),
    ("Session summary", "studydl.tui.screens.summary", "SummaryScreen"),
    ("Browse", "studydl.tui.screens.browse", "BrowseScreen"),
    ("Stats", "studydl.tui.screens.stats", "StatsScreen"),
    ("Demo", "studydl.tui.screens.demo", "DemoScreen"),
    ("Settings", "studydl.tui.screens.settings", "SettingsScreen"),
    ("Deck problems", "studydl.tui.screens.errors", "DeckErrorsScreen"),
)
"""(section, module, class) whose bindings are listed; a screen not written yet is skipped."""


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares itself, with a description."""
    return [b for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])) if b.description]


def app_bindings(app: App[object]) -> list[Binding]:
    """Keys that work everywhere: the app's own, Textual's quit and the command palette."""
    found: list[Binding] = []
    for cls in type(app).__mro__:
        if isinstance(cls, type) and issubclass(cls, App):
            found.extend(own_bindings(cls))
    if app.ENABLE_COMMAND_PALETTE:
        found.append(Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "Command palette: every action"))
    return found


def sections(app: App[object]) -> Iterator[tuple[str, list[Binding]]]:
    yield "Everywhere", app_bindings(app)
    merged: dict[str, list[Binding]] = {}
    for title, module, name in SCREENS:
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        merged.setdefault(title, []).extend(own_bindings(cls))
    yield from merged.items()


def keys_table(app: App[object], bindings: list[Binding]) -> Table:
    """One row per action: every key that does it, then what it does."""
    rows: dict[tuple[str, str], list[str]] = {}
    for binding in bindings:
        keys = rows.setdefault((binding.action, binding.description), [])
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", min_width=12)
    table.add_column()
    for (_action, description), keys in rows.items():
        table.add_row(" / ".join(keys), description)
    return table


class HelpScreen(ModalScreen[None]):
    """Opened with ? or F1; escape closes it."""

    CSS_PATH = "../styles/help.tcss"
    BINDINGS = [Binding("escape,question_mark,f1,q", "close", "Close", key_display="esc")]

    def __init__(self, calling: Screen[object] | None = None) -> None:
        super().__init__()
        self.calling = calling

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label("Keys", id="help-title")
            with VerticalScroll(id="help-body"):
                for title, bindings in sections(self.app):
                    if bindings:
                        yield Label(title, classes="help-section")
                        yield Static(keys_table(self.app, bindings), classes="help-keys")
            yield Label("escape closes · ctrl+p finds any action by name", id="help-footer")

    def action_close(self) -> None:
        self.dismiss()
