"""One SQLite database: the engine, WAL mode, write transactions that wait for the lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from studydl.domain.errors import StoreBusy, StoreError
from studydl.store import schema
from studydl.store.damage import DatabaseDamaged, check_file, sqlite_damage

BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's lock before giving up with a clear error."""


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def _busy(path: Path) -> StoreBusy:
    return StoreBusy(f"{path} is locked by another studydl process; try again in a moment")


class Database:
    """A studydl database file. `read()`/`write()` open one session per action.

    `raw_read()`/`raw_write()` are the same transactions on a plain sqlite3
    connection, for the review hot path only (see there).
    """

    def __init__(self, path: Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_s = busy_timeout_s
        self.engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
        )
        event.listen(self.engine, "connect", self._on_connect)
        event.listen(self.engine, "begin", self._on_begin)
        self._write_engine = self.engine.execution_options(studydl_write=True)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self._write_engine, expire_on_commit=False)
        self._raw_idle: list[sqlite3.Connection] = []
        self._raw_all: list[sqlite3.Connection] = []
        self._raw_lock = threading.Lock()
        self.backup_path: Path | None = None
        if problem := check_file(self.path):
            raise DatabaseDamaged(self.path, problem)
        try:
            self.backup_path = schema.ensure_current(self.engine, self.path)
        except DBAPIError as exc:
            if detail := sqlite_damage(exc):
                raise DatabaseDamaged(self.path, detail) from exc
            if not isinstance(exc, OperationalError):
                raise
            raise StoreError(f"{self.path}: cannot open the database: {exc.orig}") from exc

    @staticmethod
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own implicit BEGIN is deferred
        # and skips SELECTs, which breaks read-modify-write under concurrency).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @staticmethod
    def _on_begin(connection: object) -> None:
        immediate = connection.get_execution_options().get("studydl_write")  # type: ignore[attr-defined]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[attr-defined]

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a consistent snapshot; never blocks writers in WAL mode)."""
        with self._reads() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that takes the lock first, committed on exit.

        Another process holding the lock makes it wait (up to `busy_timeout_s`,
        retried once); after that it raises StoreBusy, a message fit for the user.
        """
        deadline = time.monotonic() + self.busy_timeout_s * 2
        while True:
            session = self._writes()
            try:
                session.begin()
                session.connection()  # emits BEGIN IMMEDIATE now, waiting for the lock
                break
            except OperationalError as exc:
                session.close()
                if not _is_locked(exc):
                    raise StoreError(f"{self.path}: {exc.orig}") from exc
                if time.monotonic() >= deadline:
                    raise _busy(self.path) from exc
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if _is_locked(exc):
                raise _busy(self.path) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- the review hot path -------------------------------------------------

    @contextmanager
    def _raw(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection of this database's own small pool, not in a transaction.

        Opened like the engine's (same PRAGMAs, same busy timeout, no implicit BEGIN)
        and kept for the next call: one per thread using it at the same moment, so
        TUI worker threads never share one. A connection left inside a transaction
        (it cannot be rolled back) is closed rather than reused.
        """
        with self._raw_lock:
            con = self._raw_idle.pop() if self._raw_idle else None
        if con is None:
            con = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False)
            self._on_connect(con, None)
            with self._raw_lock:
                self._raw_all.append(con)
        reusable = True
        try:
            yield con
        finally:
            if con.in_transaction:
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    reusable = False
            with self._raw_lock:
                if reusable and con in self._raw_all:  # (not closed by `dispose` meanwhile)
                    self._raw_idle.append(con)
                elif con in self._raw_all:
                    self._raw_all.remove(con)
                    con.close()

    @contextmanager
    def raw_read(self) -> Iterator[sqlite3.Connection]:
        """As `read()` (one consistent snapshot), on a plain sqlite3 connection.

        For the review hot path: picking and showing a card is a few one-row
        statements, and a SQLAlchemy Session per call costs more than they do.
        """
        with self._raw() as con:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")

    @contextmanager
    def raw_write(self) -> Iterator[sqlite3.Connection]:
        """As `write()`, on a plain sqlite3 connection: BEGIN IMMEDIATE, committed on exit.

        The same guarantees: the lock is taken before anything is read, another
        process's lock is waited for (`busy_timeout_s`, retried once) and then
        StoreBusy; synchronous=FULL, so the answer is on disk when this returns;
        any error rolls the whole transaction back.
        """
        deadline = time.monotonic() + self.busy_timeout_s * 2
        with self._raw() as con:
            while True:
                try:
                    con.execute("BEGIN IMMEDIATE")  # waits for the lock (busy timeout)
                    break
                except sqlite3.OperationalError as exc:
                    if not _is_locked(exc):
                        raise StoreError(f"{self.path}: {exc}") from exc
                    if time.monotonic() >= deadline:
                        raise _busy(self.path) from exc
            try:
                yield con
                con.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if _is_locked(exc):
                    raise _busy(self.path) from exc
                raise
            # On any error `_raw` rolls back (the connection is still in the transaction).

    def dispose(self) -> None:
        with self._raw_lock:
            for con in self._raw_all:
                con.close()
            self._raw_all.clear()
            self._raw_idle.clear()
        self.engine.dispose()
