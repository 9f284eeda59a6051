"""Snapshots of the main screens at 100x30 and 80x24 (fixed clock, fixed decks). Look at the SVG before updating one."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.conftest import press, settle, write

SIZES = {"100x30": (100, 30), "80x24": (80, 24)}
BROKEN = "# Broken\n\nQ: a question without its answer\n"


def keys(*sequence: str):
    """A run_before that waits for the start-up sync, then presses keys one by one, settling after each."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.clear_notifications()  # toasts come and go with time
        await press(pilot, *sequence)
        # A blinking cursor makes a snapshot depend on timing: hold it still.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        pilot.app.clear_notifications()  # toasts come and go with time
        await pilot.pause()

    return run_before


SCREENS = {
    "home": (),
    "review_question": ("down", "enter", "space", "4", "space", "4"),
    "review_answer": ("down", "enter", "space", "4", "space", "4", "space"),
    "summary": ("a", *["space", "4"] * 4),
    "browse": ("b",),
    "settings": ("o",),
    "help": ("question_mark",),
    "deck_problems": ("ctrl+e",),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", SCREENS)
def test_screen(name: str, size: str, build_app, study_home, snap_compare) -> None:
    if name == "deck_problems":
        write(study_home.decks_dir / "broken.md", BROKEN)
    assert snap_compare(build_app(), terminal_size=SIZES[size], run_before=keys(*SCREENS[name]))
