"""End of a review session: what was done and how well."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studydl.domain.review import SessionSummary


def format_duration(seconds: float) -> str:
    """`45s`, `3m 12s`, `1h 05m`."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def summary_table(summary: SessionSummary) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", justify="right")
    table.add_column(style="bold")
    table.add_row("Cards reviewed", str(summary.reviewed))
    table.add_row("Time spent", format_duration(summary.seconds))
    if summary.reviewed:
        table.add_row("Per card", format_duration(summary.seconds / summary.reviewed))
    retention = "no reviews yet today" if summary.retention_today is None else f"{summary.retention_today:.0%}"
    table.add_row("Retention today", retention)
    return table


class SummaryScreen(Screen[None]):
    """Shown when a session runs out of cards; any of its keys goes back to the deck list."""

    CSS_PATH = "../styles/summary.tcss"
    BINDINGS = [Binding("escape,enter,space", "close", "Back to decks")]

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(), Center():
            yield Static(Text("Session complete", style="bold"), id="summary-title")
            yield Static(summary_table(self.summary), id="summary-table")
            yield Static(Text("Press enter to go back to your decks.", style="dim"), id="summary-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Session summary"

    def action_close(self) -> None:
        self.dismiss()
