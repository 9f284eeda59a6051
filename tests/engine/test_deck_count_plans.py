"""The deck list's counts (and `studydl due`'s) read indexes only, in a fixed number of statements.

Every statement `load_home_data` sends is traced on its own SQLite connection, then
asked for its query plan. SQLite plans without statistics (no ANALYZE), so the plan on
a few cards is the plan on a million: a statement that reads every row of `cards` (not
only a covering index) reads the whole table, text and all, every time the deck list
shows. (Today's answers join their cards by id, the next due time seeks one row.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from studydl.decks.sync import sync_decks
from studydl.domain.review import Rating
from studydl.engine.session import ReviewSession
from studydl.store.db import Database
from studydl.tui.home_data import load_home_data
from tests.engine.engine_samples import BASICS, OTHER, START, Clock

MORE = """
---
deck: More {n}
---

# Part one

Q: first question of {n}?
A: first answer.

# Part two

Q: second question of {n}?
A: second answer.
"""


def _traced_home_data(db: Database, now) -> list[str]:  # noqa: ANN001
    """The statements one `load_home_data` sends, with their parameters bound."""
    sent: list[str] = []
    load_home_data(db, now)  # (opens the connection it will reuse)
    for con in db._raw_all:  # the raw connections (test-only reach inside)
        con.set_trace_callback(sent.append)
    load_home_data(db, now)
    for con in db._raw_all:
        con.set_trace_callback(None)
    return [sql for sql in sent if sql.lstrip().upper().startswith("SELECT")]


def _walks_cards(line: str) -> bool:
    """A plan line that reads rows of cards in proportion to the collection (a seek by id or due is one row)."""
    return ("SCAN cards" in line and "COVERING INDEX" not in line) or line.endswith(("(deck_id=?)", "(retired=?)"))


def _reads_card_rows(path: Path, statements: list[str]) -> dict[str, list[str]]:
    con = sqlite3.connect(path)
    try:
        bad = {}
        for sql in statements:
            plan = [row[3] for row in con.execute(f"EXPLAIN QUERY PLAN {sql}")]
            if found := [line for line in plan if _walks_cards(line)]:
                bad[sql] = found
        return bad
    finally:
        con.close()


def test_deck_counts_read_covering_indexes_in_statements_that_do_not_grow_with_the_decks(
    tmp_path: Path, write_deck: Callable[[str, str], Path]
) -> None:
    db = Database(tmp_path / "counts.db")
    try:
        decks = [write_deck("basics.md", BASICS), write_deck("other.md", OTHER)]
        sync_decks(db, decks, clock=lambda: START - timedelta(days=1))
        clock = Clock()
        session = ReviewSession(db, clock=clock)
        for _ in range(3):  # some learning and review cards, answers today
            due = session.next_card()
            assert due is not None
            session.answer(due.card.id, Rating.GOOD, 3000)
        few = _traced_home_data(db, clock.now)
        sync_decks(db, [*decks, *(write_deck(f"more{n}.md", MORE.format(n=n)) for n in range(8))], clock=lambda: START)
        many = _traced_home_data(db, clock.now)
        data = load_home_data(db, clock.now)
    finally:
        db.dispose()
    assert len(data.decks) == 10 and sum(len(d.children) for d in data.decks if d.deck.startswith("More")) == 16
    assert len(many) == len(few), "a statement per deck"
    assert _reads_card_rows(tmp_path / "counts.db", many) == {}
    con = sqlite3.connect(tmp_path / "counts.db")
    try:  # when the next card comes out of burial: the buried cards' entries, not every learning and review card's
        (buried,) = [sql for sql in many if "min(buried_until)" in sql]
        assert [row[3] for row in con.execute(f"EXPLAIN QUERY PLAN {buried}")][0].startswith("SEARCH cards USING INDEX ix_cards_buried")
    finally:
        con.close()
