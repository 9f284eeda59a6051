"""The deck list: what is due per deck and section, today's progress, the way into everything else."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static, Tree

from studydl.tui.host import host
from studydl.tui.messages import DecksChanged, HomeLoaded
from studydl.tui.widgets.deck_tree import DeckTree, Target, heading
from studydl.tui.widgets.footer import StudyFooter

if TYPE_CHECKING:
    from studydl.tui.home_data import HomeData
    from studydl.tui.host import StudyHost


class HomeScreen(Screen[None]):
    """The first screen; it paints at once and fills in when the store is open."""

    BINDINGS = [
        Binding("a", "app.review", "Study all"),
        Binding("c", "cram", "Cram"),
        Binding("b", "app.browse", "Browse"),
        Binding("s", "app.stats", "Stats"),
        Binding("m", "course_map", "Map"),
        Binding("o", "app.settings", "Settings"),
        Binding("ctrl+r", "app.sync", "Sync decks", show=False),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: HomeData | None = None

    @property
    def study_app(self) -> StudyHost:
        return host(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Opening your decks…", style="dim"), id="progress")
        yield Static(id="columns")
        yield Static(id="pinned")
        yield DeckTree(id="decks")
        yield Static(id="hint")
        yield StudyFooter(compact=True, show_command_palette=False)  # ^p still opens it; the deck list needs the room (q Quit at 80 columns)

    def on_mount(self) -> None:
        tree = self.query_one(DeckTree)
        tree.focus()
        self.watch(tree, "scroll_y", self._pin_totals)

    def _pin_totals(self, scroll_y: float) -> None:
        """Once "All decks" scrolls off, its row stays above the list (in the blank line over the heading)."""
        self.set_class(scroll_y >= 1, "-scrolled")

    def on_decks_changed(self, _message: DecksChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self.study_app.db is not None:
            self.reload()

    _generation = 0
    """Bumped by each reload (the start-up load, from the app, is 0)."""
    _shown = -1
    """The generation on screen: a load finishing after a newer one is dropped (its counts are older)."""

    def reload(self) -> None:
        app = self.study_app
        if app.db is not None:  # (until then the app's start-up load is on its way)
            self._generation += 1
            self._load(app.db, app.clock(), app.synced, self._generation)

    @work(thread=True, exit_on_error=False, group="home", description="Loading the deck list")
    def _load(self, db, now, synced: bool, generation: int) -> None:  # noqa: ANN001
        from studydl.tui.home_data import load_home_data

        started = time.perf_counter()
        data = load_home_data(db, now)  # the store's settings now, not those of start-up
        self.post_message(HomeLoaded(data, synced, time.perf_counter() - started, generation))

    def on_home_loaded(self, message: HomeLoaded) -> None:
        if message.generation < self._shown:
            return
        self._shown = message.generation
        data, synced = message.data, message.synced
        self.data = data
        self.study_app.deck_names = [deck.deck for deck in data.decks]
        tree = self.query_one(DeckTree)
        tree.show(data.decks, data.totals)
        self.query_one("#columns", Static).update(heading(tree.name_width + 2))
        self.query_one("#pinned", Static).update(Text.assemble(tree.ICON_NODE_EXPANDED, tree.root.label))
        self.query_one("#progress", Static).update(self._progress(data))
        self.query_one("#hint", Static).update(self._hint(data, synced))
        if synced:
            self.study_app.home_ready()

    @staticmethod
    def _progress(data: HomeData) -> Text:
        """`Today  3 reviewed · 195 left · 3 learning`.

        `left` is the new and review cards not yet studied today, so it goes down with
        every new card answered; a card in learning comes back later today and is
        counted apart (in one total, answering a new card Good would move it from one
        count to the other and the total would stand still).
        """
        new, learning, review = data.totals
        text = Text.assemble(
            ("Today  ", "bold"), (f"{data.reviewed_today:,}", "bold green"), " reviewed",
            (f" ({data.crammed_today:,} cram)" if data.crammed_today else "", "dim"), " · ",
            (f"{new + review:,}", "bold"), " left",
        )
        if learning:
            text.append_text(Text.assemble(" · ", (f"{learning:,}", "bold red"), " learning"))
        return text

    def _hint(self, data: HomeData, synced: bool) -> Text:
        from studydl.tui.home_data import until

        if not data.decks:
            where = self.study_app.home.decks_dir
            return Text(f"No decks yet. Put Markdown decks in {where}." if synced else "Syncing decks…", style="dim")
        if data.left:
            return Text("Enter studies the selected deck or section · a studies everything due", style="dim")
        if data.next_due is None:
            return Text("Nothing is due. New cards appear when you add them to a deck.", style="dim")
        return Text(f"All done for now. The next card is due {until(data.now, data.next_due)}.", style="bold")

    def action_cram(self) -> None:
        """Cram the deck or section under the cursor: every card, due or not, schedule untouched."""
        node = self.query_one(Tree).cursor_node
        target = (node.data if node is not None else None) or Target()
        if self.study_app.db is None:
            self.notify("Still opening the decks…")
            return
        if target.deck is None:
            self.notify("Put the cursor on a deck (or a section) to cram it.")
            return
        self.study_app.action_review(target.deck, target.section, cram=True)

    def action_course_map(self) -> None:
        """The course map: every section, its prerequisites, shaded by what you remember."""
        if self.study_app.db is None:
            self.notify("Still opening the decks…")
            return
        from studydl.tui.screens.course_map import CourseMapScreen

        self.app.push_screen(CourseMapScreen())

    @on(Tree.NodeSelected)
    def _study(self, event: Tree.NodeSelected) -> None:
        event.stop()
        target = event.node.data or Target()
        if self.study_app.db is None:
            self.notify("Still opening the decks…")
            return
        from studydl.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(target.deck, target.section))
