"""One SQLite database: the engine, WAL mode, write transactions that wait for the lock."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from studydl.domain.errors import StoreBusy, StoreError
from studydl.store import schema

BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's lock before giving up with a clear error."""


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


class Database:
    """A studydl database file. `read()`/`write()` open one session per action."""

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
        self.backup_path: Path | None = None
        try:
            self.backup_path = schema.ensure_current(self.engine, self.path)
        except OperationalError as exc:
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
                    raise StoreBusy(
                        f"{self.path} is locked by another studydl process; try again in a moment"
                    ) from exc
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if _is_locked(exc):
                raise StoreBusy(f"{self.path} is locked by another studydl process; try again in a moment") from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
