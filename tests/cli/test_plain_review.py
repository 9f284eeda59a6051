"""`review --plain` and `stats` through the real entry point: one count of today's answers with
cram apart, `/q` at every prompt, no internal ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from studydl.home import Home
from studydl.tui.home_data import load_home_data
from tests.conftest import run_studydl

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
"""Midday: the answers stay on one study day whatever time the suite runs at."""

DECK = """---
deck: Basics
---
# Perceptron
Q: What does a perceptron's step function output?
A: 0 or 1.

Q: What does ReLU return for negative inputs?
A: Zero.

Q: What is a tensor?
A: An n-dimensional array.
"""


@pytest.fixture
def synced_home(home: Home) -> Home:
    (home.decks_dir / "basics.md").write_text(DECK, encoding="utf-8")
    result = run_studydl("sync", home=home, at=AT)
    assert result.returncode == 0, result.stderr
    return home


def test_todays_answers_are_one_count_everywhere_with_cram_apart(synced_home: Home) -> None:
    review = run_studydl("review", "--plain", "--deck", "Basics", home=synced_home, input="\n3\n\n1\nq\n", at=AT)
    assert review.returncode == 0, review.stderr
    cram = run_studydl("review", "--plain", "--cram", "--deck", "Basics", home=synced_home, input="\n3\nq\n", at=AT)
    assert cram.returncode == 0, cram.stderr
    summary = cram.stdout.rstrip().splitlines()[-1]
    assert "1 of 3 answers correct today" not in summary
    assert "2 of 3 answers correct today (67%, 1 of them cram)" in summary, summary
    stats = run_studydl("stats", home=synced_home, at=AT)
    assert "Reviews today:      3 " in stats.stdout and "2 correct (67%), 1 of them cram" in stats.stdout, stats.stdout
    db = synced_home.open_db()
    try:
        data = load_home_data(db, AT)
    finally:
        db.dispose()
    assert (data.reviewed_today, data.crammed_today) == (3, 1)


def test_slash_q_ends_the_session_at_a_basic_cards_prompt_and_no_internal_id_is_shown(synced_home: Home) -> None:
    result = run_studydl("review", "--plain", "--deck", "Basics", home=synced_home, input="/q\n", at=AT)
    assert result.returncode == 0, result.stderr
    assert "Type 1, 2, 3 or 4" not in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Reviewed 0 cards")
    header = next(line for line in result.stdout.splitlines() if line.startswith("[Basics"))
    assert not re.search(r"\bcard \d+", header) and "basics.md:" in header, header
    rated = run_studydl("review", "--plain", "--deck", "Basics", home=synced_home, input="\n/3\n/q\n", at=AT)
    assert "saved " in rated.stdout and "good" in rated.stdout and "Type 1, 2, 3 or 4" not in rated.stdout
