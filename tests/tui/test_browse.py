"""The card browser on a real SQLite collection: filtering, detail with history, suspend and flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.app import App
from textual.widgets import DataTable, Input, Static

from studydl.store.db import Database
from studydl.store.models import CardRow
from studydl.tui.screens.browse import DEBOUNCE_S, BrowseScreen
from tests.tui.conftest import press, screen_text, settle
from tests.tui.tui_samples import MOMENTUM_ANSWERS, NOW, sample_collection


class BrowseApp(App[None]):
    """The browser alone, as the shell pushes it."""

    def __init__(self, db: Database, query: str = "") -> None:
        super().__init__()
        self.browse = BrowseScreen(db, query, clock=lambda: NOW)

    def on_mount(self) -> None:
        self.push_screen(self.browse)


@pytest.fixture
def collection(db: Database, tmp_path: Path) -> tuple[Database, dict[str, int]]:
    return db, sample_collection(db, tmp_path)


def rows(screen: BrowseScreen) -> list[str]:
    table = screen.query_one("#cards", DataTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


def count(screen: BrowseScreen) -> str:
    return str(screen.query_one("#count", Static).render())


async def select_card(pilot, screen: BrowseScreen, question: str) -> None:
    table = screen.query_one("#cards", DataTable)
    table.move_cursor(row=rows(screen).index(question))
    await settle(pilot)


async def test_lists_cards_and_filters_as_you_type(collection) -> None:
    db, _ = collection
    app = BrowseApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.browse
        assert count(screen) == "7 cards"
        assert rows(screen)[:2] == ["What does one neuron compute?", "ReLU"]

        await pilot.press("slash", *"is:due")
        assert screen.query_one(Input).has_focus
        await pilot.pause(DEBOUNCE_S * 2)  # the debounce timer, then the query
        await settle(pilot)
        assert set(rows(screen)) == {"ReLU", "What is backpropagation?", "What does Adam adapt?"}

        screen.query_one(Input).value = "-is:new deck:optimizers"
        await pilot.press("enter")  # runs at once and returns to the table
        await settle(pilot)
        assert rows(screen) == ["What is momentum?", "What does Adam adapt?"]
        assert screen.query_one("#cards").has_focus

        screen.query_one(Input).value = "is:bogus"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert "unknown is:bogus" in count(screen)


async def test_initial_query_no_match_and_escape(collection) -> None:
    db, _ = collection
    app = BrowseApp(db, 'tag:activation')
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert rows(app.browse) == ["ReLU"]
        app.browse.query_one(Input).value = "nothing-matches-this"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert count(app.browse) == "no cards match"
        assert not app.browse.query_one("#detail").display
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, BrowseScreen)


async def test_selected_card_shows_text_schedule_and_history(collection, utc) -> None:
    db, _ = collection
    app = BrowseApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.browse
        await select_card(pilot, screen, "What is momentum?")
        assert screen.query_one("#detail").display
        schedule = str(screen.query_one("#card-schedule", Static).render())
        assert schedule.startswith("review")
        assert "stability" in schedule and "reps 5" in schedule and "lapses 1" in schedule
        assert "running average of past gradients" in screen.query_one("#card-text").source
        history = screen.query_one("#history", DataTable)
        assert history.row_count == len(MOMENTUM_ANSWERS)
        newest = [str(cell) for cell in history.get_row_at(0)]
        assert newest[0] == "2025-03-02 12:00" and newest[1] == "Easy"
        assert [str(history.get_row_at(i)[1]) for i in range(5)] == ["Easy", "Good", "Again", "Good", "Good"]


async def test_suspend_and_flag_keys_write_the_store(collection) -> None:
    db, ids = collection
    app = BrowseApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.browse
        await select_card(pilot, screen, "ReLU")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        with db.read() as s:
            row = s.scalar(select(CardRow).where(CardRow.id == ids["ReLU"]))
            assert row.suspended and row.flag == 1
        table = screen.query_one("#cards", DataTable)
        assert str(table.get_row(str(ids["ReLU"]))[5]) == "susp flag"
        await pilot.press("s", "f")
        await settle(pilot)
        with db.read() as s:
            row = s.scalar(select(CardRow).where(CardRow.id == ids["ReLU"]))
            assert not row.suspended and row.flag == 0


async def test_the_shell_opens_the_browser_with_b(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BrowseScreen)
        assert "What is a tensor?" in rows(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, BrowseScreen)


def test_browse_snapshot(collection, utc, snap_compare) -> None:
    db, _ = collection
    app = BrowseApp(db)

    async def select_momentum(pilot) -> None:
        await settle(pilot)
        await select_card(pilot, app.browse, "What is momentum?")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=select_momentum)


async def test_tab_and_shift_tab_move_between_search_list_and_card_and_the_footer_says_so(app) -> None:
    """In the real app: tab leaves the search box, so `s` in the list suspends instead of typing."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        query, cards = screen.query_one("#query", Input), screen.query_one("#cards", DataTable)
        assert cards.has_focus
        assert "tab To the card" in screen_text(app)[-1], "\n".join(screen_text(app))
        await press(pilot, "slash", *"deck:bas")
        assert query.has_focus and query.value == "deck:bas"
        assert "tab To the list" in screen_text(app)[-1]
        await press(pilot, "tab")
        assert cards.has_focus
        await press(pilot, "s")  # in the list, `s` suspends the selected card; the query stays
        assert query.value == "deck:bas"
        assert screen._cards[screen._selected_id()].suspended
        await press(pilot, "tab")
        assert screen.query_one("#detail").has_focus
        assert "tab To the search" in screen_text(app)[-1]
        await press(pilot, "tab")
        assert query.has_focus
        await press(pilot, "shift+tab")
        assert screen.query_one("#detail").has_focus
        await press(pilot, "shift+tab", "shift+tab")
        assert query.has_focus
