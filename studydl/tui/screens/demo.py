"""A live demo: its title and point at once, then progress, metrics and frames as it trains."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, ProgressBar, Static
from textual.worker import Worker, WorkerState

from studydl.demos import DemoError, DemoRun, get_spec, run_demo, warm_up
from studydl.domain.demos import Event, Frame, ParamValue, Progress, Result
from studydl.tui.widgets.charts import LinePlot
from studydl.tui.widgets.demo_view import FramePanel


@dataclass(frozen=True)
class Snapshot:
    """Everything a run has shown so far; each update carries it whole, so dropping one loses nothing."""

    progress: Progress | None = None
    history: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    """Metric name -> (steps, values) from every Progress so far."""
    frames: dict[str, Frame] = field(default_factory=dict)
    """The newest frame of each key, in order of first appearance."""


class Feed:
    """Folds a run's events into snapshots (in the worker thread)."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.history: dict[str, tuple[list[float], list[float]]] = {}
        self.frames: dict[str, Frame] = {}

    def add(self, event: Event) -> Snapshot:
        if isinstance(event, Progress):
            self.progress = event
            for name, value in event.metrics.items():
                if isinstance(value, int | float) and math.isfinite(value):
                    steps, values = self.history.setdefault(name, ([], []))
                    steps.append(float(event.step))
                    values.append(float(value))
        elif isinstance(event, Frame):
            self.frames[event.key] = event
        history = {name: (list(xs), list(ys)) for name, (xs, ys) in self.history.items()}
        return Snapshot(self.progress, history, dict(self.frames))


def metrics_line(metrics: Mapping[str, float]) -> str:
    return "  ".join(f"{name} {value:.4g}" for name, value in metrics.items())


def result_text(result: Result, wall_s: float | None) -> Text:
    """✓/✗, the summary, the final metrics, and why it stopped early if it did."""
    text = Text()
    if result.stopped:
        text.append(f"■ stopped ({result.stopped})", style="bold yellow")
    elif result.reached:
        text.append("✓ point reached", style="bold green")
    else:
        text.append("✗ point not reached", style="bold red")
    if wall_s is not None:
        text.append(f"  in {wall_s:.1f} s", style="dim")
    if result.summary:
        text.append(f"\n{result.summary}")
    if result.metrics:
        text.append("\n" + metrics_line(result.metrics), style="dim")
    return text


class DemoScreen(Screen[None]):
    """Runs one demo in a worker thread; escape cancels it and goes back at once."""

    CSS_PATH = "../styles/demo.tcss"
    TITLE = "Demo"
    BINDINGS = [Binding("escape", "close", "Back")]

    class Status(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Update(Message):
        """A new snapshot; a queued one it supersedes is dropped."""

        def __init__(self, snapshot: Snapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DemoScreen.Update)

    class Finished(Message):
        def __init__(self, result: Result, wall_s: float | None) -> None:
            super().__init__()
            self.result, self.wall_s = result, wall_s

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, demo_id: str, seed: int = 0, overrides: Mapping[str, ParamValue] | None = None) -> None:
        super().__init__()
        self.demo_id = demo_id
        self.seed = seed
        self.overrides = dict(overrides or {})
        self.cancel_event = threading.Event()
        self.finished_event = threading.Event()
        """Set when the worker thread has returned (tests wait on it after a cancel)."""
        self.result: Result | None = None
        self.error: str | None = None
        self._panels: dict[str, FramePanel] = {}
        self._shown: dict[str, Frame] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="demo-head"):
            yield Static(self.demo_id, id="demo-title")
            yield Static("", id="demo-teaches")
            yield Static("starting…", id="demo-status")
            yield ProgressBar(total=None, show_eta=False, id="demo-progress")
            yield Static("", id="demo-result")
            yield Static("", id="demo-error")
        with VerticalScroll(id="frames"), Vertical(id="live-metrics", classes="frame") as box:
            box.border_title = "Metrics while training"
            yield LinePlot(id="metrics-plot")
        yield Footer()

    def on_mount(self) -> None:
        for hidden in ("#demo-result", "#demo-error", "#live-metrics"):
            self.query_one(hidden).display = False
        try:
            spec = get_spec(self.demo_id)
            self.query_one("#demo-title", Static).update(Text(spec.title, style="bold"))
            self.query_one("#demo-teaches", Static).update(Text(spec.teaches, style="italic"))
            run = run_demo(self.demo_id, seed=self.seed, overrides=self.overrides, cancel=self.cancel_event)
        except DemoError as exc:
            self.finished_event.set()
            self._show_error(str(exc))
            return
        self.sub_title = self.demo_id
        self._run(run)

    # -- the worker ------------------------------------------------------------

    def _post(self, message: Message) -> None:
        if not self.cancel_event.is_set():
            self.post_message(message)

    @work(thread=True, exit_on_error=False, group="demo", description="Demo")
    def _run(self, run: DemoRun) -> None:
        try:
            self._post(self.Status("loading torch…"))
            warm_up()
            if self.cancel_event.is_set():
                return  # closed while torch loaded: don't start the demo at all
            self._post(self.Status("running"))
            feed = Feed()
            for event in run:
                if isinstance(event, Result):
                    self._post(self.Finished(event, run.wall_s))
                else:
                    self._post(self.Update(feed.add(event)))
        except DemoError as exc:
            self._post(self.Failed(str(exc)))
        finally:
            self.finished_event.set()

    # -- messages from the worker ------------------------------------------------

    def on_demo_screen_status(self, message: Status) -> None:
        self.query_one("#demo-status", Static).update(message.text)

    def on_demo_screen_update(self, message: Update) -> None:
        snapshot = message.snapshot
        if snapshot.progress is not None:
            self._show_progress(snapshot.progress)
        if any(len(xs) > 1 for xs, _ in snapshot.history.values()):
            self.query_one("#live-metrics").display = True
            self.query_one("#metrics-plot", LinePlot).show(snapshot.history, x_label="step")
        frames = self.query_one("#frames", VerticalScroll)
        for key, frame in snapshot.frames.items():
            if self._shown.get(key) is frame:
                continue
            self._shown[key] = frame
            if key in self._panels:
                self._panels[key].show(frame)
            else:
                self._panels[key] = panel = FramePanel(frame)
                frames.mount(panel)

    def _show_progress(self, progress: Progress) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=progress.total, progress=progress.step)
        of = f"/{progress.total}" if progress.total else ""
        line = f"step {progress.step}{of}  {metrics_line(progress.metrics)}"
        if progress.message:
            line += f"  · {progress.message}"
        self.query_one("#demo-status", Static).update(line)

    def on_demo_screen_finished(self, message: Finished) -> None:
        self.result = message.result
        bar = self.query_one(ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self.query_one("#demo-status", Static).update("finished")
        result = self.query_one("#demo-result", Static)
        result.update(result_text(message.result, message.wall_s))
        result.display = True
        result.set_class(message.result.reached and not message.result.stopped, "reached")

    def on_demo_screen_failed(self, message: Failed) -> None:
        self._show_error(message.error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "demo":
            error = event.worker.error
            self._show_error(f"{type(error).__name__}: {error}")

    def _show_error(self, error: str) -> None:
        self.error = error
        self.query_one("#demo-status", Static).update("failed")
        self.query_one(ProgressBar).display = False
        panel = self.query_one("#demo-error", Static)
        panel.update(Text(error, style="bold red"))
        panel.display = True

    # -- keys --------------------------------------------------------------------

    def action_close(self) -> None:
        self.cancel_event.set()
        self.dismiss()

    def on_unmount(self) -> None:
        self.cancel_event.set()  # the app is closing: let the thread end
