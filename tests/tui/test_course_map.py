"""The course map screen: `m` on the deck list, nodes shaded by recall, arrows, enter studies, b browses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studydl.decks.sync import sync_decks
from studydl.home import Home
from studydl.tui.screens.browse import BrowseScreen
from studydl.tui.screens.course_map import CourseMapScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.widgets.course_node import CourseNode
from tests.course.conftest import BACKPROP, RNN, forget_once, study
from tests.tui.conftest import START, press, screen_text, settle, write
from tests.tui.test_snapshots import keys


class _Clock:
    def __init__(self, now) -> None:  # noqa: ANN001
        self.now = now

    def __call__(self):  # noqa: ANN204
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def course_home(study_home: Home) -> Home:
    """The test home with two decks where one requires the other, studied over ten days before START."""
    write(study_home.decks_dir / "backprop.md", BACKPROP)
    write(study_home.decks_dir / "rnn.md", RNN)
    db = study_home.open_db()
    try:
        clock = _Clock(START - timedelta(days=12))
        assert sync_decks(db, [study_home.decks_dir], roots=study_home.named_roots(), clock=clock).ok
        study(db, clock, "Backprop basics")
        study(db, clock, "Recurrent")
        clock.advance(days=9)
        study(db, clock, "Backprop basics", forget_once("order"))
    finally:
        db.dispose()
    return study_home


def _focused(app) -> CourseNode:  # noqa: ANN001
    assert isinstance(app.focused, CourseNode)
    return app.focused


async def test_map_shows_sections_moves_studies_and_browses(course_home, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, CourseMapScreen)
        keys_shown = {w.node.key for w in app.screen.query(CourseNode)}
        assert {"rnn#LSTM", "backprop#Backpropagation", "basics#Tensors"} <= keys_shown
        while _focused(app).node.key != "rnn#LSTM":  # the deepest layer is last: down until there
            before = _focused(app).node.key
            await press(pilot, "down" if _focused(app).node.layer < 2 else "right")
            assert _focused(app).node.key != before, "the arrows stopped short of LSTM"
        text = "\n".join(screen_text(app))
        assert "needs Backpropagation (" in text and "Vanishing gradients (" in text
        backprop = next(w for w in app.screen.query(CourseNode) if w.node.key == "backprop#Backpropagation")
        assert backprop.has_class("-needed")
        await press(pilot, "b")
        assert isinstance(app.screen, BrowseScreen)
        assert app.screen.query_one("#query").value == 'deck:rnn section:"LSTM"'
        await press(pilot, "escape")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReviewScreen)
        assert (app.screen.deck, app.screen.section) == ("Recurrent", "LSTM")


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
def test_map_snapshot(size: str, course_home, build_app, snap_compare) -> None:
    assert snap_compare(build_app(), terminal_size=SIZES[size], run_before=keys("m", "down", "down"))
