"""Messages from workers meet any screen stack; every study day comes from the settings' owner."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from studydl.engine.settings import save_changes
from studydl.tui.home_data import load_home_data
from studydl.tui.messages import DecksSynced, HomeLoaded, StoreReady
from studydl.tui.screens.browse import BrowseScreen
from studydl.tui.screens.stats import StatsScreen
from studydl.tui.widgets.charts import CalendarHeatmap
from tests.tui.conftest import FakeClock, settle


async def test_worker_messages_are_safe_with_no_screen_on_the_stack(app) -> None:
    """As when the start-up sync finishes after closing began (or before the first screen is up)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        stack = app._screen_stacks[app.current_mode]
        saved = list(stack)
        stack.clear()
        try:
            loaded = HomeLoaded(load_home_data(app.db, app.clock()), True, 0.0)
            app.on_decks_synced(DecksSynced([], first=False))
            app.on_decks_synced(DecksSynced([], first=True))
            app.on_store_ready(StoreReady(app.db, loaded))
            app.broadcast_changed()
        finally:
            stack.extend(saved)
        await settle(pilot)
        assert app.is_running


async def test_the_stats_calendar_today_is_the_settings_study_day(app, monkeypatch) -> None:
    """Tokyo set, the system on UTC: at 20:00Z on March 1 it is already March 2 in the learner's day."""
    monkeypatch.setenv("TZ", "UTC")
    app.clock = FakeClock(datetime(2026, 3, 1, 20, 0, tzinfo=UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        save_changes(app.db, {"timezone": "Asia/Tokyo"})
        app.action_stats()
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert app.screen.query_one(CalendarHeatmap).today == date(2026, 3, 2)


async def test_the_browser_asks_for_the_study_day_at_each_search(app, study_home) -> None:
    """The zone changed while the browser is open: its next search is on the new study day.

    At 20:00Z on March 10 the UTC day ends at 04:00Z on the 11th, the Tokyo day (already the
    11th there) at 19:00Z on the 11th: a card due at 10:00Z on the 11th is due only in Tokyo.
    """
    app.clock = FakeClock(datetime(2025, 3, 10, 20, 0, tzinfo=UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        save_changes(app.db, {"timezone": "UTC"})
        con = sqlite3.connect(study_home.db_path)
        with con:
            con.execute("UPDATE cards SET state = 2, due = '2025-03-11 10:00:00.000000' WHERE question = 'What is a tensor?'")
        con.close()
        app.action_browse("is:due")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowseScreen) and not browser._cards
        save_changes(app.db, {"timezone": "Asia/Tokyo"})
        browser._start_search()
        await settle(pilot)
        assert [c.question for c in browser._cards.values()] == ["What is a tensor?"]
