"""A predict card whose demo run stops at its time budget has no verdict: the learner rates it, nothing graded is logged."""

from __future__ import annotations

import json
import sqlite3

import pytest
from textual.widgets import Input

from tests.predict_samples import GRU_DECK
from tests.tui.conftest import press, settle, write
from tests.tui.test_review_checks import _review, _shown


async def test_a_run_stopped_at_a_tiny_budget_writes_no_graded_answer(
    study_home, build_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDYDL_DEMO_BUDGET", "0.000001")
    write(study_home.decks_dir / "gates.md", GRU_DECK)
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _review(pilot, "Gates")
        screen.query_one("#typed", Input).value = ""
        await press(pilot, "c", "enter")  # near 1: the right answer
        await settle(pilot)
        assert screen.revealed and screen.proposed is None and screen.detail is None
        check = " ".join(_shown(app, "#check").split())
        assert "did not finish" in check and "time budget" in check and "Rate yourself" in check
        assert "measured" not in check and "✗" not in check and "✓" not in check
        await press(pilot, "3")  # the learner's own rating
    con = sqlite3.connect(study_home.db_path)
    try:
        rows = con.execute("SELECT rating, detail FROM review_log").fetchall()
    finally:
        con.close()
    assert [rating for rating, _ in rows] == [3]
    assert rows[0][1] is None or "right" not in json.loads(rows[0][1])
    assert not list((study_home.root / "cache" / "demo-results").glob("*.json"))  # a stopped run is not cached
