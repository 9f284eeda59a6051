"""Every demo on the demo screen at 80x24 and 120x40, at its final frames.

Each demo is trained once per session (real torch, defaults, seed 0; tests/demos/recorded.py)
and its events are replayed through the demo screen's own worker. Two snapshots per demo
and size: the top of the screen (point, result, first frames) and the end of the frame
list (last frames, metrics). Before the first, every frame panel is checked to fit: no
picture or table wider than its panel, no title cut.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.table import Table as RichTable
from textual.widgets import Static

from studydl.demos.pictures import BoundaryArt, HeatmapArt, ImageGrid
from studydl.tui.screens import demo as demo_module
from studydl.tui.screens.demo import DemoScreen
from studydl.tui.widgets.demo_view import FramePanel
from tests.demos.fit import needed_width
from tests.demos.recorded import DEMO_IDS, OVERRIDES, record, recordings, replayer  # noqa: F401
from tests.tui.conftest import HANG_S, settle
from tests.tui.demo_app import DemoApp

SIZES = [(80, 24), (120, 40)]
MEASURED = (HeatmapArt, BoundaryArt, ImageGrid, RichTable)
"""Views drawn to a width: each must need no more than its panel gives it."""


def unfit(screen: DemoScreen) -> list[str]:
    """What does not fit: a picture or table wider than its panel, a title that is cut."""
    problems = []
    for panel in screen.query(FramePanel):
        frame = panel.frame
        inside = panel.query_one(".frame-title", Static)
        if panel.border_title != frame.title and not (inside.display and str(inside.content) == frame.title):
            problems.append(f"{frame.key}: title cut")
        for view in panel.query(".view").results(Static):
            content = view.content
            if isinstance(content, MEASURED):
                width = view.content_region.width
                needed = needed_width(content, width)
                if needed > width:
                    problems.append(f"{frame.key}: needs {needed} columns, has {width}")
    return problems


def at(position: str):  # noqa: ANN201
    """A run_before: wait for the replayed run to finish, check the panels fit, then scroll."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        screen = pilot.app.screen
        assert await asyncio.to_thread(screen.finished_event.wait, HANG_S)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert screen.error is None and screen.result is not None and screen.result.reached
        if position == "top":
            assert not unfit(screen), unfit(screen)
        else:
            screen.query_one("#frames").scroll_end(animate=False)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("position", ["top", "end"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_demo_screen(
    demo_id: str,
    size: tuple[int, int],
    position: str,
    recordings: Path,  # noqa: F811
    snap_compare,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo_module, "run_demo", replayer(record(demo_id, recordings)))
    app = DemoApp(DemoScreen(demo_id, overrides=OVERRIDES.get(demo_id), show_timing=False))
    assert snap_compare(app, terminal_size=size, run_before=at(position))
