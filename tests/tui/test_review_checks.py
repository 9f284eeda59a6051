"""The app, driven by keys: math shown as Unicode, typed answers, predictions and cram."""

from __future__ import annotations

import io
import json
import sqlite3

from rich.console import Console
from textual.widgets import Input, Tree

from studydl.tui.screens.review import ReviewScreen
from studydl.tui.widgets.card_view import CardPanel
from tests.tui.conftest import press, settle, write

CHECKS = """\
---
deck: Checks
---

Q: Which gate decides what to drop? Its activation is $\\sigma(x) = \\frac{1}{1+e^{-x}}$.
A: The **forget** gate.
answer: typed
"""

PREDICT = """\
---
deck: Predict
---

Q: Gradient descent on the bowl with the curvature shown: above which learning rate does it diverge?
A: $2/k$.
demo: learning-rate
predict: limit_lr
tolerance: 5%
vary: curvature=2..10
"""


def _shown(app, selector: str) -> str:  # noqa: ANN001
    """The rendered text of the card panel's part (Markdown blocks or a Static)."""
    panel = app.screen.query_one(CardPanel)
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(panel.part(selector.removeprefix("#")) or "")
    return out.getvalue()


def _log(home) -> list[tuple]:  # noqa: ANN001
    con = sqlite3.connect(home.db_path)
    try:
        return con.execute("SELECT rating, kind, detail FROM review_log ORDER BY id").fetchall()
    finally:
        con.close()


def keys(text: str) -> list[str]:
    """Key names that type `text` (a space is the `space` key)."""
    return ["space" if ch == " " else ch for ch in text]


async def _review(pilot, deck: str) -> ReviewScreen:  # noqa: ANN001
    await settle(pilot)
    pilot.app.action_review(deck)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


async def test_typed_answer_shows_math_a_diff_and_enter_accepts_the_proposal(study_home, build_app) -> None:
    write(study_home.decks_dir / "checks.md", CHECKS)
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _review(pilot, "Checks")
        assert "σ(x) = 1/(1+e⁻ˣ)" in _shown(app, "#question") and "$" not in _shown(app, "#question")
        typed = screen.query_one("#typed", Input)
        assert typed.display and typed.has_focus and not screen.revealed
        await press(pilot, "space")  # space types into the box: nothing is revealed
        assert not screen.revealed
        typed.value = ""
        await press(pilot, *keys("the forgt gate"))
        assert typed.value == "the forgt gate", typed.value
        await press(pilot, "enter")
        assert screen.revealed and not typed.display
        check = _shown(app, "#check")
        assert "the forgt gate" in check and "The forget gate." in check and "not quite" in check
        assert "forget gate" in _shown(app, "#answer") and "**" not in _shown(app, "#answer")
        await press(pilot, "enter")  # accepts the proposed Again
        await settle(pilot)
    rating, kind, detail = _log(study_home)[0]
    assert (rating, kind) == (1, "scheduled") and json.loads(detail)["typed"] == "the forgt gate"


async def test_a_right_typed_answer_proposes_good_and_a_digit_overrides(study_home, build_app) -> None:
    write(study_home.decks_dir / "checks.md", CHECKS)
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _review(pilot, "Checks")
        await press(pilot, *keys("the forget gate"), "enter")
        assert screen.proposed is not None and screen.proposed.name == "GOOD" and "right" in _shown(app, "#check")
        await press(pilot, "4")
    assert [(r, k) for r, k, _ in _log(study_home)] == [(4, "scheduled")]


async def test_prediction_runs_the_demo_and_shows_the_measured_value(study_home, build_app) -> None:
    write(study_home.decks_dir / "predict.md", PREDICT)
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _review(pilot, "Predict")
        task = _shown(app, "#task")
        assert "demo learning-rate · curvature = " in task
        curvature = float(task.split("curvature = ")[1].split()[0])
        await press(pilot, *"lots", "enter")  # not a number: asked again
        assert not screen.revealed
        screen.query_one("#typed", Input).value = ""
        guess = f"{2 / curvature:.3f}"
        await press(pilot, *guess, "enter")
        await settle(pilot)
        assert screen.revealed
        check = _shown(app, "#check")
        assert f"measured: {2 / curvature:.4g}" in check and "right" in check
        await press(pilot, "enter")
    rating, kind, detail = _log(study_home)[0]
    data = json.loads(detail)
    assert (rating, kind) == (3, "scheduled") and data["params"] == {"curvature": curvature} and data["right"]


async def test_cram_from_the_deck_list_logs_cram_and_keeps_the_schedule(study_home, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        con = sqlite3.connect(study_home.db_path)
        before = con.execute("SELECT id, state, due, reps FROM cards ORDER BY id").fetchall()
        tree = app.screen.query_one(Tree)
        node = next(n for n in tree._tree_nodes.values() if n.data is not None and getattr(n.data, "deck", None) == "Basics" and not n.data.section)
        tree.move_cursor(node)
        await press(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.sub_title == "Cram: Basics"
        for _ in range(3):
            await press(pilot, "space", "3")
        await settle(pilot)
        after = con.execute("SELECT id, state, due, reps FROM cards ORDER BY id").fetchall()
        con.close()
    assert before == after
    assert [(r, k) for r, k, _ in _log(study_home)] == [(3, "cram")] * 3
