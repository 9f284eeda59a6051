"""The card browser: a live-filtered table of every card, with the selected card's detail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Markdown, Static
from textual.worker import Worker, WorkerState

from studydl.domain.cards import CardView
from studydl.engine.settings import load_settings
from studydl.render.card_markdown import math_markdown
from studydl.search.card_info import CardDetail, load_detail, set_flag, set_suspended
from studydl.search.cards import SearchResult, search
from studydl.store.db import Database
from studydl.tui.messages import DecksChanged
from studydl.tui.screens import browse_view as view
from studydl.tui.widgets.footer import StudyFooter

DEBOUNCE_S = 0.2
"""Typing pauses this long before the query runs."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class BrowseScreen(Screen[None]):
    """Every card, filtered as you type (the search language of studydl.search: `deck:` `tag:` `is:` `-` `or` ...)."""

    CSS_PATH = "../styles/browse.tcss"
    TITLE = "Browse"
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("slash", "focus_search", "Search"),
        # Tab and shift+tab go round the panes; the footer names the one tab goes to.
        Binding("tab", "focus_pane('cards', 1)", "To the list", priority=True),
        Binding("tab", "focus_pane('detail', 1)", "To the card", priority=True),
        Binding("tab", "focus_pane('query', 1)", "To the search", priority=True),
        Binding("shift+tab", "focus_pane('cards', -1)", "To the list", show=False, priority=True),
        Binding("shift+tab", "focus_pane('detail', -1)", "To the card", show=False, priority=True),
        Binding("shift+tab", "focus_pane('query', -1)", "To the search", show=False, priority=True),
        Binding("s", "toggle_suspended", "Suspend"),
        Binding("f", "toggle_flag", "Flag"),
    ]
    PANES = ("query", "cards", "detail")
    """Focus order of tab (shift+tab goes back); the card detail only while it is shown."""

    class Results(Message):
        def __init__(self, generation: int, result: SearchResult, now: datetime) -> None:
            super().__init__()
            self.generation, self.result, self.now = generation, result, now

    class Detail(Message):
        def __init__(self, card_id: int, detail: CardDetail | None, now: datetime) -> None:
            super().__init__()
            self.card_id, self.detail, self.now = card_id, detail, now

    class Changed(Message):
        """A card was suspended or flagged."""

        def __init__(self, card: CardView) -> None:
            super().__init__()
            self.card = card

    def __init__(self, db: Database, query: str = "", clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__()
        self.db = db
        self.query_text = query
        self.clock = clock
        self._generation = 0
        self._debounce: Timer | None = None
        self._result = SearchResult([], 0)
        self._now = clock()
        self._cards: dict[int, CardView] = {}
        self._widths = view.column_widths(100)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.query_text,
            placeholder="search: words deck: tag: section: is: has: demo: -term or ( )",
            id="query",
        )
        yield Static("searching…", id="count")
        yield DataTable(id="cards", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="detail"):
            yield Static(id="card-meta")
            yield Static(id="card-schedule")
            yield Markdown(id="card-text", parser_factory=math_markdown)
            yield DataTable(id="history", cursor_type="none", show_cursor=False)
        yield StudyFooter(compact=True)

    def on_mount(self) -> None:
        history = self.query_one("#history", DataTable)
        history.add_columns("date", "rating", "interval", "time", "state after")
        history.can_focus = False  # part of the card pane: tab goes round the panes, not into it
        self.query_one("#detail").display = False
        self._widths = view.column_widths(self.size.width)
        self._set_columns()
        self.query_one("#cards", DataTable).focus()
        self._start_search()

    # -- searching -------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_S, self._start_search)

    @on(Input.Submitted, "#query")
    def _query_submitted(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._start_search()
        self.query_one("#cards", DataTable).focus()

    def _start_search(self) -> None:
        self._generation += 1
        self._search(self.query_text, self._generation)

    def _day_end(self, now: datetime) -> datetime:
        """When the study day of `now` ends, by the settings as they are now (zone and day start may change)."""
        return load_settings(self.db).study_days().bounds(now)[1]

    @work(thread=True, exclusive=True, group="browse-search", exit_on_error=False)
    def _search(self, query: str, generation: int) -> None:
        now = self.clock()
        day_end = self._day_end(now)
        result = search(self.db, query, now, day_end=day_end)
        self.post_message(self.Results(generation, result, now))

    def on_browse_screen_results(self, message: Results) -> None:
        if message.generation != self._generation:
            return  # a newer query is on its way
        self._result, self._now = message.result, message.now
        self._cards = {card.id: card for card in message.result.cards}
        self._fill_table()

    def _set_columns(self) -> None:
        table = self.query_one("#cards", DataTable)
        table.clear(columns=True)
        for name in view.shown_columns(self._widths):
            table.add_column(name, width=self._widths[name], key=name)

    def _fill_table(self) -> None:
        table = self.query_one("#cards", DataTable)
        keep = self._selected_id()
        table.clear()
        for card in self._cards.values():
            table.add_row(*view.row_cells(card, self._now, self._widths), key=str(card.id))
        self.query_one("#count", Static).update(
            view.count_line(len(self._result.cards), self._result.total, self._result.problems)
        )
        if keep in self._cards:
            table.move_cursor(row=table.get_row_index(str(keep)))
        if not self._cards:
            self.query_one("#detail").display = False
            self.refresh_bindings()
        else:
            self._show_selected()

    def on_decks_changed(self, _message: DecksChanged) -> None:
        self._start_search()  # a sync added, changed or retired cards

    def on_resize(self) -> None:
        widths = view.column_widths(self.size.width)
        if widths != self._widths:
            self._widths = widths
            self._set_columns()
            self._fill_table()

    # -- the selected card -----------------------------------------------------

    def _selected_id(self) -> int | None:
        table = self.query_one("#cards", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @on(DataTable.RowHighlighted, "#cards")
    def _row_highlighted(self) -> None:
        self._show_selected()

    @on(DataTable.RowSelected, "#cards")
    def _row_selected(self) -> None:
        self.query_one("#detail").focus()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # the footer's tab names the next pane

    def _show_selected(self) -> None:
        card_id = self._selected_id()
        if card_id is not None:
            self._load_detail(card_id)

    @work(thread=True, exclusive=True, group="browse-detail", exit_on_error=False)
    def _load_detail(self, card_id: int) -> None:
        self.post_message(self.Detail(card_id, load_detail(self.db, card_id), self.clock()))

    def on_browse_screen_detail(self, message: Detail) -> None:
        if message.card_id != self._selected_id() or message.detail is None:
            return
        detail = message.detail
        self.query_one("#detail").display = True
        self.refresh_bindings()  # tab can go to the card now
        self.query_one("#card-meta", Static).update(view.card_meta(detail.card))
        self.query_one("#card-schedule", Static).update(view.schedule_line(detail, message.now))
        self.query_one("#card-text", Markdown).update(view.card_markdown(detail.card))
        history = self.query_one("#history", DataTable)
        history.clear()
        for entry in reversed(detail.history):
            history.add_row(*view.history_cells(entry))
        history.display = bool(detail.history)

    # -- actions ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_suspended", "toggle_flag"):
            return self._selected_id() is not None
        if action == "focus_pane":
            pane, step = parameters
            return pane == self._pane_after(int(step))  # type: ignore[call-overload]
        return True

    def _pane_after(self, step: int) -> str:
        """The pane tab (step 1) or shift+tab (step -1) moves to from the focused one."""
        panes = [p for p in self.PANES if p != "detail" or self.query_one("#detail").display]
        focused = self.focused
        here = next((p for p in panes if focused is not None and focused.id == p), None)
        if here is None:  # focus inside the detail (its history table) or nowhere
            here = "detail" if "detail" in panes and focused is not None else panes[0]
        return panes[(panes.index(here) + step) % len(panes)]

    def action_focus_pane(self, pane: str, _step: int) -> None:
        self.query_one(f"#{pane}").focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_focus_search(self) -> None:
        self.query_one("#query", Input).focus()

    def action_toggle_suspended(self) -> None:
        card = self._cards.get(self._selected_id() or -1)
        if card is not None:
            self._write(set_suspended, card.id, not card.suspended)

    def action_toggle_flag(self) -> None:
        card = self._cards.get(self._selected_id() or -1)
        if card is not None:
            self._write(set_flag, card.id, 0 if card.flag else 1)

    @work(thread=True, group="browse-write", exit_on_error=False)
    def _write(self, change: Callable[[Database, int, object], CardView | None], card_id: int, value: object) -> None:
        card = change(self.db, card_id, value)
        if card is not None:
            self.post_message(self.Changed(card))

    def on_browse_screen_changed(self, message: Changed) -> None:
        card = message.card
        self._cards[card.id] = card
        table = self.query_one("#cards", DataTable)
        if str(card.id) in table.rows:
            for name, cell in zip(view.shown_columns(self._widths), view.row_cells(card, self._now, self._widths), strict=True):
                table.update_cell(str(card.id), name, cell)
        if card.id == self._selected_id():
            self._load_detail(card.id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group.startswith("browse"):
            error = event.worker.error
            self.query_one("#count", Static).update(Text.assemble(("error: ", "bold red"), str(error)))
