"""Engine fixtures: a real database (SQLite and PostgreSQL) with real deck files synced, a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from studydl.decks.sync import sync_decks
from studydl.store.db import Database
from tests.backends import backend  # noqa: F401  (the fixture: every test using `db` runs on both)
from tests.engine.engine_samples import BASICS, OTHER, START, Clock


@pytest.fixture(autouse=True)
def _utc_local_zone(utc) -> None:
    """Every engine test runs with local time = UTC (see the root conftest's `utc`)."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def synced(db: Database, write_deck: Callable[[str, str], Path]) -> Database:
    """The test decks written as files and synced into a fresh store."""
    paths = [write_deck("basics.md", BASICS), write_deck("other.md", OTHER)]
    report = sync_decks(db, paths, clock=lambda: START - timedelta(days=1))
    assert report.ok, report.errors
    return db
