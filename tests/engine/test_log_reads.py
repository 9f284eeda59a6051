"""The whole-log reads of optimize and of the forecast walk the review log in its table's order.

At a million cards the log has ten million rows, written in time order. Read in card
order through the card index, every row is a jump to another page of the table (the
forecast's answer profile took 6 s of its 10 at 100,000 cards so); read in table order and
sorted in numpy, the same rows come in one sequential pass. Checked on the query plans of
every statement the two send (SQLite plans without statistics, so a small log's plan is a
large one's).
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from studydl.engine.answer_profile import answer_profile
from studydl.engine.optimize import training_set
from studydl.engine.settings import Settings
from tests.engine.engine_samples import START, card_ids, simulated_log
from tests.engine.test_optimize import add_log


def traced_plans(db, call) -> list[str]:  # noqa: ANN001
    """The query-plan lines of every statement `call` sends to the log."""
    sent: list[str] = []
    with db.raw_read() as con:  # opens the connection the calls reuse
        pass
    for con in db._raw_all:  # test-only reach inside, as tests/engine/test_hot_path_plans.py
        con.set_trace_callback(sent.append)
    call()
    plans = []
    check = sqlite3.connect(db.path)
    try:
        for sql in sorted({s for s in sent if "review_log" in s and s.lstrip().upper().startswith("SELECT")}):
            plans += [row[3] for row in check.execute(f"EXPLAIN QUERY PLAN {sql}")]
    finally:
        check.close()
    return plans


def test_optimize_and_the_profile_read_the_log_in_table_order(tmp_path, write_deck) -> None:
    from studydl.decks.sync import sync_decks
    from studydl.store.db import Database
    from tests.engine.engine_samples import BASICS

    db = Database(tmp_path / "log.db")
    try:
        assert sync_decks(db, [write_deck("basics.md", BASICS)], clock=lambda: START - timedelta(days=1)).ok
        add_log(db, simulated_log(card_ids(db), 5, START - timedelta(days=100)))
        settings = Settings(timezone="UTC")
        plans = traced_plans(db, lambda: (training_set(db, settings), answer_profile(db, settings.study_days())))
    finally:
        db.dispose()
    assert any(line.startswith("SCAN review_log") for line in plans), plans
    assert not [line for line in plans if "ix_review_log_card_id" in line or "TEMP B-TREE" in line], plans
