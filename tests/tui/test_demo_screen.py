"""The demo screen running real demos (real torch, small sizes): result, cancel, errors, drawing."""

from __future__ import annotations

import asyncio
import functools
import math
import textwrap
from pathlib import Path

import pytest
from textual.app import App
from textual.message import Message
from textual.widgets import Static

from studydl.demos import get_spec, run_demo
from studydl.domain.demos import Curves, Paths, Progress, Scatter
from studydl.tui.screens import demo as demo_module
from studydl.tui.screens.demo import DemoScreen, Feed
from studydl.tui.widgets.demo_view import FramePanel
from tests.tui.conftest import HANG_S, settle
from tests.tui.demo_app import DemoApp


async def finish(pilot, screen: DemoScreen, timeout: float = HANG_S) -> None:
    """Wait for the worker thread to return, then for the messages it posted."""
    assert await asyncio.to_thread(screen.finished_event.wait, timeout)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def test_a_fast_demo_runs_to_its_result() -> None:
    screen = DemoScreen("xor-mlp", seed=0, overrides={"steps": "400", "lr": "0.1"})
    app = DemoApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert str(screen.query_one("#demo-title", Static).render()) == get_spec("xor-mlp").title
        await finish(pilot, screen)
        assert screen.error is None
        assert screen.result is not None and screen.result.reached
        shown = str(screen.query_one("#demo-result", Static).render())
        assert "✓" in shown and "XOR accuracy 100%" in shown
        assert screen.query_one("#live-metrics").display
        kinds = {type(panel.frame).__name__ for panel in screen.query(FramePanel)}
        assert kinds == {"Boundary", "Curves"}


async def test_escape_cancels_a_running_demo_promptly() -> None:
    screen = DemoScreen("xor-mlp", overrides={"steps": "20000", "target_loss": "0"})
    app = DemoApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):  # until the first step is on screen (torch may take a while to load)
            await pilot.pause(0.05)
            if str(screen.query_one("#demo-status", Static).render()).startswith("step"):
                break
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DemoScreen)
        assert screen.cancel_event.is_set()
        assert await asyncio.to_thread(screen.finished_event.wait, HANG_S), "the worker thread kept running"
        await app.workers.wait_for_complete()
        assert screen.result is None  # the cancelled run's Result was not shown on the closed screen


async def test_unknown_demo_shows_a_message_and_the_app_runs_on() -> None:
    screen = DemoScreen("no-such-demo")
    app = DemoApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert screen.error is not None and "unknown demo 'no-such-demo'" in screen.error
        assert screen.query_one("#demo-error").display
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, DemoScreen)


async def test_bad_parameter_shows_the_valid_ones() -> None:
    screen = DemoScreen("xor-mlp", overrides={"steps": "lots"})
    async with DemoApp(screen).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert screen.error is not None and "steps" in screen.error


BOOM = '''
from studydl.domain.demos import DemoSpec, Progress

SPEC = DemoSpec(id="boom", title="Boom", teaches="A failing demo shows its error, not a traceback.")


def run(ctx):
    yield Progress(1, 2, {"loss": 1.0})
    raise ValueError("the loss went NaN")
'''


async def test_a_demo_that_raises_shows_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "demos"
    folder.mkdir()
    (folder / "boom.py").write_text(textwrap.dedent(BOOM), encoding="utf-8")
    monkeypatch.setattr(demo_module, "get_spec", functools.partial(get_spec, demos_dir=folder))
    monkeypatch.setattr(demo_module, "run_demo", functools.partial(run_demo, demos_dir=folder))
    screen = DemoScreen("boom")
    app = DemoApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await finish(pilot, screen)
        assert screen.error == "demo 'boom' failed: ValueError: the loss went NaN"
        assert "the loss went NaN" in str(screen.query_one("#demo-error", Static).render())
        assert "Traceback" not in str(screen.query_one("#demo-error", Static).render())
        assert app.is_running


def test_updates_replace_each_other_but_keep_everything() -> None:
    feed = Feed()
    first = DemoScreen.Update(1, feed.add(Progress(1, 10, {"loss": 1.0})))
    second = DemoScreen.Update(1, feed.add(Progress(2, 10, {"loss": 0.5})))
    assert first.can_replace(second) and not first.can_replace(Message())
    assert not DemoScreen.Update(2, Feed().add(Progress(1, 10))).can_replace(first)  # another run
    assert second.snapshot.history == {"loss": ([1.0, 2.0], [1.0, 0.5])}
    assert first.snapshot.history == {"loss": ([1.0], [1.0])}  # snapshots are copies


async def test_the_review_screen_opens_a_cards_demo_with_d(app) -> None:
    from studydl.tui.screens.review import ReviewScreen
    from tests.tui.conftest import press

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await press(pilot, "enter")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        for _ in range(6):  # answer Good until the card with a demo comes up
            if review.due is not None and review.due.card.demo_id:
                break
            await press(pilot, "space", "3")
        assert review.due is not None and review.due.card.demo_id == "xor-mlp"
        await press(pilot, "d")
        assert isinstance(app.screen, DemoScreen) and app.screen.demo_id == "xor-mlp"
        demo = app.screen
        assert str(demo.query_one("#demo-title", Static).render()) == get_spec("xor-mlp").title
        await pilot.press("escape")
        assert await asyncio.to_thread(demo.finished_event.wait, HANG_S)
        await settle(pilot)
        assert app.screen is review


async def test_a_review_of_a_deck_with_demos_warms_torch_in_the_background(app, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from studydl.demos import torch_env
    from studydl.store.queries import has_demo_cards
    from studydl.tui import demo_warmup

    monkeypatch.setattr(demo_warmup, "_started", threading.Event())
    started: list[threading.Thread] = []
    original = demo_warmup.warm_demos_if_needed

    def spy(db, deck):  # noqa: ANN001, ANN202
        thread = original(db, deck)
        if thread is not None:
            started.append(thread)
        return thread

    monkeypatch.setattr(demo_warmup, "warm_demos_if_needed", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        with app.db.read() as session:
            assert has_demo_cards(session, "Basics") and not has_demo_cards(session, "second")
        await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert len(started) == 1
        await asyncio.to_thread(started[0].join, 60)
        assert torch_env._warm is not None
        import sys

        assert "studydl.tui.screens.demo" in sys.modules


XOR = {"steps": "400", "lr": "0.1"}


async def test_parameters_change_and_the_demo_reruns_in_place_then_compares() -> None:
    from textual.widgets import Input

    screen = DemoScreen("xor-mlp", overrides=XOR)
    app = DemoApp(screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await finish(pilot, screen)
        assert screen.query_one("#params").display  # wide enough: the form is open
        hidden = screen.query_one("#param-hidden", Input)
        assert hidden.value == "8"
        hidden.value = "lots"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.number == 1 and "hidden" in str(screen.query_one(".param-error", Static).render())
        hidden.value = "2"
        await pilot.press("ctrl+r")
        await finish(pilot, screen)
        assert screen.number == 2 and app.screen is screen  # re-ran without leaving
        assert [run.params["hidden"] for run in screen.runs] == [8, 2]
        await pilot.press("c")
        await settle(pilot)
        assert screen.query_one("#compare").display and not screen.query_one("#frames").display
        table = screen.query_one(".compare-table", Static)
        assert "changed hidden" in table.border_title
        rows = screen.query(".compare-row")
        assert len(rows) == 2 and all(len(row.query(FramePanel)) == 2 for row in rows)
        await pilot.press("c")
        await settle(pilot)
        assert screen.query_one("#frames").display


async def test_at_80_columns_the_form_waits_for_p() -> None:
    screen = DemoScreen("xor-mlp", overrides=XOR)
    async with DemoApp(screen).run_test(size=(80, 24)) as pilot:
        await finish(pilot, screen)
        assert not screen.query_one("#params").display
        await pilot.press("p")
        await settle(pilot)
        assert screen.query_one("#params").display


class PanelsApp(App[None]):
    def __init__(self, frames: list) -> None:
        super().__init__()
        self.frames = frames

    def compose(self):  # noqa: ANN201
        for frame in self.frames:
            yield FramePanel(frame)


async def test_plots_leave_out_what_cannot_be_drawn_and_say_so() -> None:
    # plotext raised "cannot convert float NaN to integer" on these and took the screen down.
    nan, inf = math.nan, math.inf
    frames = [
        Curves("a", "nan and inf", {"loss": ([1, 2, 3, 4], [1.0, nan, inf, 2.0])}),
        Curves("b", "overflowing", {"loss": ([1, 2], [1e308, -1e308]), "ok": ([1, 2], [1.0, 2.0])}),
        Curves("c", "log of zero", {"loss": ([1, 2, 3], [1.0, 0.0, 0.1])}, log_y=True, log_x=True),
        Scatter("d", "inf points", {"s": ([1.0, inf, 2.0], [1.0, 2.0, nan])}),
        Paths("e", "a path that blew up", paths={"p": ([0.0, 1.0, nan], [0.0, 1.0, inf])}),
    ]
    app = PanelsApp(frames)
    async with app.run_test(size=(100, 90)) as pilot:
        await pilot.pause()
        legends = {panel.frame.key: str(panel.query_one(".legend", Static).content) for panel in app.query(FramePanel)}
        assert "2 points not drawn" in legends["a"]
        assert "2 points not drawn" in legends["b"]
        assert "1 point not drawn" in legends["c"]
        assert "2 points not drawn" in legends["d"]
        assert "1 point not drawn" in legends["e"]
        for panel in app.query(FramePanel):
            assert "could not be drawn" not in str(panel.query_one(".view").render())


@pytest.mark.parametrize("width", [40, 50, 60])
async def test_a_narrow_plot_labels_both_sides_of_its_x_axis(width: int) -> None:
    # activations with span 8 beside the parameter form: the x axis showed only "0".
    xs = [x / 10 for x in range(-80, 81)]
    app = PanelsApp([Curves("f", "sigmoid", {"sigmoid": (xs, [1 / (1 + math.exp(-x)) for x in xs])}, x_label="x")])
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        plot = str(app.query_one(FramePanel).query_one(".view").render())
        ticks = next(line for line in reversed(plot.splitlines()) if line.split() and line.split()[0] in ("-5", "0", "-8"))
        assert len(ticks.split()) >= 2, ticks
