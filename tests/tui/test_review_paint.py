"""Issue 24 item 3, key to next card painted: what the next card costs the screen, and the answer's commit after its frame.

The next card changes the card panel's content and the counts, and swaps the answer
buttons back for the reveal button; only that swap may ask Textual for a layout. A
widget asking for one makes the screen lay out every widget in the frame the rating key
waits for (on main: the deck line, the question, the marker, the answer and the panel
itself, each a widget of its own, and the counts did, twice per card).
"""

from __future__ import annotations

import sqlite3

from textual import messages

from studydl.tui.messages import CardReady
from studydl.tui.widgets.card_view import CardPanel
from studydl.tui.widgets.footer import StudyFooter
from tests.tui.conftest import press, settle
from tests.tui.test_review import card_text, start_review


async def test_the_next_card_asks_for_no_layout_but_the_buttons_swap(app) -> None:
    """Three cards of different heights in a row ("What is a tensor?", "ReLU", a question
    with a code block): between a rating key and the next card on screen only the reveal
    button and the answer buttons ask for a layout (Textual's own Layout messages). The
    footer is left out: when the card's keys change (`d` for a demo) it is rebuilt after the
    card's frame, on purpose."""
    asked: list[object] = []

    def hook(message: object) -> None:
        if isinstance(message, messages.Layout) and not any(
            isinstance(node, StudyFooter) for node in (message.widget, *message.widget.ancestors)
        ):
            asked.append(message.widget)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        screen = await start_review(pilot)
        questions = [screen.due.card.question]
        for _ in range(2):
            await press(pilot, "space")
            asked.clear()
            await press(pilot, "4")
            questions.append(screen.due.card.question)
            assert screen.query_one(CardPanel).question_source == questions[-1]
            assert {getattr(widget, "id", None) for widget in asked} <= {"reveal", "answers"}, asked
        assert questions[:2] == ["What is a tensor?", "ReLU"] and "```python" in questions[2]


def log_rows(app) -> int:  # noqa: ANN001
    with sqlite3.connect(app.home.db_path) as con:
        return con.execute("SELECT count(*) FROM review_log").fetchone()[0]


async def test_an_answer_whose_commit_fails_brings_its_card_back_with_the_error(app) -> None:
    """The next card is drawn before the answer's commit returns; a commit that fails (a
    deferred constraint, checked only at COMMIT) brings the answered card back, says the
    answer was not saved, and nothing is logged; answered again, it is saved."""
    shown: list[int] = []

    def hook(message: object) -> None:
        if isinstance(message, CardReady) and message.due is not None:
            shown.append(message.due.card.id)

    async with app.run_test(size=(100, 30), notifications=True, message_hook=hook) as pilot:
        await settle(pilot)  # (the store written before the review starts: the session has seen it)
        with sqlite3.connect(app.home.db_path) as con:
            con.execute("CREATE TABLE doomed (ref INTEGER REFERENCES review_log(id) DEFERRABLE INITIALLY DEFERRED)")
            con.execute("CREATE TRIGGER doom AFTER INSERT ON review_log BEGIN INSERT INTO doomed VALUES (-1); END")
        screen = await start_review(pilot)
        first = screen.due.card.id
        shown.clear()
        await press(pilot, "space", "3")
        assert shown[0] != first and list(dict.fromkeys(shown)) == [shown[0], first]  # the next card, then this one back
        assert screen.due.card.id == first and not screen.revealed and not screen.busy
        assert "What is a tensor?" in card_text(app)
        assert log_rows(app) == 0
        notes = [n.message for n in app._notifications]
        assert any("Not saved" in note for note in notes), notes
        assert [n for n in app._notifications if n.severity == "error"]  # the error itself, from the app's one handler
        with sqlite3.connect(app.home.db_path) as con:
            con.execute("DROP TRIGGER doom")
        await press(pilot, "space", "3")
        assert screen.due.card.id != first
        assert log_rows(app) == 1


async def test_quitting_right_after_a_rating_key_keeps_the_answer(app) -> None:
    """The app closes while the answer's commit may still be under way: it waits for it."""
    async with app.run_test(size=(100, 30)) as pilot:
        await start_review(pilot)
        await press(pilot, "space")
        await pilot.press("3")
        app.exit()
    assert log_rows(app) == 1
