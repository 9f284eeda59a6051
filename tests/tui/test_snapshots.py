"""Snapshots of the main screens (fixed clock, fixed decks). Look at the SVG before updating one."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.conftest import press, settle

SIZE = (100, 30)


def keys(*sequence: str):
    """A run_before that waits for the start-up sync, then presses keys one by one, settling after each."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, *sequence)
        # A blinking cursor makes a snapshot depend on timing: hold it still.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("name", "sequence"),
    [
        ("home", ()),
        ("review_question", ("down", "enter", "space", "4", "space", "4")),
        ("review_answer", ("down", "enter", "space", "4", "space", "4", "space")),
        ("summary", ("a", *["space", "4"] * 4)),
        ("settings", ("o",)),
        ("help", ("question_mark",)),
    ],
)
def test_screen(name: str, sequence: tuple[str, ...], build_app, snap_compare) -> None:
    assert snap_compare(build_app(), terminal_size=SIZE, run_before=keys(*sequence))


def test_review_answer_at_80x24(build_app, snap_compare) -> None:
    sequence = ("down", "enter", "space", "4", "space", "4", "space")
    assert snap_compare(build_app(), terminal_size=(80, 24), run_before=keys(*sequence))
