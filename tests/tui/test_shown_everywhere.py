"""Math as Unicode wherever a card is shown (the browser, `studydl cards`), its source kept in --json."""

from __future__ import annotations

import json

from textual.widgets import DataTable

from studydl.tui.screens.browse import BrowseScreen
from tests.conftest import run_studydl
from tests.tui.conftest import settle, write

MATH = """\
---
deck: Sigmoid maths
---

Q: What is $\\sigma'(x)$ in terms of $\\sigma(x)$?
A: $\\sigma(x)(1 - \\sigma(x))$.
"""


async def test_the_browser_shows_math_as_unicode_in_the_list_and_the_card(study_home, build_app) -> None:
    write(study_home.decks_dir / "math.md", MATH)
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_browse("deck:sigmoid")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        table = screen.query_one("#cards", DataTable)
        question = str(table.get_cell_at((0, [c.key.value for c in table.columns.values()].index("question"))))
        assert "σ" in question and "$" not in question and "\\sigma" not in question, question
        await pilot.pause()
        shown = "\n".join(str(block.render()) if hasattr(block, "render") else "" for block in screen.query("#card-text MarkdownBlock"))
        assert "σ(x)(1 - σ(x))" in shown or "σ(x)(1 − σ(x))" in shown, shown
        assert "$" not in shown


def test_cards_prints_math_as_unicode_and_json_keeps_the_source(study_home) -> None:
    write(study_home.decks_dir / "math.md", MATH)
    assert run_studydl("sync", "--quiet", home=study_home).returncode == 0
    listed = run_studydl("cards", "--deck", "sigmoid", home=study_home)
    assert listed.returncode == 0, listed.stderr
    assert "σ′(x)" in listed.stdout or "σ'(x)" in listed.stdout, listed.stdout
    assert "$" not in listed.stdout.split("[")[0]
    doc = json.loads(run_studydl("cards", "--deck", "sigmoid", "--json", home=study_home).stdout)
    assert doc["cards"][0]["question"].startswith("What is $\\sigma'(x)$")
