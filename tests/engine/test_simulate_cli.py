"""`studydl simulate` through the real entry point, on real deck files with answers of the past days."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from studydl.domain.review import Rating
from studydl.engine.session import ReviewSession
from studydl.home import Home
from studydl.store.models import CardRow, DeckRow
from tests.conftest import run_studydl

SLOW_MS = 40_000
"""Every answer of this learner takes 40 s: slower than fsrs-rs's defaults (8-20 s)."""


def deck_text(name: str, cards: int) -> str:
    lines = [f"---\ndeck: {name}\n---\n"]
    lines += [f"Q: {name}: what is {i} squared?\nA: {i * i}.\n" for i in range(1, cards + 1)]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def studied_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """Two decks of 25 cards synced; the first deck's first 15 cards learned five days ago, slowly."""
    root = tmp_path_factory.mktemp("simulate")
    folder = root / "decks"
    folder.mkdir()
    (folder / "squares.md").write_text(deck_text("Squares", 25), encoding="utf-8")
    (folder / "more.md").write_text(deck_text("More squares", 25), encoding="utf-8")
    home = Home(root / "home").ensure()
    assert run_studydl("sync", "--quiet", str(folder), home=home).returncode == 0
    assert run_studydl("settings", "new", "10", home=home).returncode == 0
    db = home.open_db()
    with db.read() as s:
        first = list(
            s.scalars(
                select(CardRow.id).join(DeckRow).where(DeckRow.name == "Squares").order_by(CardRow.source_line).limit(15)
            )
        )
    moment = [datetime.now(UTC) - timedelta(days=5)]
    session = ReviewSession(db, clock=lambda: moment[0])
    for card_id in first:
        for rating in (Rating.GOOD, Rating.GOOD):
            session.answer(card_id, rating, duration_ms=SLOW_MS)
            moment[0] += timedelta(minutes=11)
    db.dispose()
    return home


def simulate_json(home: Home, *args: str) -> dict:
    result = run_studydl("simulate", *args, "--json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_forecast_from_the_learners_cards_limits_and_times(studied_home: Home) -> None:
    doc = simulate_json(studied_home, "--retention", "0.85", "--days", "14")
    assert doc["retention"] == 0.85 and doc["days"] == 14 and doc["parameters"] == "default"
    assert doc["decks"] == 2 and doc["cards"] == 50
    days = doc["per_day"]
    assert [d["day"] for d in days] == list(range(14))
    assert days[1]["date"] == (datetime.fromisoformat(days[0]["date"]) + timedelta(days=1)).date().isoformat()
    # New cards enter at 10 a deck a day (the setting), each deck apart: 10 + 10, then 0 + 10, 0 + 5.
    assert [d["new"] for d in days[:4]] == [20.0, 10.0, 5.0, 0.0]
    assert doc["total"]["new"] == 35.0
    # The 15 learned cards come due in the fortnight (overdue ones today): reviews appear.
    assert doc["total"]["reviews"] > 15
    # Time per answer is the learner's own: 40 s a learning answer, blended with the defaults by log size.
    assert doc["time_from_log"] == {"learning": 30, "review": 0, "relearning": 0}
    good = doc["seconds_per_answer"]["learning"]["good"]
    assert good == pytest.approx(30 / 80 * 40.0 + 50 / 80 * 13.78, abs=0.01)
    assert doc["seconds_per_answer"]["review"]["good"] == 12.38  # no review answers yet: the default


def test_a_higher_retention_costs_more_reviews(studied_home: Home) -> None:
    low = simulate_json(studied_home, "--retention", "0.75", "--days", "60")
    high = simulate_json(studied_home, "--retention", "0.97", "--days", "60")
    assert high["total"]["reviews"] > 1.5 * low["total"]["reviews"]
    assert high["total"]["new"] == pytest.approx(low["total"]["new"])  # the same cards enter either way


def test_text_forecast_and_comparison(studied_home: Home) -> None:
    result = run_studydl("simulate", "--days", "45", "--compare", home=studied_home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Workload forecast at desired retention 90%, next 45 days")
    assert "time per answer from your log: 40.0 s a learning answer (30)" in out
    assert "week from" in out and "(3d)" in out  # 45 days: six weeks and three days
    assert "Total: " in out and "Cards you would recall on the last day" in out
    table = out.split("by desired retention:")[1].splitlines()
    marked = [line for line in table if "← now" in line]
    assert len(marked) == 1 and marked[0].split()[0] == "90%"
    answers = [float(line.split()[1]) for line in table[2:] if line.strip()]
    assert answers == sorted(answers) and len(answers) == 7


def test_bad_requests_get_one_clear_line(studied_home: Home) -> None:
    for args, message in (
        (("--retention", "1.5"), "desired retention must be between 0.7 and 0.99, not 1.5"),
        (("--days", "0"), "days must be 1-3650, not 0"),
        (("--days", "many"), "'many' is not a valid integer"),
    ):
        result = run_studydl("simulate", *args, home=studied_home)
        assert result.returncode == 2, result.stdout
        assert message in result.stderr and "Traceback" not in result.stderr
