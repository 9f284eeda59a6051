"""The review path, key by key, against a real SQLite file."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import select

from studydl.domain.review import Rating
from studydl.store.models import CardRow, ReviewRow
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.screens.summary import SummaryScreen, summary_table
from studydl.tui.widgets.answer_bar import AnswerBar, Showing
from studydl.tui.widgets.card_view import CardPanel
from tests.tui.conftest import press, screen_text, settle


def rich_text(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=100).print(renderable)
    return " ".join(out.getvalue().split())


def card_text(app) -> str:
    panel = app.screen.query_one(CardPanel)
    shown = [panel.question_source] + ([panel.answer_source] if panel.showing("answer") else [])
    return "\n".join(shown)


def screen_rows(app) -> str:  # noqa: ANN001
    return "\n".join(screen_text(app))


async def start_review(pilot, deck_line: int = 1) -> ReviewScreen:
    """From the deck list: move to a line of the tree and press enter."""
    await settle(pilot)
    for _ in range(deck_line):
        await pilot.press("down")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


async def test_reveal_answer_with_keys_and_buttons_records_durations(app, clock) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot)
        assert screen.sub_title == "Basics"
        assert "What is a tensor?" in card_text(app)
        assert "n-dimensional" not in card_text(app)
        bar = screen.query_one(AnswerBar)
        assert bar.showing is Showing.REVEAL and "Show answer  (space)" in screen_rows(app)
        await press(pilot, "1")  # answering before the answer is shown does nothing
        assert screen.due.card.question == "What is a tensor?"

        clock.advance(7.5)
        await press(pilot, "space")
        assert "n-dimensional" in card_text(app)
        labels = [bar.label(rating) for rating in Rating]
        assert labels == ["1 Again  1m", "2 Hard  6m", "3 Good  10m", "4 Easy  10d"]
        assert all(label in screen_rows(app) for label in labels)  # (as drawn, each on its button)
        await press(pilot, "4")
        assert screen.due.card.question == "ReLU"

        await pilot.click(AnswerBar, offset=bar.button_offset(None))  # "Show answer", clicked
        await settle(pilot)
        assert screen.revealed and bar.showing is Showing.ANSWERS
        clock.advance(2)
        await pilot.click(AnswerBar, offset=bar.button_offset(Rating.EASY))
        await settle(pilot)
        assert "What does this line compute?" in card_text(app)

    with app.db.read() as s:
        durations = s.scalars(select(ReviewRow.duration_ms).order_by(ReviewRow.id)).all()
    assert durations == [7500, 2000]


async def test_undo_shows_the_card_again_and_removes_its_answer(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot)
        first = screen.due.card.id
        assert not screen.check_action("undo", ())
        await press(pilot, "space", "4")
        assert screen.due.card.id != first
        await press(pilot, "u")
        assert screen.due.card.id == first
        assert not screen.revealed
        with app.db.read() as s:
            assert s.scalars(select(ReviewRow)).all() == []


async def test_suspend_flag_and_demo_marker(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot)
        first = screen.due.card.id
        assert not screen.query_one(CardPanel).showing("demo-marker")
        assert not screen.check_action("demo", ())
        await press(pilot, "s")
        assert screen.due.card.id != first
        await press(pilot, "f", "f")
        flagged = screen.due.card
        assert flagged.flag == 2
        assert "orange flag" in str(screen.query_one(CardPanel).part("where"))
        await press(pilot, "space", "4")
        assert screen.query_one(CardPanel).showing("demo-marker")
        assert "▶ demo: xor-mlp (d)" in str(screen.query_one(CardPanel).part("demo-marker"))
        assert screen.check_action("demo", ())
    with app.db.read() as s:
        rows = {r.id: r for r in s.scalars(select(CardRow))}
    assert rows[first].suspended
    assert rows[flagged.id].flag == 2


async def test_a_whole_session_ends_on_the_summary_then_nothing_is_due(app, clock) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert str(screen.query_one("#counts").render()) == "New 4  Learning 0  Review 0"
        for _ in range(4):
            clock.advance(30)
            await press(pilot, "space", "4")
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen.summary
        assert summary.reviewed == 4
        assert summary.seconds == 120
        table = rich_text(summary_table(summary))
        assert "Cards reviewed 4" in table and "Time spent 2m 00s" in table
        # Four new cards, no review card yet: how today went, not "no reviews yet" after four answers.
        assert "Correct today 100% (4 of 4 answers)" in table
        assert "no reviews" not in table and "retention" not in table.lower()
        await press(pilot, "enter")
        assert app.screen.query_one("#progress").render().plain == "Today  4 reviewed · 0 left"
        hint = app.screen.query_one("#hint").render().plain
        assert hint == "All done for now. The next card is due in 6 days."
        await press(pilot, "a")  # nothing left: back to the list with a notice
        assert not isinstance(app.screen, ReviewScreen)
        assert any("Nothing is due" in n.message for n in app._notifications)


async def test_undo_after_suspend_unsuspends_that_card(app) -> None:
    """Regression: `u` after `s` took back the previous card's answer and left the suspended card suspended."""
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot)
        first = screen.due.card.id
        await press(pilot, "space", "3")
        second = screen.due.card.id
        await press(pilot, "s")
        assert screen.due is None or screen.due.card.id != second
        await press(pilot, "u")
        assert screen.due.card.id == second
        await press(pilot, "b")  # bury is undoable too
        await press(pilot, "u")
        assert screen.due.card.id == second
        with app.db.read() as s:
            row = s.scalar(select(CardRow).where(CardRow.id == second))
            assert not row.suspended and row.buried_until is None
            assert [r.card_id for r in s.scalars(select(ReviewRow))] == [first]  # the answer stands


async def test_an_open_review_takes_up_parameters_saved_elsewhere(app) -> None:
    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, check_parameters
    from studydl.engine.optimize import save_parameters
    from studydl.store.db import Database

    fitted = check_parameters([x * 1.5 if i < 4 else x for i, x in enumerate(DEFAULT_PARAMETERS)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot)
        assert screen.session.scheduler.model.parameters == DEFAULT_PARAMETERS
        other = Database(app.db.path)
        save_parameters(other, fitted, None)
        other.dispose()
        await press(pilot, "space", "3")
        assert screen.session.scheduler.model.parameters == fitted


async def test_the_summary_counts_every_answer_and_review_retention_once_there_are_reviews(app, clock) -> None:
    """The day's correct share covers new and learning answers; retention appears with review cards."""
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a", "space", "1")  # Again on a new card: back in a minute
        for _ in range(3):
            await press(pilot, "space", "4")
        clock.advance(120)
        await press(pilot, "space", "3")  # the card answered Again, now learning: Good
        while isinstance(app.screen, ReviewScreen):
            clock.advance(600)
            await press(pilot, "space", "4")
        table = rich_text(summary_table(app.screen.summary))
        assert "Correct today 83% (5 of 6 answers)" in table
        assert "Review retention" not in table
        await press(pilot, "enter")
        clock.advance(7 * 86400)  # a week on: the cards answered Easy are review cards due now
        await press(pilot, "a")
        forgotten: set[int] = set()
        for _ in range(12):  # bounded: a loop that cannot end would hang the suite
            if not isinstance(app.screen, ReviewScreen):
                break
            card = app.screen.due.card
            again = card.question == "ReLU" and card.id not in forgotten
            forgotten.add(card.id)
            await press(pilot, "space", "1" if again else "3")
        table = rich_text(summary_table(app.screen.summary))
        assert "Correct today 67% (2 of 3 answers)" in table and "Review retention 50% (review cards today)" in table, table
