"""Running tests on both databases: the `backend` fixture (import it into a folder's conftest) and helpers."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import text

from studydl.home import Home
from studydl.store.db import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite (the home's file) and PostgreSQL (a fresh collection on the test server)."""
    return request.param


def cli_args(home: Home) -> list[str]:
    """`--home` (and `--db` on a server) for a `studydl` command on this home's database."""
    return ["--home", str(home.root), *(["--db", home.db_url] if home.db_url else [])]


def open_db(home: Home, **options: Any) -> Database:
    """Another connection to the home's database (as a second process or device would open it)."""
    return Database(home.db_url or home.db_path, **options)


def assert_intact(home: Home) -> None:
    """The database itself is sound: SQLite's integrity check; a server answers (it checks its own pages)."""
    if home.db_url:
        db = open_db(home)
        try:
            with db.read() as s:
                assert s.execute(text("SELECT count(*) FROM review_log")).scalar() is not None
        finally:
            db.dispose()
        return
    with sqlite3.connect(home.db_path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def query(home: Home, sql: str, **params: Any) -> list[tuple]:
    """The rows of one SQL query (`:name` parameters) on the home's database, SQLite or server."""
    db = open_db(home)
    try:
        with db.read() as s:
            return [tuple(row) for row in s.execute(text(sql), params)]
    finally:
        db.dispose()
