"""At 80x24: the browser's columns and tags, notices clear of the rating buttons and of the deck
problems, a choices prompt that fits, a comparison that tells two metrics apart, a run that
changes its length says so."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console
from textual.widgets import DataTable, Input

from studydl.domain.demos import Progress, Result
from studydl.tui.screens.browse import BrowseScreen
from studydl.tui.screens.browse_view import card_meta
from studydl.tui.screens.demo import DemoScreen
from studydl.tui.screens.demo_feed import Snapshot
from studydl.tui.screens.errors import DeckErrorsScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.widgets.answer_bar import AnswerBar
from studydl.tui.widgets.card_view import CardPanel
from studydl.tui.widgets.deck_tree import DeckTree
from studydl.tui.widgets.demo_compare import RunRecord, comparison_table
from tests.tui.conftest import HANG_S, press, settle, write

SIZE = (80, 24)

TAGGED = """\
---
deck: Activation functions
tags: [activations, nonlinearity, basics, deep-learning, calculus]
---

# Activation functions

Q: Which activation is zero for every negative input?
A: ReLU.
"""

CHOICES = """\
---
deck: Shifted shapes
---

Q: An MLP learns shapes in the left columns; on the same shapes in the right columns, its accuracy?
A: Near chance.
demo: cnn
predict: mlp_unseen_accuracy
choices: near chance = 0.33, about as on the training columns = 0.95
"""


def rendered(renderable, width: int = 78) -> str:  # noqa: ANN001
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


async def test_the_browser_at_80_columns_shows_deck_names_and_keeps_tags_on_a_line(study_home, build_app) -> None:
    write(study_home.decks_dir / "tagged.md", TAGGED)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_browse("deck:activation")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        table = screen.query_one("#cards", DataTable)
        assert [c.key.value for c in table.columns.values()] == ["deck", "question", "state", "due", "flags"]
        deck_cell = str(table.get_row_at(0)[0])
        assert deck_cell.startswith("Activation f"), deck_cell  # (in 8 cells it read "Activat…")
        meta = rendered(card_meta(screen._cards[next(iter(screen._cards))]), 78).splitlines()
        assert meta[0].startswith("Activation functions › Activation functions") and "tagged.md:8" in meta[0]
        assert meta[1].startswith("tags: activations nonlinearity") and len(meta) == 2


async def test_review_notices_leave_the_rating_buttons_visible(app) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.action_review("Basics")
        await settle(pilot)
        await press(pilot, "space")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.notify("Undone: Good.")
        screen.notify("Leech: this card keeps being forgotten.")
        for _ in range(3):
            await pilot.pause(0.05)
        buttons = screen.query_one(AnswerBar).region
        toasts = [t.region for t in screen.query("Toast")]
        assert toasts and not any(t.overlaps(buttons) for t in toasts), (toasts, buttons)


async def test_the_deck_problems_dialog_is_not_hidden_by_the_problems_notice(study_home, build_app) -> None:
    write(study_home.decks_dir / "broken.md", "Q: a question without its answer\n")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._notifications
        await press(pilot, "ctrl+e")
        assert isinstance(app.screen, DeckErrorsScreen)
        assert not app._notifications


async def test_a_choices_prompt_fits_and_each_choice_has_its_line(study_home, build_app) -> None:
    write(study_home.decks_dir / "choices.md", CHOICES)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_review("Shifted shapes")
        await settle(pilot)
        screen = app.screen
        placeholder = screen.query_one("#typed", Input).placeholder
        assert len(placeholder) <= 74, placeholder  # inside the box's border and padding
        task = rendered(screen.query_one(CardPanel).part("task")).splitlines()
        assert "a) near chance" in task and "b) about as on the training columns" in task


def test_the_comparison_tells_two_long_metric_names_apart() -> None:
    def record(number: int) -> RunRecord:
        metrics = {"max_grad_softmax_saturated": 0.5, "max_grad_softmax_unsaturated": 2.0}
        return RunRecord(number, {"scale": number}, Result(metrics, True), None)

    text = rendered(comparison_table(record(1), record(2)), 40)
    assert "tmax_saturat" in text and "tmax_unsatur" in text, text  # folded, not both cut to "max_grad_sof…"


async def test_a_run_that_changes_its_length_says_why(app) -> None:
    screen = DemoScreen("xor-mlp", overrides={"steps": "50"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(screen)
        assert await asyncio.to_thread(screen.finished_event.wait, HANG_S)
        await settle(pilot)
        screen.post_message(DemoScreen.Update(screen.number, Snapshot(Progress(10, 1000))))
        await settle(pilot)  # (a queued update is replaced by the next)
        screen.post_message(DemoScreen.Update(screen.number, Snapshot(Progress(300, 750, message="LSTM solved it at step 300"))))
        await settle(pilot)
        status = screen.query_one("#demo-status")
        assert str(status.content) == "step 300/750 (was /1000)" and status.tooltip == "LSTM solved it at step 300"


async def test_all_decks_and_its_totals_stay_in_sight_with_the_bundled_decks(study_home, clock) -> None:
    from studydl.tui.launch import make_app
    from tests.tui.conftest import screen_text

    write(study_home.decks_dir / "mine.md", "# Part one\n\nQ :: A\n")
    app = make_app(study_home, clock=clock, watch=False)  # the bundled decks and three of one's own
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(DeckTree)
        assert len(tree.root.children) >= 13
        totals = " ".join(tree.root.label.plain.split())  # "All decks 205/532 0 0"
        await press(pilot, *["down"] * len(tree.root.children), "right", *["down"] * 6)  # into the last deck's sections
        assert tree.scroll_y > 0  # the list no longer fits: it has scrolled
        shown = [" ".join(line.replace("│", " ").split()) for line in screen_text(app)]
        assert any(line.endswith(totals) for line in shown), shown
