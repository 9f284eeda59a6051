"""Explore, then capture: `k` on the demo screen writes a predict card into the learner's deck,
`studydl check` accepts it, the app syncs it at once and it reviews as a predict card."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner
from textual.widgets import Input, Select, Static

from studydl.cli import cli
from studydl.tui.screens.capture import NEW, CaptureDialog
from studydl.tui.screens.demo import DemoScreen
from tests.tui.conftest import BASICS, press, settle
from tests.tui.test_review_checks import _review, _shown


async def run_with(pilot, demo_id: str, **values: str) -> DemoScreen:  # noqa: ANN001
    """Open demo `demo_id`, wait for its run, change parameters in the form, run again and wait."""
    await settle(pilot)
    pilot.app.action_demo(demo_id)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DemoScreen)
    assert await asyncio.to_thread(screen.finished_event.wait, 60)
    await settle(pilot)
    for name, value in values.items():
        screen.query_one(f"#param-{name}", Input).value = value
    await press(pilot, "ctrl+r")
    assert await asyncio.to_thread(screen.finished_event.wait, 60)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)
    assert screen.result is not None and screen.result.reached
    return screen


async def test_k_writes_a_predict_card_that_check_accepts_and_that_reviews_as_one(study_home, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        demo = await run_with(pilot, "conv-arithmetic", size="10", padding="1")
        assert "k Card" in _footer(app)
        await press(pilot, "k")
        dialog = app.screen
        assert isinstance(dialog, CaptureDialog)
        dialog.query_one("#metric", Select).value = "output_size"
        await settle(pilot)
        assert "measured 10 (pixels)" in str(dialog.query_one("#measured", Static).content)
        question = dialog.query_one("#question", Input)
        assert "with size=10, padding=1" in question.value
        question.value = "A 10×10 input, a 3×3 kernel, stride 1, zero padding 1: how many outputs per side?"
        dialog.query_one("#tolerance", Input).value = "0.5"
        dialog.query_one("#deck", Select).value = NEW
        await settle(pilot)
        dialog.query_one("#new-file", Input).value = "mine/convolutions"
        dialog.query_one("#new-file", Input).focus()
        await press(pilot, "enter")
        assert app.screen is demo  # the dialog closed: written
        await settle(pilot)  # the sync it asked for

    path = study_home.decks_dir / "mine" / "convolutions.md"
    text = path.read_text(encoding="utf-8")
    assert text == (
        "Q: A 10×10 input, a 3×3 kernel, stride 1, zero padding 1: how many outputs per side?\n"
        f"A: 10, measured in this run. {' '.join(demo.runs[-1].result.summary.split())}\n"
        "demo: conv-arithmetic\n"
        "predict: output_size\n"
        "tolerance: 0.5\n"
        "set: size=10, kernel=vertical-edge, stride=1, padding=1, pool=2\n"
        "expect: 10\n"
    )
    done = CliRunner().invoke(cli, ["--home", str(study_home.root), "check", str(path)])
    assert done.exit_code == 0 and "1 card, 0 problems" in done.output, done.output

    app = build_app()  # a new session on the same home: the card was synced by the first
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _review(pilot, "convolutions")
        assert screen.due is not None and screen.due.card.kind == "predict"
        assert "how many outputs per side" in _shown(app, "#question")
        typed = screen.query_one("#typed", Input)
        assert typed.display and typed.has_focus
        await press(pilot, "1", "0", "enter")
        await settle(pilot)
        assert screen.revealed
        check = _shown(app, "#check")
        assert "measured: 10" in check and "right" in check


async def test_a_card_that_cannot_be_written_keeps_the_dialog_open_and_the_deck_untouched(study_home, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await run_with(pilot, "conv-arithmetic", size="7")
        await press(pilot, "k")
        dialog = app.screen
        assert isinstance(dialog, CaptureDialog)
        assert dialog.query_one("#deck", Select).value == "basics.md"  # the learner's own decks; never a bundled one
        dialog.query_one("#section", Select).value = "2"  # Networks
        dialog.query_one("#tolerance", Input).value = "about right"
        await press(pilot, "enter")
        assert app.screen is dialog
        assert "tolerance 'about right'" in str(dialog.query_one("#capture-error", Static).content)
        assert (study_home.decks_dir / "basics.md").read_text(encoding="utf-8") == BASICS
        await press(pilot, "escape")
        assert isinstance(app.screen, DemoScreen)


def _footer(app) -> str:  # noqa: ANN001
    from tests.tui.conftest import screen_text

    return screen_text(app)[-1]
