"""Issue 21 item 12: two processes syncing one deck at once, as two Database objects on one store.

A sync reads (files, then the store) and later writes; another process may sync in
between. Each case runs the two halves of one sync around a whole sync by the other
process, deterministically: no threads, no sleeps.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from studydl.decks.sync import read_for_sync, sync_decks, write_synced
from studydl.home import Home
from studydl.store.db import Database
from tests.backends import open_db
from tests.decks.store_helpers import NOW, cards, deck_of

V1 = "Q: Which gate drops cell state?\nA: The forget gate.\n"
V2 = V1 + "\nQ: Which gate adds to the cell state?\nA: The input gate.\n"
V3 = V2 + "\nQ: Which gate shapes the output?\nA: The output gate.\n"


@pytest.fixture
def other(home: Home) -> Database:
    """The other process's connection to the same store."""
    database = open_db(home)
    yield database
    database.dispose()


def _questions(db: Database) -> list[str]:
    return [c.question for c in cards(db, "", retired=False)]


def _holds(db: Database, path: Path, text: str) -> bool:
    """The store's deck was last synced from exactly `text`."""
    return deck_of(db, path).file_hash == hashlib.sha256(text.encode()).hexdigest()


def test_12_an_older_read_never_writes_over_a_newer_sync(db: Database, other: Database, write_deck) -> None:
    path = write_deck("gates.md", V1)
    sync_decks(db, [path], clock=lambda: NOW)
    path.write_text(V2)
    slow = read_for_sync(db, [path])  # this process read V2 ...
    path.write_text(V3)
    sync_decks(other, [path], clock=lambda: NOW)  # ... the other read V3 and wrote it first
    write_synced(db, slow, clock=lambda: NOW)
    assert len(_questions(db)) == 3 and _holds(db, path, V3) and slow.report.synced == []


def test_12_a_newer_read_still_writes_after_an_older_sync(db: Database, other: Database, write_deck) -> None:
    path = write_deck("gates.md", V1)
    sync_decks(db, [path], clock=lambda: NOW)
    path.write_text(V2)
    older = read_for_sync(other, [path])
    path.write_text(V3)
    newer = read_for_sync(db, [path])
    write_synced(other, older, clock=lambda: NOW)  # nobody synced since it read: it writes V2
    assert len(_questions(db)) == 2 and _holds(db, path, V2)
    write_synced(db, newer, clock=lambda: NOW)  # the store changed, but the file still holds V3: written
    assert len(_questions(db)) == 3 and _holds(db, path, V3)


def test_12_the_same_bytes_synced_by_both_are_written_once(db: Database, other: Database, write_deck) -> None:
    path = write_deck("gates.md", V1)
    first, second = read_for_sync(db, [path]), read_for_sync(other, [path])
    write_synced(other, second, clock=lambda: NOW)
    write_synced(db, first, clock=lambda: NOW)
    assert _questions(db) == ["Which gate drops cell state?"] and first.report.added == []
