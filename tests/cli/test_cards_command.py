"""`studydl cards [QUERY]` and `cards --json` through the real entry point, on the README's examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from studydl.domain.review import Rating
from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.session import ReviewSession
from studydl.home import Home
from studydl.search.card_info import retrievability
from studydl.store.models import CardRow
from tests.conftest import bundled_card_count, run_studydl


@pytest.fixture(scope="module")
def synced_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """The bundled decks synced with a plain `studydl sync`, two CNN cards answered 40 days ago."""
    home = Home(tmp_path_factory.mktemp("cards") / "home").ensure()
    assert run_studydl("sync", "--quiet", home=home).returncode == 0
    db = home.open_db()
    with db.read() as s:
        first, second = s.scalars(select(CardRow.id).where(CardRow.question.contains("CNN")).order_by(CardRow.id).limit(2))
    moment = [datetime.now(UTC) - timedelta(days=40)]  # past any first interval's fuzz
    session = ReviewSession(db, clock=lambda: moment[0])
    for card_id in (first, second):
        session.answer(card_id, Rating.GOOD, duration_ms=3000)
        moment[0] += timedelta(minutes=11)
        session.answer(card_id, Rating.EASY, duration_ms=2000)
    db.dispose()
    return home


def cards_json(home: Home, *args: str) -> list[dict]:
    result = run_studydl("cards", *args, "--json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["cards"]


def test_the_readme_example_finds_the_cnn_deck_by_its_file_stem(synced_home: Home) -> None:
    found = cards_json(synced_home, "--deck", "cnn")
    assert len(found) == bundled_card_count("cnn.md") and {c["deck"] for c in found} == {"Convolutional networks"}
    assert cards_json(synced_home, "--deck", "CONVOLUTIONAL") == found  # the start of its name, any case


def test_json_carries_each_cards_scheduling_state(synced_home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")  # times come in the local zone, with its offset
    found = cards_json(synced_home, "deck:cnn -is:new")
    assert len(found) == 2
    db = synced_home.open_db()
    with db.read() as s:
        row = s.scalars(select(CardRow).where(CardRow.uid == found[0]["id"])).one()
    db.dispose()
    doc = found[0]
    assert doc["state"] == "review" and doc["reps"] == 2 and doc["lapses"] == 0 and doc["last_rating"] == "easy"
    zone = ZoneInfo("America/New_York")
    assert doc["due"] == row.due.astimezone(zone).isoformat(timespec="seconds")
    assert doc["due"][-6:] in ("-05:00", "-04:00")
    assert datetime.fromisoformat(doc["last_review"]) == row.last_review.replace(microsecond=0)
    assert (doc["stability"], doc["difficulty"]) == (row.stability, row.difficulty)
    expected = retrievability(FsrsModel(), row.stability, row.last_review, datetime.now(UTC))
    assert 0 < doc["retrievability"] < 1 and abs(doc["retrievability"] - expected) < 1e-3
    new = cards_json(synced_home, "deck:cnn is:new")[0]
    assert (new["state"], new["due"], new["retrievability"], new["last_rating"]) == ("new", None, None, None)


def test_query_on_the_command_line_is_the_browsers_language(synced_home: Home) -> None:
    due = run_studydl("cards", "deck:cnn is:due", home=synced_home)
    assert due.returncode == 0 and len(due.stdout.splitlines()) == 2  # both answered cards are due by now
    assert all(" review " in line and "cnn.md:" in line for line in due.stdout.splitlines())
    either = cards_json(synced_home, "deck:cnn", "(is:due", "or", "pooling)")
    assert len(either) > 2 and all(c["deck"] == "Convolutional networks" for c in either)
    none = run_studydl("cards", "deck:cnn relu is:suspended", home=synced_home)
    assert none.returncode == 0 and none.stdout == "" and "No cards match." in none.stderr


def test_a_bad_query_or_an_unknown_deck_is_a_message_and_a_non_zero_exit(synced_home: Home) -> None:
    bad = run_studydl("cards", "is:bogus", home=synced_home)
    assert bad.returncode == 2 and "unknown is:bogus" in bad.stderr and "Traceback" not in bad.stderr
    unknown = run_studydl("cards", "--deck", "zzz", "--json", home=synced_home)
    assert unknown.returncode == 1 and "no deck matches 'zzz' (decks: Activation functions," in unknown.stderr
