"""Issue 24 item 3, key to next card painted: what the next card costs the screen, and the answer's commit after its frame.

The next card changes the card panel's rows, the counts and what the answer bar draws;
none of them may ask Textual for a layout (a widget asking for one makes the screen lay
out every widget in the frame the rating key waits for), and the panel sends only the
rows that change, which a terminal must then show as a full redraw would. While a card
is read, the next one is guessed and drawn ahead.
"""

from __future__ import annotations

import io
import sqlite3

from rich.cells import cell_len
from rich.segment import ControlType
from textual import messages

from studydl.domain.review import NextCard, Rating, format_interval
from studydl.tui.messages import CardPlanned, CardReady, CardUpcoming
from studydl.tui.widgets.answer_bar import AnswerBar
from studydl.tui.widgets.card_view import CardPanel
from tests.tui.conftest import press, settle, write
from tests.tui.test_review import card_text, start_review


async def test_the_next_card_asks_for_no_layout(app) -> None:
    """Three cards of different heights in a row ("What is a tensor?", "ReLU", a question
    with a code block): between a rating key and the next card on screen no widget asks for
    a layout (Textual's own Layout messages), the footer included: one widget draws "Show
    answer" and the four answers, and `d` stays in the footer (dimmed on a card without a demo)."""
    asked: list[object] = []

    def hook(message: object) -> None:
        if isinstance(message, messages.Layout):
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
            assert asked == [], asked
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


class Terminal:
    """What a terminal shows: the app's frames (each a full or partial update, as they would be sent)
    applied in turn to a grid of cells. A row the app forgot to send keeps its old text here."""

    def __init__(self, app) -> None:  # noqa: ANN001
        from rich.console import Console

        self.width, self.height = app.size
        self.rows = [[" "] * self.width for _ in range(self.height)]
        self._console = Console(width=self.width, height=self.height, file=io.StringIO(), force_terminal=True)
        self._display = app._display
        app._display = self._on_display

    def _on_display(self, screen, renderable) -> None:  # noqa: ANN001
        self._display(screen, renderable)
        if renderable is not None:
            self._apply(renderable)

    def _apply(self, renderable) -> None:  # noqa: ANN001
        x = y = 0
        for segment in self._console.render(renderable):
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]
                continue
            for char in segment.text:
                if char == "\n":
                    x, y = 0, y + 1
                    continue
                if 0 <= y < self.height and 0 <= x < self.width:
                    self.rows[y][x] = char
                    for after in range(1, cell_len(char)):  # (a wide character covers the cell after it)
                        if x + after < self.width:
                            self.rows[y][x + after] = ""
                x += cell_len(char)

    def text(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.rows]

    async def matches_a_redraw(self, pilot) -> bool:  # noqa: ANN001
        """Whether what it shows is what every widget drawn again (nothing cached) sends."""
        shown = self.text()
        for widget in pilot.app.screen.walk_children(with_self=True):
            widget.refresh()
        await settle(pilot)
        return shown == self.text()


LONG = " ".join(["The forget gate decides what the cell state keeps, the input gate what it takes in,"] * 4)

HEIGHTS = f"""\
---
deck: Heights
---

# Heights

Q: What do the gates of an LSTM do?
A: {LONG}

Q: Short?
A: Yes.

Q: And the GRU's?
A: {LONG}
"""


async def test_the_terminal_shows_each_card_whole_though_only_rows_that_change_are_sent(study_home, build_app) -> None:
    """From card to card the panel sends only the rows whose text changes (a shorter card after a taller
    one: the rows it leaves are cleared): a terminal that got only those frames shows what a full redraw shows."""
    write(study_home.decks_dir / "heights.md", HEIGHTS)
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        terminal = Terminal(app)
        await settle(pilot)
        app.action_review("Heights")
        await settle(pilot)
        screen = app.screen
        heights = []
        while app.screen is screen:
            await press(pilot, "space")
            await settle(pilot)
            assert await terminal.matches_a_redraw(pilot)
            heights.append(screen.query_one(CardPanel).virtual_size.height)
            await press(pilot, "4")
            await settle(pilot)
            assert await terminal.matches_a_redraw(pilot)
        assert len(heights) == 3 and heights[0] > heights[1] < heights[2], heights  # (tall, short, tall)


async def test_the_card_guessed_next_is_drawn_ahead_and_shown_from_it(app) -> None:
    """While a card is read, the session guesses the next (`CardUpcoming`) and the panel draws its
    question ahead; answered, the card shown is that one and its question is what was drawn ahead."""
    guesses: list[int] = []

    def hook(message: object) -> None:
        if isinstance(message, CardUpcoming):
            guesses.append(message.card.id)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        screen = await start_review(pilot)
        panel = screen.query_one(CardPanel)
        await settle(pilot)
        assert guesses and guesses[-1] != screen.due.card.id
        drawn = panel._ahead["question"][1]  # (test-only reach inside: what `prepare` drew)
        await press(pilot, "space", "4")
        await settle(pilot)
        assert screen.due.card.id == guesses[0]
        assert panel.part("question") is drawn


async def test_a_card_handed_over_shows_its_buttons_planned_while_read_or_at_the_key(app) -> None:
    """An answer hands the next card over with its question only; the answer's worker plans its
    buttons after the commit (CardPlanned), while the question is read. Revealed before that came,
    the screen plans them itself: either way the buttons show the card's intervals."""
    planned: list[int] = []

    def hook(message: object) -> None:
        if isinstance(message, CardPlanned):
            planned.append(message.due.card.id)

    def labels(bar: AnswerBar) -> list[str]:
        return [bar.label(rating) for rating in Rating]

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        screen = await start_review(pilot)
        bar, session = screen.query_one(AnswerBar), screen.session
        await press(pilot, "space", "3")
        assert planned == [screen.due.card.id] and screen.due.intervals is not None
        expected = session.shown_intervals(screen.due.card.id)
        await press(pilot, "space")
        assert labels(bar) == [f"{int(r)} {r.name.title()}  {format_interval(expected[r])}" for r in Rating]

        handed: list[NextCard] = []  # an answer whose worker has not planned the next card yet
        session.answer(screen.due.card.id, Rating.GOOD, show_next=handed.append)
        screen.post_message(CardReady(handed[0].due, handed[0].counts, True))
        await settle(pilot)
        assert screen.due is handed[0].due and screen.due.intervals is None
        screen.proposed = Rating.HARD  # (as a typed answer's check proposes a rating before the reveal)
        bar.propose(Rating.HARD)
        await press(pilot, "space")
        expected = session.shown_intervals(screen.due.card.id)
        assert screen.due.intervals == expected
        assert bar.proposed is Rating.HARD  # (still marked once the intervals came)
        assert labels(bar) == [("⏎ " if r is Rating.HARD else "") + f"{int(r)} {r.name.title()}  {format_interval(expected[r])}" for r in Rating]
        assert planned == planned[:1]  # (no CardPlanned for it: the screen planned it)
