"""`studydl copy-to`: a whole collection into an empty database, a SQLite home to a server and back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from studydl.cli import cli
from studydl.decks.sync import sync_decks
from studydl.domain.errors import StoreError
from studydl.domain.review import Rating
from studydl.engine.history import replay_card, stored_memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import save_setting
from studydl.home import Home
from studydl.store.copy import TABLES, copy_collection
from studydl.store.db import Database
from studydl.store.models import Base
from tests.backends import cli_args
from tests.engine.engine_samples import BASICS, OTHER, START, Clock
from tests.pg_server import PgServer


def everything(db: Database) -> dict[str, list[tuple]]:
    with db.read() as s:
        return {
            name: [tuple(row) for row in s.execute(select(*Base.metadata.tables[name].columns).order_by(*Base.metadata.tables[name].primary_key.columns))]
            for name in TABLES
        }


@pytest.fixture
def studied(home: Home, write_deck: Callable[[str, str], Path], utc) -> Database:  # noqa: ARG001
    """Two synced decks, a changed setting and a few answers (with an undo), on the test's backend."""
    db = home.open_db()
    assert sync_decks(db, [write_deck("basics.md", BASICS), write_deck("other.md", OTHER)], clock=lambda: START).ok
    save_setting(db, "new", 50)
    clock = Clock()
    session = ReviewSession(db, clock=clock)
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.GOOD, Rating.HARD):
        session.answer(session.next_card().card.id, rating)
        clock.advance(minutes=3)
    session.undo()
    yield db
    db.dispose()


def other_side(home: Home, pg_server: PgServer, tmp_path: Path) -> str:
    """A SQLite home's collection goes to the server; a server's to a SQLite file."""
    return str(tmp_path / "copy.db") if home.db_url else pg_server.new_collection()


def test_copy_keeps_every_row_and_the_copy_studies_on(studied: Database, home: Home, pg_server: PgServer, tmp_path: Path) -> None:
    target = Database(other_side(home, pg_server, tmp_path))
    try:
        report = copy_collection(studied, target)
        rows = everything(studied)
        assert everything(target) == rows
        assert report.rows == {name: len(found) for name, found in rows.items()}
        assert report.rows["review_log"] == 4 and report.rows["cards"] > 10
        clock = Clock()
        clock.advance(hours=1)
        session = ReviewSession(target, clock=clock)  # new rows get ids after the copied ones
        card_id = session.next_card().card.id
        answered = session.answer(card_id, Rating.GOOD)
        assert answered.review_id > max(row[0] for row in rows["review_log"])
        for card in {row[1] for row in everything(target)["review_log"]}:
            assert replay_card(target, card) == stored_memory(target, card)
    finally:
        target.dispose()


def test_copy_into_a_database_that_holds_a_collection_is_refused(studied: Database, home: Home, pg_server: PgServer, tmp_path: Path) -> None:
    target = Database(other_side(home, pg_server, tmp_path))
    try:
        copy_collection(studied, target)
        before = everything(target)
        with pytest.raises(StoreError, match="already holds a collection"):
            copy_collection(studied, target)
        assert everything(target) == before
        with pytest.raises(StoreError, match="is the database being copied"):
            copy_collection(studied, studied)
    finally:
        target.dispose()


def test_copy_to_command(studied: Database, home: Home, pg_server: PgServer, tmp_path: Path) -> None:
    url = other_side(home, pg_server, tmp_path)
    result = CliRunner().invoke(cli, [*cli_args(home), "copy-to", url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Copied {len(everything(studied)['cards'])} cards, 4 answers, 2 decks, 0 settings and 1 presets to ")
    assert ("--db URL" in result.output) == (not home.db_url)
    again = CliRunner().invoke(cli, [*cli_args(home), "copy-to", url])
    assert again.exit_code == 1 and "already holds a collection (decks has rows); copy into an empty one" in again.stderr
