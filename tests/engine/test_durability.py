"""Durability: a SIGKILL loses no acknowledged answer; two writers lose nothing; a lock is a message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from studydl.domain.errors import StoreBusy
from studydl.domain.review import Rating
from studydl.engine.history import replay_card, stored_memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings
from studydl.home import DB_ENV
from studydl.store.db import Database
from studydl.store.models import ReviewRow
from tests.backends import assert_intact, open_db
from tests.engine.engine_samples import card_ids


def log_rows(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        rows = s.execute(select(ReviewRow.card_id, ReviewRow.rating).order_by(ReviewRow.id)).all()
    return [(card_id, Rating(rating).name.lower()) for card_id, rating in rows]


def assert_cards_match_their_logs(db: Database, settings: Settings | None = None) -> None:
    for card_id in card_ids(db):
        assert replay_card(db, card_id, settings) == stored_memory(db, card_id), card_id


def test_sigkill_mid_session_loses_no_acknowledged_answer(synced, home) -> None:
    synced.dispose()
    env = {**os.environ, "STUDYDL_HOME": str(home.root), "PYTHONUNBUFFERED": "1", **({DB_ENV: home.db_url} if home.db_url else {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "studydl", "review", "--plain"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("1\n3\n" * 400)  # keeps answering (Again/Good) far past the kill
    proc.stdin.flush()
    acknowledged = []
    for line in proc.stdout:
        if line.startswith("saved "):
            _, card_id, rating = line.split()[:3]
            acknowledged.append((int(card_id), rating))
            if len(acknowledged) == 25:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert_intact(home)
    reopened = open_db(home)
    logged = log_rows(reopened)
    assert logged[: len(acknowledged)] == acknowledged
    assert_cards_match_their_logs(reopened)
    reopened.dispose()


def test_two_writers_on_one_database_lose_nothing(synced, clock, home) -> None:
    settings = Settings(bury_siblings=False)
    ids = card_ids(synced)
    errors: list[BaseException] = []

    def worker() -> None:
        db = open_db(home)
        try:
            session = ReviewSession(db, clock=clock, settings=settings)
            for card_id in ids:
                session.answer(card_id, Rating.GOOD)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with synced.read() as s:
        assert s.execute(select(func.count()).select_from(ReviewRow)).scalar_one() == 2 * len(ids)
    assert all(stored_memory(synced, card_id).reps == 2 for card_id in ids)
    assert_cards_match_their_logs(synced, settings)


def test_a_locked_database_gives_store_busy_then_works(synced, clock, home) -> None:
    db = open_db(home, busy_timeout_s=0.1)
    session = ReviewSession(db, clock=clock)
    card_id = session.next_card().card.id
    holder = open_db(home)  # another process, holding the write lock (SQLite's file lock, or the server's)
    try:
        with holder.write(), pytest.raises(StoreBusy, match="locked by another studydl process"):
            session.answer(card_id, Rating.GOOD)
    finally:
        holder.dispose()
    assert log_rows(db) == []
    session.answer(card_id, Rating.GOOD)
    assert log_rows(db) == [(card_id, "good")]
    db.dispose()
