"""Statistics: headline numbers, answers per day as a calendar, forecast, retention, card states,
and the workload each desired retention would bring (simulated once the rest is on screen)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from studydl.engine.settings import load_settings
from studydl.engine.simulate import SWEEP_DAYS, WorkloadPoint
from studydl.engine.stats import Stats, collection_stats
from studydl.store.db import Database
from studydl.tui.messages import DecksChanged
from studydl.tui.widgets.charts import (
    BarList,
    BarPlot,
    CalendarHeatmap,
    LinePlot,
    MarkedCurvePlot,
    hex_colour,
    series_colour,
)

STATE_BARS = (
    ("new", "blue"),
    ("learning", "dark_orange"),
    ("review", "green"),
    ("relearning", "red"),
    ("suspended", "yellow"),
    ("retired", "grey50"),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def headline(stats: Stats) -> Text:
    """Today's answers and time, the total, 30-day retention and what is due soon."""
    minutes, seconds = divmod(round(stats.time_today_s), 60)
    cards = sum(n for state, n in stats.state_counts.items() if state != "retired")
    retention = retention_figure(stats)
    due = stats.forecast + [0, 0]
    parts = [
        ("today ", f"{stats.reviews_today:,}{f' ({stats.cram_today:,} cram)' if stats.cram_today else ''} in {minutes}m{seconds:02d}s"),
        ("total ", f"{stats.reviews_total:,}"),
        ("retention ", retention),
        ("due ", f"{due[0]:,} today, {due[1]:,} tomorrow"),
        ("cards ", f"{cards:,}"),
    ]
    text = Text()
    for i, (label, value) in enumerate(parts):
        if i:
            text.append(" · ", style="dim")
        text.append(label, style="dim")
        text.append(value, style="bold")
    return text


def retention_figure(stats: Stats) -> str:
    """`91% (30 d)` over review cards; before any review card, today's share of answers not Again."""
    if stats.retention_30d is not None:
        return f"{stats.retention_30d:.0%} (30 d)"
    if stats.reviews_today:
        return f"– ({stats.correct_today / stats.reviews_today:.0%} correct today)"
    return "–"


def forecast_ticks(days: int) -> list[tuple[float, str]]:
    return [(0.0, "today")] + [(float(d), f"+{d}d") for d in range(7, days, 7)]


def retention_series(weeks: list[tuple[date, float]]) -> tuple[list[float], list[float], list[tuple[float, str]]]:
    """x = week index, y = percent, a date tick per week (the plot keeps those that fit)."""
    xs = [float(i) for i in range(len(weeks))]
    ys = [round(100 * value, 1) for _, value in weeks]
    ticks = [(float(i), monday.strftime("%b %d")) for i, (monday, _) in enumerate(weeks)]
    return xs, ys, ticks


def percent_ticks(ys: list[float]) -> list[int]:
    """From a round ten below the lowest value up to 100, in up to five steps."""
    low = max(0, int(min(ys, default=0) - 5) // 10 * 10)
    step = max(5, math.ceil(math.ceil((100 - low) / 4) / 5) * 5)
    return list(range(low, 101, step))


def workload_table(points: list[WorkloadPoint], current: float) -> Text:
    """Retention, answers and minutes a day, one row per simulated retention, the current one marked."""
    text = Text(f"{'target':<7}{'answers':>8}{'min':>6}\n", style="dim")
    marked = hex_colour(series_colour(1))
    for point in sorted(points, key=lambda p: p.retention):
        now = abs(point.retention - current) < 1e-9
        line = f"{point.retention:<7.0%}{point.reviews_per_day:>8.1f}{point.minutes_per_day:>6.1f}"
        text.append(line, style=f"bold {marked}" if now else "")
        text.append(" ● now\n" if now else "\n", style=marked)
    return text


class StatsScreen(Screen[None]):
    """How the collection is doing, in charts."""

    CSS_PATH = "../styles/stats.tcss"
    TITLE = "Statistics"
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("r", "reload", "Reload"),
        Binding("w", "workload", "Workload by retention"),
    ]

    class Loaded(Message):
        def __init__(self, stats: Stats, today: date) -> None:
            super().__init__()
            self.stats, self.today = stats, today

    class WorkloadProgress(Message):
        """The retentions simulated so far (the current one first), of `total`."""

        def __init__(self, points: tuple[WorkloadPoint, ...], total: int, current: float, cards: int) -> None:
            super().__init__()
            self.points, self.total, self.current, self.cards = points, total, current, cards

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.stats: Stats | None = None
        self.workload: tuple[WorkloadPoint, ...] = ()
        """The simulated retentions, once all are done."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats"):
            yield Static("Loading statistics…", id="headline")
            with Horizontal(id="top-row"):
                with Vertical(id="calendar-box", classes="panel") as box:
                    box.border_title = "Answers per day"
                    yield CalendarHeatmap(id="calendar")
                with Vertical(id="states-box", classes="panel") as box:
                    box.border_title = "Cards by state"
                    yield BarList(id="states")
            with Horizontal(id="plots-row"):
                with Vertical(id="forecast-box", classes="panel") as box:
                    box.border_title = "Due in the next 30 days"
                    yield BarPlot(id="forecast")
                with Vertical(id="retention-box", classes="panel") as box:
                    box.border_title = "Retention by week (% not Again)"
                    yield LinePlot(id="retention")
                    yield Static("No review answers yet.", id="no-retention", classes="empty")
            with Horizontal(id="workload-row"):
                with Vertical(id="workload-box", classes="panel") as box:
                    box.border_title = "Answers a day by desired retention"
                    yield MarkedCurvePlot(id="workload")
                    yield Static("Simulating your workload…", id="no-workload", classes="empty")
                with Vertical(id="workload-table-box", classes="panel") as box:
                    box.border_title = "A day"
                    yield Static("", id="workload-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#retention").display = False
        self.query_one("#workload").display = False
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    def action_close(self) -> None:
        self.dismiss()

    def action_workload(self) -> None:
        """Scroll the workload chart into view."""
        self.query_one("#stats", VerticalScroll).scroll_to_widget(self.query_one("#workload-row"), animate=False, top=True)

    def on_decks_changed(self, _message: DecksChanged) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False, description="Loading statistics")
    def _load(self) -> None:
        now = self.clock()
        settings = load_settings(self.db)
        stats = collection_stats(self.db, now, settings)
        today = settings.study_days().date_of(now)  # the settings' zone and day start, as the engine's
        self.post_message(self.Loaded(stats, today))

    def on_stats_screen_loaded(self, message: Loaded) -> None:
        stats = self.stats = message.stats
        self.query_one("#headline", Static).update(headline(stats))
        calendar = self.query_one(CalendarHeatmap)
        calendar.today = message.today
        calendar.counts = dict(stats.reviews_per_day)
        self.query_one("#calendar-box").border_subtitle = calendar.summary()
        self.query_one(BarList).bars = tuple(
            (name, stats.state_counts.get(name, 0), colour) for name, colour in STATE_BARS
        )
        self.query_one(BarPlot).show(stats.forecast, forecast_ticks(len(stats.forecast)), colour="cyan")
        has_retention = bool(stats.retention_by_week)
        self.query_one("#retention").display = has_retention
        self.query_one("#no-retention").display = not has_retention
        if has_retention:
            xs, ys, ticks = retention_series(stats.retention_by_week)
            y_ticks = percent_ticks(ys)
            self.query_one(LinePlot).show({"retention": (xs, ys)}, ticks=ticks, y_range=(y_ticks[0], 100), y_ticks=y_ticks)
        self._simulate()  # after the rest is on screen: it takes seconds on a large collection

    @work(thread=True, exclusive=True, group="workload", exit_on_error=False, description="Simulating the workload")
    def _simulate(self) -> None:
        """The workload simulator on the learner's cards: the current retention first, then the others in one pass."""
        from studydl.engine.simulate import sweep_retentions, workload_by_retention
        from studydl.engine.workload_cards import load_workload

        worker = get_current_worker()
        settings = load_settings(self.db)
        workload = load_workload(self.db, self.clock(), settings)
        retentions = sweep_retentions(settings.desired_retention)
        points: list[WorkloadPoint] = []
        for point in workload_by_retention(workload, retentions, SWEEP_DAYS, stop=lambda: worker.is_cancelled):
            points.append(point)
            self.post_message(self.WorkloadProgress(tuple(points), len(retentions), settings.desired_retention, workload.cards))

    def on_stats_screen_workload_progress(self, message: WorkloadProgress) -> None:
        box = self.query_one("#workload-box")
        plot = self.query_one(MarkedCurvePlot)
        if not message.cards:
            plot.display = False
            self.query_one("#no-workload", Static).update("No cards to simulate yet.")
            self.query_one("#workload-table", Static).update("")
            return
        points = sorted(message.points, key=lambda p: p.retention)
        xs = [round(100 * p.retention, 2) for p in points]
        ys = [p.reviews_per_day for p in points]
        current = next(p for p in points if abs(p.retention - message.current) < 1e-9)
        # Labels every 5 %: 95 and 97 (or the setting beside a round value) would collide, and
        # plotext settles collisions differently from run to run.
        ticks = [(float(x), f"{x}%") for x in range(70, 100, 5)]
        plot.show(xs, ys, ticks=ticks, marked=(round(100 * current.retention, 2), current.reviews_per_day))
        plot.display = True
        self.query_one("#no-workload").display = False
        self.query_one("#workload-table", Static).update(workload_table(points, message.current))
        done = len(points) == message.total
        if done:
            self.workload = tuple(points)
        box.border_subtitle = (
            f"● yours ({message.current:.0%}) · over the next {SWEEP_DAYS} days"
            if done
            else f"simulating {len(points)} of {message.total}…"
        )
        self.query_one("#workload-table-box").border_subtitle = f"{message.cards:,} cards simulated" if done else ""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "stats":
            self.query_one("#headline", Static).update(
                Text.assemble(("Could not load statistics: ", "bold red"), str(event.worker.error))
            )
        elif event.state == WorkerState.ERROR and event.worker.group == "workload":
            self.query_one("#no-workload", Static).update(
                Text.assemble(("Could not simulate the workload: ", "bold red"), str(event.worker.error))
            )
            self.query_one("#no-workload").display = True
            self.query_one(MarkedCurvePlot).display = False
