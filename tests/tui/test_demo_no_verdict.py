"""The demo screen: a run stopped at its time budget shows no verdict, not "not reached"."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import pytest
from textual.widgets import Static

from studydl.demos import get_spec, run_demo
from studydl.tui.screens import demo as demo_module
from studydl.tui.screens.demo import DemoScreen
from tests.demos.slow_demo import slow_demos
from tests.tui.conftest import settle
from tests.tui.demo_app import DemoApp

pytestmark = pytest.mark.usefixtures("demos_own_budget")  # about the budget: not the tests' (conftest)


async def test_a_run_stopped_at_its_budget_says_no_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = slow_demos(tmp_path / "demos")
    monkeypatch.setattr(demo_module, "get_spec", functools.partial(get_spec, demos_dir=folder))
    monkeypatch.setattr(demo_module, "run_demo", functools.partial(run_demo, demos_dir=folder))
    screen = DemoScreen("slow")
    app = DemoApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await asyncio.to_thread(screen.finished_event.wait, 60)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert screen.result is not None and screen.result.stopped == "budget"
        assert screen.result.reached is None
        shown = str(screen.query_one("#demo-result", Static).render())
        assert "stopped at its time budget: no verdict" in shown
        assert "✗" not in shown and "✓" not in shown
