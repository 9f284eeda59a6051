"""The demo screen's step-through view (`s`): keys move the selection, the numbers follow it.

Each demo's recorded run (tests/demos/recorded.py: real torch, defaults, seed 0) is replayed
through the screen; the view then shows the model's own numbers for what the keys select.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from studydl.demos import inspect
from studydl.demos.pictures.steps import num
from studydl.domain.demos import AttentionInspect, ConvInspect, GradSteps
from studydl.tui.screens import demo as demo_module
from studydl.tui.screens.demo import DemoScreen
from studydl.tui.widgets.demo_view import FramePanel
from studydl.tui.widgets.step_through import StepThrough
from tests.demos.recorded import record, recordings, replayer  # noqa: F401
from tests.tui.conftest import screen_text, settle
from tests.tui.demo_app import DemoApp

SIZES = [(80, 24), (120, 40)]


async def finished(pilot, screen: DemoScreen) -> None:  # noqa: ANN001
    assert await asyncio.to_thread(screen.finished_event.wait, 60)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def opened(pilot, screen: DemoScreen) -> StepThrough:  # noqa: ANN001
    """Wait for the replayed run to end, then press `s`."""
    await finished(pilot, screen)
    await pilot.press("s")
    await settle(pilot)
    view = screen.query_one(StepThrough)
    assert view.has_focus and screen.stepping and not screen.query_one("#frames").display
    return view


async def keys(pilot, *names: str) -> None:  # noqa: ANN001
    for name in names:
        await pilot.press(name)
    await settle(pilot)


def shown(app) -> str:  # noqa: ANN001
    return "\n".join(screen_text(app))


def replay(monkeypatch: pytest.MonkeyPatch, demo_id: str, folder: Path) -> DemoApp:
    monkeypatch.setattr(demo_module, "run_demo", replayer(record(demo_id, folder)))
    return DemoApp(DemoScreen(demo_id, show_timing=False))


async def test_conv_keys_move_the_cell_step_the_kernel_and_switch_maps(recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    app = replay(monkeypatch, "cnn", recordings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.demo
        view = await opened(pilot, screen)
        frame = view.frame
        assert isinstance(frame, ConvInspect)
        row, col = frame.at
        assert view.selection == inspect.Selection(0, row, col)
        footer = screen_text(app)[-1]
        assert "Move" in footer and "np Step" in footer and "[] Map" in footer and "s Frames" in footer
        assert "Run again" not in footer and "Compare" not in footer  # `s` goes back first

        await keys(pilot, "right", "j")  # one column right, one row down
        assert view.selection == inspect.Selection(0, row + 1, col + 1)
        cell = inspect.conv_cell(frame, view.selection)
        assert f"Output ({row + 1}, {col + 1}) of" in shown(app)
        assert f"the layer's own output at ({row + 1}, {col + 1}): {num(cell.output)} ✓" in shown(app)

        await keys(pilot, "n")  # the kernel's next position: one column on
        assert view.selection == inspect.Selection(0, row + 1, col + 2)
        await keys(pilot, "p", "p", "h", "k")
        assert view.selection == inspect.Selection(0, row, col - 1)

        await keys(pilot, "right_square_bracket")
        assert view.selection.map == 1 and f"map {frame.names[1]} (2 of {len(frame.kernels)})" in shown(app)
        await keys(pilot, "left_square_bracket", "left_square_bracket")  # stops at the first map
        assert view.selection.map == 0

        await keys(pilot, "s")
        assert not screen.stepping and screen.query_one("#frames").display


async def test_the_frame_list_opens_with_an_invitation_to_step_through(recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    app = replay(monkeypatch, "conv-arithmetic", recordings)
    async with app.run_test(size=(80, 24)) as pilot:
        await finished(pilot, app.demo)
        panels = list(app.demo.query(FramePanel))
        assert isinstance(panels[0].frame, ConvInspect)  # first, above the run's other frames
        assert "s pick any cell of the 6×6 output and see its input window" in shown(app)
        assert "s Step" not in screen_text(app)[-1]  # the panel says it; the footer keeps room for k
        await keys(pilot, "s")
        assert app.demo.stepping and "s Frames" in screen_text(app)[-1]


async def test_backprop_n_and_p_walk_the_nodes_in_backprop_order(recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    app = replay(monkeypatch, "backprop", recordings)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot, app.demo)
        frame = view.frame
        assert isinstance(frame, GradSteps) and view.selection.row == 0
        assert "dL/dL = 1" in shown(app)
        footer = screen_text(app)[-1]
        assert "↑k↓j" in footer and "←h" not in footer and "[] Map" not in footer  # a chain has no columns, no maps

        await keys(pilot, "n", "n")
        assert frame.nodes[view.selection.row].name == "z_out"
        assert "dL/dz_out = dL/dout × out(1 − out)" in shown(app)
        for _ in range(len(frame.nodes)):
            await pilot.press("n")
        await settle(pilot)
        last = frame.nodes[-1]
        assert view.selection.row == len(frame.nodes) - 1  # stops at the last node
        chain = inspect.chain(frame, view.selection)
        assert f"Step {len(frame.nodes)} of {len(frame.nodes)}: dL/d{last.name}" in shown(app)
        assert f"autograd: {num(chain.autograd, True)} ✓" in shown(app)
        await keys(pilot, "p", "k")
        assert view.selection.row == len(frame.nodes) - 3


async def test_attention_up_down_pick_the_query_left_right_a_key(recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    app = replay(monkeypatch, "transformer", recordings)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot, app.demo)
        frame = view.frame
        assert isinstance(frame, AttentionInspect)
        query = frame.at
        assert f"Query {query} “{frame.queries[query]}”" in shown(app)
        await keys(pilot, "down")
        assert view.selection.row == query + 1
        heaviest = max(range(len(frame.keys)), key=lambda k: frame.weights[query + 1][k])
        assert view.selection.col == heaviest  # a new query: the key it reads most
        await keys(pilot, "l")
        assert view.selection.col == min(heaviest + 1, len(frame.keys) - 1)
        text = shown(app)
        assert "the mix is the head's output in all" in text and "the softmax is the model's attention weights" in text
        assert "✗" not in text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("demo_id", "presses"), [("cnn", ("n",)), ("backprop", ("n", "n", "n", "n", "n", "n", "n", "n")), ("transformer", ())])
def test_step_through_snapshots(
    demo_id: str, presses: tuple[str, ...], size: tuple[int, int], recordings: Path, snap_compare, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001, F811
) -> None:
    app = replay(monkeypatch, demo_id, recordings)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await opened(pilot, pilot.app.screen)
        await keys(pilot, *presses)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
