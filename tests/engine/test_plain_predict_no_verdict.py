"""review --plain: a predict card whose run stops at its time budget asks for the learner's rating, logs no verdict."""

from __future__ import annotations

import json

import pytest

from studydl.decks.sync import sync_decks
from studydl.demos.spec_index import SpecIndex
from tests.backends import query
from tests.predict_samples import GRU_DECK


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_stopped_run_asks_for_a_rating_and_logs_no_verdict(home, write_deck, cli, monkeypatch) -> None:  # noqa: ANN001
    path = write_deck("gates.md", GRU_DECK)
    db = home.open_db()
    assert sync_decks(db, [path], known_demos=SpecIndex()).ok
    db.dispose()
    monkeypatch.setenv("STUDYDL_DEMO_BUDGET", "0.000001")
    result = cli("review", "--plain", "--deck", "Gates", home=home, input="c\n3\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "did not finish" in out and "time budget" in out and "Rate yourself" in out
    assert "measured:" not in out and "Enter: Again" not in out and "Enter: Good" not in out
    rows = query(home, "SELECT rating, detail FROM review_log ORDER BY id")
    assert [rating for rating, _ in rows] == [3]
    assert rows[0][1] is None or "right" not in json.loads(rows[0][1])
