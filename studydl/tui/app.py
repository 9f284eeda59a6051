"""Placeholder app: syncs the decks and shows due counts (the full TUI replaces it)."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from studydl.home import Home


class StudyApp(App[None]):
    TITLE = "studydl"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, home: Home) -> None:
        super().__init__()
        self.home = home

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Syncing decks…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sync_decks()

    @work(thread=True, exit_on_error=False)
    def sync_decks(self) -> None:
        from datetime import UTC, datetime

        from studydl.cli_decks import known_demo_ids
        from studydl.decks.sync import sync_decks
        from studydl.domain.days import day_bounds
        from studydl.store.queries import due_counts

        db = self.home.open_db()
        sync_decks(db, self.home.deck_roots(), known_demos=known_demo_ids(), prune_missing=True)
        now = datetime.now(UTC)
        with db.read() as s:
            counts = due_counts(s, now, day_bounds(now)[1])
        text = "\n".join(f"{c.deck}: {c.new} new, {c.learning} learning, {c.review} due" for c in counts)
        self.call_from_thread(self.query_one("#status", Static).update, text or "No decks.")
