"""A live demo: one line of title and progress, its point, then its frames as it trains.

Like TensorFlow Playground, the catalogue's parameters sit beside the frames (`p` shows or
hides them): change one and run again (ctrl+r, or enter in a field) without leaving, and
`c` puts the last two runs side by side.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import Worker, WorkerState

from studydl.demos import DemoError, DemoRun, get_spec, resolve_params, run_demo, warm_up
from studydl.demos.verdict import verdict_words
from studydl.domain.demos import DemoSpec, Event, Frame, ParamValue, Progress, Result
from studydl.tui.widgets.demo_compare import RunComparison, RunRecord
from studydl.tui.widgets.demo_params import ParamForm
from studydl.tui.widgets.demo_view import FramePanel, metrics_table

WIDE = 100
"""From this many columns the parameter form shows beside the frames at once."""
KEPT_RUNS = 2
FIRST_FRAME_WAIT_S = 1.0
"""At most this long the worker waits for the screen to paint (itself, then the first frame)."""


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


def result_text(result: Result, wall_s: float | None) -> Text:
    """✓/✗ (or why it stopped early), the time, and the demo's one-paragraph summary."""
    text = Text()
    if result.stopped:
        text.append(f"■ {verdict_words(result)}", style="bold yellow")
    elif result.reached:
        text.append("✓ point reached", style="bold green")
    else:
        text.append("✗ point not reached", style="bold red")
    if wall_s is not None:
        text.append(f" in {wall_s:.1f} s", style="dim")
    if result.summary:
        text.append(f"  {result.summary}")
    return text


class DemoScreen(Screen[None]):
    """Runs one demo in a worker thread; escape cancels it and goes back at once."""

    CSS_PATH = "../styles/demo.tcss"
    TITLE = "Demo"
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("ctrl+r", "rerun", "Run again"),
        Binding("p", "toggle_params", "Parameters"),
        Binding("c", "compare", "Compare runs"),
    ]

    class Status(Message):
        def __init__(self, number: int, text: str) -> None:
            super().__init__()
            self.number, self.text = number, text

    class Update(Message):
        """A new snapshot; a queued one of the same run it supersedes is dropped."""

        def __init__(self, number: int, snapshot: Snapshot) -> None:
            super().__init__()
            self.number, self.snapshot = number, snapshot

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DemoScreen.Update) and message.number == self.number

    class Finished(Message):
        def __init__(self, number: int, result: Result, wall_s: float | None, frames: dict[str, Frame]) -> None:
            super().__init__()
            self.number, self.result, self.wall_s, self.frames = number, result, wall_s, frames

    class Failed(Message):
        def __init__(self, number: int, error: str) -> None:
            super().__init__()
            self.number, self.error = number, error

    def __init__(
        self,
        demo_id: str,
        seed: int = 0,
        overrides: Mapping[str, ParamValue] | None = None,
        *,
        show_timing: bool = True,
    ) -> None:
        super().__init__()
        self.show_timing = show_timing
        """Off for snapshots: wall time is the one thing a fixed seed does not fix."""
        self.demo_id = demo_id
        self.seed = seed
        self.overrides: dict[str, ParamValue] = dict(overrides or {})
        self.spec: DemoSpec | None = None
        self.cancel_event = threading.Event()
        self.finished_event = threading.Event()
        """Set when the current run's worker thread has returned (tests wait on it)."""
        self.finished_event.set()  # no run yet: nothing for the first run to wait for
        self.result: Result | None = None
        self.error: str | None = None
        self.runs: list[RunRecord] = []
        """The last finished runs, oldest first (at most two)."""
        self.number = 0
        """Which run the screen shows; messages from older runs are dropped."""
        self._params: dict[str, ParamValue] = {}
        self._screen_ready = threading.Event()
        """Set once the screen has painted (the first run waits for it, so training starts after)."""
        self._first_frame_shown = threading.Event()
        """Set once the current run's first frame panel has painted."""
        self._was_total = 0
        """The run's length before the run changed it (0: it has not)."""
        self._panels: dict[str, FramePanel] = {}
        self._shown: dict[str, Frame] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="demo-bar"):
            yield Static(self.demo_id, id="demo-title")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="demo-progress")
            yield Static("starting…", id="demo-status")
        with Horizontal(id="demo-body"):
            with VerticalScroll(id="frames"):
                yield Static("", id="demo-teaches")
                yield Static("", id="demo-result")
                yield Static("", id="demo-error")
                yield Vertical(id="frame-list")
                with Vertical(id="live-metrics", classes="frame") as box:
                    box.border_title = "Metrics while training (each on its own scale)"
                    yield Static(id="metrics-table")
            yield VerticalScroll(id="compare")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._screen_ready.set)
        for hidden in ("#demo-result", "#demo-error", "#live-metrics", "#compare"):
            self.query_one(hidden).display = False
        try:
            self.spec = spec = get_spec(self.demo_id)
            self._params = resolve_params(spec, self.overrides)
        except DemoError as exc:
            self.finished_event.set()
            self._show_error(str(exc))
            return
        self.query_one("#demo-title", Static).update(Text(spec.title, style="bold"))
        self.query_one("#demo-teaches", Static).update(Text(spec.teaches, style="italic"))
        self.sub_title = self.demo_id
        if spec.params:
            form = ParamForm(spec, self._params, id="params")
            self.query_one("#demo-body").mount(form, before=0)
            form.display = self.app.size.width >= WIDE
        self._start(self.overrides)

    # -- runs -------------------------------------------------------------------

    def _start(self, overrides: Mapping[str, ParamValue]) -> bool:
        """Cancel the current run (if any) and start one with `overrides`; False if they are bad."""
        try:
            run = run_demo(self.demo_id, seed=self.seed, overrides=overrides, cancel=threading.Event())
        except DemoError as exc:
            self._form_error(str(exc))
            return False
        self._form_error("")
        self.cancel_event.set()
        previous = self.finished_event
        self.cancel_event, self.finished_event = run.cancel_event, threading.Event()
        self.number += 1
        self._first_frame_shown = threading.Event()
        self._params = dict(run.params)
        self.result, self.error = None, None
        self._reset_view()
        self._run(run, self.number, previous, self.finished_event)
        return True

    def _reset_view(self) -> None:
        self._was_total = 0
        self._panels.clear()
        self._shown.clear()
        self.query_one("#frame-list").remove_children()
        for hidden in ("#demo-result", "#demo-error", "#live-metrics"):
            self.query_one(hidden).display = False
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#demo-status", Static).update("starting…")

    def _post(self, number: int, message: Message) -> None:
        if number == self.number and not self.cancel_event.is_set():
            self.post_message(message)

    @work(thread=True, exit_on_error=False, group="demo", description="Demo")
    def _run(self, run: DemoRun, number: int, previous: threading.Event, done: threading.Event) -> None:
        try:
            previous.wait(5)  # let a cancelled run end first: they would share the CPU
            self._screen_ready.wait(FIRST_FRAME_WAIT_S)  # the empty screen paints before training starts
            self._post(number, self.Status(number, "loading torch…"))
            warm_up()
            if run.cancel_event.is_set():
                return  # closed while torch loaded: don't start the demo at all
            self._post(number, self.Status(number, "running"))
            feed = Feed()
            shown = self._first_frame_shown
            for event in run:
                if isinstance(event, Result):
                    self._post(number, self.Finished(number, event, run.wall_s, dict(feed.frames)))
                    continue
                self._post(number, self.Update(number, feed.add(event)))
                if isinstance(event, Frame) and not shown.is_set():
                    # First frame first: training holds the GIL for long stretches, and the
                    # screen would paint its first panel only in the gaps.
                    shown.wait(FIRST_FRAME_WAIT_S)
        except DemoError as exc:
            self._post(number, self.Failed(number, str(exc)))
        finally:
            done.set()

    # -- messages from the worker ------------------------------------------------

    def on_demo_screen_status(self, message: Status) -> None:
        if message.number == self.number:
            self.query_one("#demo-status", Static).update(message.text)

    def on_demo_screen_update(self, message: Update) -> None:
        if message.number != self.number:
            return
        snapshot = message.snapshot
        if snapshot.progress is not None:
            self._show_progress(snapshot.progress)
        table = metrics_table(snapshot.history)
        self.query_one("#live-metrics").display = bool(table)
        if table:
            self.query_one("#metrics-table", Static).update(table)
        frame_list = self.query_one("#frame-list")
        for key, frame in snapshot.frames.items():
            if self._shown.get(key) is frame:
                continue
            self._shown[key] = frame
            if key in self._panels:
                self._panels[key].show(frame)
            else:
                self._panels[key] = panel = FramePanel(frame)
                frame_list.mount(panel)
                self.call_after_refresh(self._first_frame_shown.set)

    def _show_progress(self, progress: Progress) -> None:
        bar = self.query_one(ProgressBar)
        if progress.total and bar.total and progress.total != bar.total and progress.step:
            # The run changed its own length (rnn-vs-lstm ends sooner once the LSTM solved it):
            # the status keeps saying so, or the bar's /1000 -> /750 reads as a glitch.
            self._was_total = int(bar.total)
        bar.update(total=progress.total, progress=progress.step)
        of = f"/{progress.total}" if progress.total else ""
        was = f" (was /{self._was_total})" if self._was_total and progress.total != self._was_total else ""
        self.query_one("#demo-status", Static).update(f"step {progress.step}{of}{was}")
        if progress.message:
            self.query_one("#demo-status", Static).tooltip = progress.message

    def on_demo_screen_finished(self, message: Finished) -> None:
        if message.number != self.number:
            return
        self.result = message.result
        bar = self.query_one(ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self.query_one("#demo-status", Static).update(f"run {message.number} done")
        result = self.query_one("#demo-result", Static)
        result.update(result_text(message.result, message.wall_s if self.show_timing else None))
        result.display = True
        result.set_class(message.result.reached and not message.result.stopped, "reached")
        self.runs = [*self.runs, RunRecord(message.number, dict(self._params), message.result, message.wall_s, message.frames)][-KEPT_RUNS:]
        self.refresh_bindings()

    def on_demo_screen_failed(self, message: Failed) -> None:
        if message.number == self.number:
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

    def _form_error(self, error: str) -> None:
        forms = self.query(ParamForm)
        if forms:
            forms.first().set_error(error)
        if error:
            self.notify(error, severity="error", timeout=8)

    # -- keys --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"rerun", "toggle_params"}:
            return self.spec is not None
        if action == "compare":
            return len(self.runs) >= 2 or None  # None: shown, dimmed, until there are two runs
        return True

    def action_rerun(self) -> None:
        forms = self.query(ParamForm)
        overrides = forms.first().values() if forms else dict(self.overrides)
        if self._start(overrides):
            self.query_one("#compare").display = False
            self.query_one("#frames").display = True

    def on_param_form_run_requested(self, _message: ParamForm.RunRequested) -> None:
        self.action_rerun()

    def action_toggle_params(self) -> None:
        forms = self.query(ParamForm)
        if forms:
            form = forms.first()
            form.display = not form.display
            if form.display:
                form.query("Input, Checkbox, Select").first().focus()

    def action_compare(self) -> None:
        compare = self.query_one("#compare", VerticalScroll)
        frames = self.query_one("#frames")
        if compare.display:
            compare.display, frames.display = False, True
            return
        compare.remove_children()
        compare.mount(RunComparison(self.runs[-2], self.runs[-1]))
        compare.display, frames.display = True, False

    def action_close(self) -> None:
        self._let_go()
        self.dismiss()

    def on_unmount(self) -> None:
        self._let_go()  # the app is closing: let the thread end

    def _let_go(self) -> None:
        """Cancel the run and stop its worker waiting for paints that will not come."""
        self.cancel_event.set()
        self._screen_ready.set()
        self._first_frame_shown.set()
