"""Between cards: the card guessed to come next, and the store's log written out while the learner reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from studydl.decks.sync import sync_decks
from studydl.domain.review import Rating
from studydl.engine.cram import CramSession
from studydl.engine.session import ReviewSession
from studydl.engine.session_idle import CHECKPOINT_EVERY
from studydl.engine.settings import save_changes
from studydl.store.db import Database
from tests.engine.engine_samples import BASICS, OTHER, START, Clock


def _db(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> Database:
    db = Database(tmp_path / "idle.db")
    sync_decks(db, [write_deck("basics.md", BASICS), write_deck("other.md", OTHER)], clock=lambda: START - timedelta(days=1))
    return db


def test_the_guess_is_the_card_that_comes_next_when_the_shown_one_leaves(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """New cards, rated Easy (they leave) and Again (back in a minute, learning): the guess is never the
    card shown and is the card shown next, but for a sibling the answer buries (Sigmoid's reverse, the
    second cloze) and the last new card (after it, learning cards not yet due: a query decides)."""
    db = _db(tmp_path, write_deck)
    clock = Clock()
    session = ReviewSession(db, clock=clock)
    try:
        due = session.next_card()
        hits = 0
        for step in range(10):
            guess = session.upcoming()
            assert guess is None or guess.id != due.card.id
            session.answer(due.card.id, Rating.EASY if step % 2 else Rating.AGAIN)
            due = session.next_card()
            if due is None:
                break
            if guess is not None and guess.id == due.card.id:
                assert guess.question == due.card.question
                hits += 1
        assert hits == 7, hits
    finally:
        db.dispose()


def test_a_cram_makes_no_guess(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    db = _db(tmp_path, write_deck)
    try:
        cram = CramSession(db, "Basics", clock=Clock())
        assert cram.next_card() is not None and cram.upcoming() is None
    finally:
        db.dispose()


def _file_alone(db_path: Path, tmp_path: Path) -> sqlite3.Connection:
    """The database file without its log (-wal): what a checkpoint has written into it."""
    alone = tmp_path / "alone.db"
    alone.write_bytes(db_path.read_bytes())
    return sqlite3.connect(alone)


def test_the_checkpoint_writes_the_log_out_on_a_connection_of_its_own(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """The app has the session write the log into the file while a card is read (so SQLite's own
    checkpoint, at the commit that takes the log past 1,000 pages, never comes in a review): at the
    first card and every 32nd after it. The file alone then holds the answers, and the session's pool
    is as it was (the next answer gets the connection it read its card on, whose mark spares it the
    card's read)."""
    many = "---\ndeck: Many\n---\n\n" + "".join(f"Q: Question {n}?\nA: Answer {n}.\n\n" for n in range(40))
    db = Database(tmp_path / "many.db")
    sync_decks(db, [write_deck("many.md", many)], clock=lambda: START - timedelta(days=1))
    save_changes(db, {"new_per_day": 100})
    session = ReviewSession(db, clock=Clock())
    try:
        due = session.next_card()
        session.checkpoint()  # the first card: the sync's pages (the schema and cards) go into the file
        pooled = list(db._raw_all)
        written = []
        for _ in range(CHECKPOINT_EVERY):
            session.answer(due.card.id, Rating.EASY)
            due = session.next_card()
            session.checkpoint()
            with _file_alone(db.path, tmp_path) as alone:
                written.append(alone.execute("SELECT count(*) FROM review_log").fetchone()[0])
            if due is None:
                break
        assert written[-1] == CHECKPOINT_EVERY and set(written[:-1]) == {0}, written
        assert db._raw_all == pooled
    finally:
        db.dispose()


def test_the_card_read_ahead_comes_next_unless_a_learning_card_came_due_since(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """An answer reads ahead the card a pick from memory gives then, and `next_card` takes that pick
    while nothing but time has passed (memory_pick.prefetched_pick); a learning card come due in the
    meantime comes first all the same, as a fresh pick has it."""
    db = _db(tmp_path, write_deck)
    clock = Clock()
    session = ReviewSession(db, clock=clock)
    try:
        again = session.next_card()
        session.answer(again.card.id, Rating.AGAIN)  # back in a minute (a learning step)
        ahead = session._prefetched  # noqa: SLF001 - test-only reach: the card read ahead
        assert ahead is not None and ahead.card_id != again.card.id
        session.prepare()
        assert session.next_card().card.id == ahead.card_id  # (no time passed: the pick read ahead)
        shown = session._shown.plan.card_id  # noqa: SLF001
        session.answer(shown, Rating.EASY)
        ahead = session._prefetched  # noqa: SLF001
        assert ahead is not None and ahead.card_id != again.card.id
        clock.advance(minutes=2)  # the Again card is due again now
        assert session.next_card().card.id == again.card.id
    finally:
        db.dispose()
