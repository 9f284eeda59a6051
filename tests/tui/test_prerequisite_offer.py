"""In the app: the second lapse in a week asks to review the weakest prerequisite; y shows its demo card next."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studydl.decks.sync import sync_decks
from studydl.home import Home
from studydl.tui.screens.prerequisite_offer import PrerequisiteOfferScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.widgets.card_view import CardPanel
from tests.course.conftest import BACKPROP, RNN, study
from tests.course.test_lapse_offer import LSTM, _lapse_lstm
from tests.tui.conftest import START, press, screen_text, settle, write
from tests.tui.test_course_map import _Clock


@pytest.fixture
def lapsed_once(study_home: Home) -> Home:
    """Both decks studied 13 days before START; the LSTM card lapsed once 3 days before it."""
    write(study_home.decks_dir / "backprop.md", BACKPROP)
    write(study_home.decks_dir / "rnn.md", RNN)
    db = study_home.open_db()
    try:
        clock = _Clock(START - timedelta(days=13))
        assert sync_decks(db, [study_home.decks_dir], roots=study_home.named_roots(), clock=clock).ok
        study(db, clock, "Backprop basics")
        study(db, clock, "Recurrent")
        clock.advance(days=10)
        _lapse_lstm(db, clock)
    finally:
        db.dispose()
    return study_home


async def test_second_lapse_offers_the_prerequisite_and_y_reviews_it_next(lapsed_once, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_review("Recurrent")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.due.card.question == LSTM
        await press(pilot, "space", "1")
        assert isinstance(app.screen, PrerequisiteOfferScreen)
        text = "\n".join(screen_text(app))
        assert "You forgot" in text and "Backpropagation is at" in text.replace("*", "")
        await press(pilot, "y")
        assert isinstance(app.screen, ReviewScreen)
        card = app.screen.query_one(CardPanel)
        assert app.screen.due.card.demo_id == "backprop" and card is not None
