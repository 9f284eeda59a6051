"""The statistics screen over real review rows: numbers, calendar, forecast, retention, states."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Static

from studydl.store.db import Database
from studydl.tui.screens.stats import StatsScreen, percent_ticks
from studydl.tui.widgets.charts import BarList, BarPlot, CalendarHeatmap, LinePlot, heat_level
from tests.tui.conftest import settle
from tests.tui.tui_samples import NOW, add_review_log, sample_collection


class StatsApp(App[None]):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.stats_screen = StatsScreen(db, clock=lambda: NOW)

    def on_mount(self) -> None:
        self.push_screen(self.stats_screen)


@pytest.fixture
def reviewed(db: Database, tmp_path: Path, utc) -> tuple[Database, int]:
    ids = sample_collection(db, tmp_path)
    return db, add_review_log(db, ids["ReLU"]) + 5  # plus the momentum card's five answers


async def test_stats_show_numbers_and_charts(reviewed) -> None:
    db, answers = reviewed
    app = StatsApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.stats_screen
        stats = screen.stats
        assert stats is not None and stats.reviews_total == answers
        headline = str(screen.query_one("#headline", Static).render())
        assert f"total {answers:,}" in headline and "retention" in headline

        calendar = screen.query_one(CalendarHeatmap)
        assert calendar.today == date(2025, 3, 14)
        assert sum(calendar.counts.values()) > 0
        drawn = str(calendar.render())
        assert "Mon" in drawn and "Mar" in drawn and "less" in drawn

        bars = dict((label, value) for label, value, _ in screen.query_one(BarList).bars)
        assert bars == {"new": 2, "learning": 1, "review": 2, "relearning": 1, "suspended": 1, "retired": 1}

        forecast = screen.query_one(BarPlot)
        assert forecast.display and "today" in forecast.render().plain
        retention = screen.query_one(LinePlot)
        assert retention.display
        assert not screen.query_one("#no-retention").display


async def test_empty_collection_says_so(db: Database) -> None:
    app = StatsApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.stats_screen
        assert screen.stats is not None and screen.stats.reviews_total == 0
        assert screen.query_one("#no-retention").display
        assert not screen.query_one(LinePlot).display
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, StatsScreen)


def test_heat_levels_and_percent_ticks() -> None:
    assert [heat_level(n, 12) for n in (0, 1, 3, 4, 7, 12, 30)] == [0, 1, 1, 2, 3, 4, 4]
    assert heat_level(5, 0) == 0
    assert percent_ticks([86.0, 90.0, 80.0]) == [70, 80, 90, 100]
    assert percent_ticks([10.0, 100.0]) == [0, 25, 50, 75, 100]


async def test_the_shell_opens_stats_with_s(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert app.screen.stats is not None


def test_stats_snapshot(reviewed, snap_compare) -> None:
    db, _ = reviewed
    assert snap_compare(StatsApp(db), terminal_size=(100, 30), run_before=settle)
