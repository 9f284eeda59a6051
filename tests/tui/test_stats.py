"""The statistics screen over real review rows: numbers, calendar, forecast, retention, states, workload."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Static

from studydl.engine.settings import load_settings, save_setting
from studydl.engine.simulate import SWEEP_DAYS, clear_cache, sweep_retentions, workload_by_retention
from studydl.engine.workload_cards import load_workload
from studydl.store.db import Database
from studydl.tui.screens.stats import StatsScreen, percent_ticks
from studydl.tui.widgets.charts import (
    BarList,
    BarPlot,
    CalendarHeatmap,
    LinePlot,
    MarkedCurvePlot,
    heat_level,
    nice_ticks,
)
from tests.tui.conftest import settle
from tests.tui.tui_samples import NOW, add_review_log, sample_collection


class StatsApp(App[None]):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.stats_screen = StatsScreen(db, clock=lambda: NOW)
        self.stats_shown_first: list[bool] = []
        """For each workload point as it arrived: were the statistics already on screen?"""

    def on_mount(self) -> None:
        self.push_screen(self.stats_screen)

    def on_stats_screen_workload_progress(self, _message: StatsScreen.WorkloadProgress) -> None:
        self.stats_shown_first.append(self.stats_screen.stats is not None)


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
    assert nice_ticks(0.66) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8])
    assert nice_ticks(37.0) == [0, 10, 20, 30, 40] and nice_ticks(0) == [0.0, 1.0]


async def test_workload_by_retention_from_the_learners_cards(reviewed) -> None:
    """The chart compares the retentions on the learner's own cards, the current one marked, after the rest."""
    db, _ = reviewed
    app = StatsApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.stats_screen
        points = screen.workload
        assert [p.retention for p in points] == [0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97]
        answers = [p.reviews_per_day for p in points]
        assert answers == sorted(answers) and answers[0] < answers[-1]
        assert app.stats_shown_first and all(app.stats_shown_first)
        # The same figures as the engine gives for these cards, settings and log, simulated afresh.
        clear_cache()
        settings = load_settings(db)
        workload = load_workload(db, NOW, settings)
        expected = sorted(
            workload_by_retention(workload, sweep_retentions(settings.desired_retention), SWEEP_DAYS),
            key=lambda p: p.retention,
        )
        assert list(points) == expected
        table = str(screen.query_one("#workload-table", Static).render())
        marked = [line for line in table.splitlines() if "now" in line]
        assert len(marked) == 1 and marked[0].startswith("90%")
        assert screen.query_one(MarkedCurvePlot).display and not screen.query_one("#no-workload").display
        assert "yours (90%)" in str(screen.query_one("#workload-box").border_subtitle)

        row = screen.query_one("#workload-row")
        assert row.region.y >= 30 or row.region.bottom > 30  # below the fold at first
        await pilot.press("w")
        await settle(pilot)
        assert screen.query_one("#stats").scroll_y > 0
        assert 0 <= row.region.y < 30


async def test_workload_follows_the_retention_setting(reviewed) -> None:
    db, _ = reviewed
    save_setting(db, "desired_retention", 0.83)
    app = StatsApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.stats_screen
        assert [p.retention for p in screen.workload] == [0.7, 0.75, 0.8, 0.83, 0.85, 0.9, 0.95, 0.97]
        table = str(screen.query_one("#workload-table", Static).render())
        assert [line.split()[0] for line in table.splitlines() if "now" in line] == ["83%"]


async def test_no_cards_no_workload(db: Database) -> None:
    app = StatsApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.stats_screen
        assert "No cards to simulate yet." in str(screen.query_one("#no-workload", Static).render())
        assert not screen.query_one(MarkedCurvePlot).display


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


async def scroll_to_workload(pilot) -> None:
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_workload_snapshot(reviewed, snap_compare, size: tuple[int, int]) -> None:
    db, _ = reviewed
    assert snap_compare(StatsApp(db), terminal_size=size, run_before=scroll_to_workload)
