"""The review hot path reads by index: no statement of next card + answer walks the cards table.

Every statement a session sends while handing out and answering cards is traced on
its own SQLite connections, then asked for its query plan. SQLite plans without
statistics (no ANALYZE), so the plan on a dozen cards is the plan on a million; a
statement that scans `cards`, or searches it only by `retired` (all live cards),
costs time in proportion to the collection on every answer.
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
from tests.engine.engine_samples import BASICS, OTHER, START, Clock


def _whole_table(plan: list[str]) -> list[str]:
    """Plan lines that visit every row (or every live row) of cards or review_log."""
    return [
        line for line in plan
        if ("SCAN cards" in line or "SCAN review_log" in line) and "COVERING INDEX ix_cards_deck" not in line
        or line.endswith("(retired=?)")
    ]


def test_next_card_and_answer_never_walk_the_cards(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    db = Database(tmp_path / "plans.db")
    try:
        sync_decks(db, [write_deck("basics.md", BASICS), write_deck("other.md", OTHER)], clock=lambda: START - timedelta(days=1))
        clock = Clock()
        session = ReviewSession(db, clock=clock)
        sent: list[str] = []
        traced: set[int] = set()
        for step in range(12):
            for con in db._raw_all:  # the session's own connections (test-only reach inside)
                if id(con) not in traced:
                    con.set_trace_callback(sent.append)
                    traced.add(id(con))
            due = session.next_card()
            if due is None:
                break
            session.answer(due.card.id, (Rating.GOOD, Rating.AGAIN, Rating.EASY)[step % 3], 3000)
            clock.advance(minutes=3)
        assert sent, "no statement traced"
    finally:
        db.dispose()
    con = sqlite3.connect(tmp_path / "plans.db")
    try:
        bad = {}
        for sql in sorted(set(sent)):
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
                continue
            plan = [row[3] for row in con.execute(f"EXPLAIN QUERY PLAN {sql}")]
            if found := _whole_table(plan):
                bad[sql] = found
    finally:
        con.close()
    assert bad == {}
