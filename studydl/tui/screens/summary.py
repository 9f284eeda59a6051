"""End of a review session: what was done and how well."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Header, Static

from studydl.domain.review import SessionSummary
from studydl.domain.words import plural
from studydl.tui.widgets.footer import StudyFooter


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
    for label, value in today_figures(summary):
        table.add_row(label, value)
    return table


def today_figures(summary: SessionSummary) -> list[tuple[str, str]]:
    """How well today went: every answer not Again, and the retention of review cards when there were some.

    Retention counts review cards only (new and learning answers say nothing about
    memory over days, as in Anki's true retention), so a new learner's first days
    have none: then the row is left out rather than saying "no reviews" after 24 answers.
    """
    rows = []
    if summary.answers_today:
        share = summary.correct_share or 0.0
        cram = f", {summary.cram_today} cram" if summary.cram_today else ""
        rows.append(("Correct today", f"{share:.0%}  ({summary.correct_today} of {plural(summary.answers_today, 'answer')}{cram})"))
    if summary.retention_today is not None:
        rows.append(("Review retention", f"{summary.retention_today:.0%}  (review cards today)"))
    return rows


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
        yield StudyFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Session summary"

    def action_close(self) -> None:
        self.dismiss()
