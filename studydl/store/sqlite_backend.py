"""SQLite, the default: one file in the home, WAL mode, writes that take the lock first.

Every connection (SQLAlchemy's and the hot path's plain sqlite3 ones) runs with
journal_mode=WAL, synchronous=FULL (a commit is on disk when it returns) and foreign
keys on. A write transaction is BEGIN IMMEDIATE: it takes the database's write lock
before reading anything, waiting for another process's lock up to the busy timeout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studydl.domain.errors import StoreBusy, StoreError, StudyError
from studydl.private_files import create_private_database, make_private_dirs
from studydl.store import schema
from studydl.store.damage import DatabaseDamaged, check_file, sqlite_damage
from studydl.store.hot import SqliteHot
from studydl.store.location import DbLocation

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


class SqliteBackend:
    """What the store does differently on a SQLite file."""

    name = "sqlite"

    def __init__(self, location: DbLocation, busy_timeout_s: float) -> None:
        assert location.path is not None
        self.location = location
        self.path: Path = location.path
        self.busy_timeout_s = busy_timeout_s
        make_private_dirs(self.path.parent)

    # -- SQLAlchemy ------------------------------------------------------------------

    def create_engine(self) -> Engine:
        from sqlalchemy import create_engine

        return create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": self.busy_timeout_s, "check_same_thread": False},
        )

    @staticmethod
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object = None) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own implicit BEGIN is deferred
        # and skips SELECTs, which breaks read-modify-write under concurrency).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @staticmethod
    def on_begin(connection: Any, write: bool) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def ensure_schema(self, engines: Callable[[], tuple[Engine, Engine]]) -> Path | None:
        """Refuse a damaged file (store/damage.py); else bring it to HEAD (the backup made first, if any).

        A file at HEAD is checked with sqlite3 alone: `engines` is called only to create or migrate.
        """
        if problem := check_file(self.path):
            raise DatabaseDamaged(self.path, problem)
        if not self.path.exists():
            create_private_database(self.path)  # 0600, and SQLite gives its -wal and -shm the same mode
        try:
            return schema.ensure_current(lambda: engines()[0], self.path)
        except Exception as exc:
            if detail := sqlite_damage(exc):
                raise DatabaseDamaged(self.path, detail) from exc
            raise

    # -- the hot path's own connections ------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False)
        self.on_connect(con)
        return con

    hot = SqliteHot

    @staticmethod
    def begin(con: sqlite3.Connection, write: bool) -> None:
        """BEGIN (a snapshot) or BEGIN IMMEDIATE (waits for the write lock: the busy timeout)."""
        con.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    @staticmethod
    def commit(con: sqlite3.Connection) -> None:
        con.execute("COMMIT")

    @staticmethod
    def release(con: sqlite3.Connection) -> bool:
        """Roll back what is left open; False when the connection cannot be reused."""
        if not con.in_transaction:
            return True
        try:
            con.execute("ROLLBACK")
        except sqlite3.Error:
            return False
        return True

    @staticmethod
    def usable(con: sqlite3.Connection) -> bool:
        return True

    @staticmethod
    def close(con: sqlite3.Connection) -> None:
        con.close()

    def checkpoint(self, con: sqlite3.Connection) -> None:
        """Copy the log's committed pages into the file now, without waiting for anyone (PASSIVE).

        SQLite does this itself at the commit that takes the log past 1,000 pages: in a
        review, one answer in ~86 then took 16-18 ms more, the first in a session 0.3-1 s
        (bench/review_paint.py's worst). Done after each answer instead, each copy is a few
        pages and the log starts over before it grows.
        """
        con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    # -- errors ------------------------------------------------------------------------

    def busy(self) -> StoreBusy:
        return StoreBusy(f"{self.path} is locked by another studydl process; try again in a moment")

    def translate(self, exc: BaseException, *, beginning: bool = False) -> StudyError | None:
        """The user's message for a driver error (a lock held too long), or None: not ours to explain."""
        orig = getattr(exc, "orig", exc)
        if isinstance(orig, sqlite3.OperationalError):
            if _is_locked(orig):
                return self.busy()
            if beginning:
                return StoreError(f"{self.path}: {orig}")
        return None
