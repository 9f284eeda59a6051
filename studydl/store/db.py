"""One studydl database, SQLite file or PostgreSQL server: sessions per action, writes that wait for the lock.

What differs between the two lives in `sqlite_backend` and `pg_backend`; the hot
path's statements are in `hot`. Both give the same guarantees: a write transaction
takes the collection's write lock before it reads anything (another writer is
waited for, up to the busy timeout, then StoreBusy); a commit is durable when it
returns; reads see one consistent snapshot and never wait for writers.

SQLAlchemy (a few hundred milliseconds to import) is loaded when a session or the
engine is first used: a SQLite file at the current schema opens without it, so the
quick read paths (`studydl due`, the app's first counts) run on `raw_read()` alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studydl.domain.errors import StoreBusy, StoreError
from studydl.store.hot import HotSQL
from studydl.store.location import DbLocation, locate

log = logging.getLogger("studydl.store")

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's lock before giving up with a clear error."""


def _backend(location: DbLocation, busy_timeout_s: float) -> Any:
    if location.dialect == "sqlite":
        from studydl.store.sqlite_backend import SqliteBackend

        return SqliteBackend(location, busy_timeout_s)
    from studydl.store.pg_backend import PostgresBackend

    return PostgresBackend(location, busy_timeout_s)


class Database:
    """A studydl database. `read()`/`write()` open one session per action.

    `raw_read()`/`raw_write()` are the same transactions on the driver's own
    connection (no SQLAlchemy Session), for the review hot path only (see there).
    `where` is a SQLite file, or a URL or location from `--db`.
    """

    def __init__(self, where: Path | str | DbLocation, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.location = where if isinstance(where, DbLocation) else locate(where)
        self.path: Path | None = self.location.path
        """The SQLite file; None on a server."""
        self.busy_timeout_s = busy_timeout_s
        self.backend = _backend(self.location, busy_timeout_s)
        self._engine_lock = threading.Lock()
        self._raw_idle: list[Any] = []
        self._raw_all: list[Any] = []
        self._raw_lock = threading.Lock()
        self._checkpointer: Any = None
        self._checkpoint_lock = threading.Lock()
        self.backup_path: Path | None = None
        try:
            # The backend asks for the engines only when it must create or migrate the schema.
            self.backup_path = self.backend.ensure_schema(lambda: (self.engine, self._write_engine))
        except Exception as exc:
            self._dispose_engine()
            from sqlalchemy.exc import OperationalError  # (loaded: only an engine's error is one)

            if isinstance(exc, OperationalError):
                raise StoreError(f"{self.location}: cannot open the database: {exc.orig}") from exc
            raise
        except BaseException:
            self._dispose_engine()
            raise

    # -- SQLAlchemy, built on first use ---------------------------------------------

    @cached_property
    def engine(self) -> Engine:
        with self._engine_lock:
            if "_engine" not in self.__dict__:
                from sqlalchemy import event

                engine = self.backend.create_engine()
                event.listen(engine, "connect", self.backend.on_connect)
                event.listen(engine, "begin", self._on_begin)
                self.__dict__["_engine"] = engine
            return self.__dict__["_engine"]

    @cached_property
    def _write_engine(self) -> Engine:
        return self.engine.execution_options(studydl_write=True)

    @cached_property
    def _reads(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def _writes(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self._write_engine, expire_on_commit=False)

    def _dispose_engine(self) -> None:
        if "_engine" in self.__dict__:
            self.__dict__["_engine"].dispose()

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.location.dialect

    def _on_begin(self, connection: Any) -> None:
        self.backend.on_begin(connection, bool(connection.get_execution_options().get("studydl_write")))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a consistent snapshot; never blocks writers)."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self._reads() as session, session.begin():
                yield session
        except DBAPIError as exc:
            error = self.backend.translate(exc)
            if error is None:
                raise
            raise error from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that takes the lock first, committed on exit.

        Another process holding the lock makes it wait (up to `busy_timeout_s`,
        retried once); after that it raises StoreBusy, a message fit for the user.
        """
        from sqlalchemy.exc import DBAPIError

        deadline = time.monotonic() + self.busy_timeout_s * 2
        while True:
            session = self._writes()
            try:
                session.begin()
                session.connection()  # begins now, taking the write lock (waiting for it)
                break
            except DBAPIError as exc:
                session.close()
                error = self.backend.translate(exc, beginning=True)
                if error is None:
                    raise
                if not isinstance(error, StoreBusy) or time.monotonic() >= deadline:
                    raise error from exc
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            error = self.backend.translate(exc)
            if error is None:
                raise
            raise error from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- the review hot path -------------------------------------------------

    def _take(self, write: bool, begin: bool) -> Any:
        """A connection of this database's own small pool, in a transaction begun for us (`begin`).

        Opened like the engine's (same settings) and kept for the next call (`_give_back`): one
        per thread using it at the same moment, so TUI worker threads never share one. A pooled
        connection found dead (a server restarted since) is replaced before anything is sent;
        one left inside a transaction that cannot be rolled back is closed rather than reused.
        """
        backend = self.backend
        with self._raw_lock:
            con = self._raw_idle.pop() if self._raw_idle else None
        if con is not None and not backend.usable(con):
            self._forget(con)
            con = None
        try:
            if con is None:
                con = self._connect()
            return self._begin(con, write) if begin else con
        except BaseException:
            if con is not None:
                self._give_back(con)
            raise

    def _connect(self) -> Any:
        con = self.backend.connect()
        with self._raw_lock:
            self._raw_all.append(con)
        return con

    def _begin(self, con: Any, write: bool) -> Any:
        """Begin on `con` (a fresh connection if it died idle in the pool); the connection used."""
        backend = self.backend
        deadline = time.monotonic() + self.busy_timeout_s * 2
        fresh = False
        while True:
            try:
                backend.begin(con, write)
                return con
            except Exception as exc:
                if not backend.usable(con) and not fresh:  # died in the pool: nothing was sent yet
                    self._forget(con)
                    con, fresh = self._connect(), True
                    continue
                error = backend.translate(exc, beginning=True)
                if error is None:
                    raise
                if not isinstance(error, StoreBusy) or time.monotonic() >= deadline:
                    raise error from exc
                backend.release(con)  # (a server's lock wait ends its transaction: roll it back first)

    def _give_back(self, con: Any) -> None:
        reusable = self.backend.release(con)
        with self._raw_lock:
            if reusable and con in self._raw_all:  # (not closed by `dispose` meanwhile)
                self._raw_idle.append(con)
                return
        self._forget(con)

    def _forget(self, con: Any) -> None:
        with self._raw_lock:
            if con in self._raw_all:
                self._raw_all.remove(con)
        with suppress(Exception):  # already broken
            self.backend.close(con)

    def raw_read(self) -> _Hot:
        """As `read()` (one consistent snapshot), on the driver's own connection.

        For the review hot path: picking and showing a card is a few one-row
        statements, and a SQLAlchemy Session per call costs more than they do.
        """
        return _Hot(self, False, True)

    def raw_write(self) -> _Hot:
        """As `write()`, on the driver's own connection: the write lock first, committed on exit.

        The same guarantees: the lock is taken before anything is read, another
        process's lock is waited for (`busy_timeout_s`, retried once) and then
        StoreBusy; the answer is durable when this returns; any error rolls the
        whole transaction back.
        """
        return _Hot(self, True, True)

    def raw_single(self) -> _Hot:
        """A pooled connection outside any transaction: each statement is its own (its own snapshot).

        For a read that is one statement, where BEGIN and COMMIT would be two more.
        """
        return _Hot(self, False, False)

    def checkpoint(self) -> None:
        """Write the committed log into the database now (SQLite; on a server nothing), on a connection of its
        own: one taken from the pool would change which connection the next answer gets, and with it the
        mark that lets the answer skip reading its card again. Skipped while another call is at it."""
        if not self._checkpoint_lock.acquire(blocking=False):
            return
        try:
            if self._checkpointer is None:
                self._checkpointer = self.backend.connect()
            self.backend.checkpoint(self._checkpointer)
        except Exception:  # (the store busy or gone: the commit that crosses SQLite's threshold does it)
            log.debug("checkpoint skipped", exc_info=True)
        finally:
            self._checkpoint_lock.release()

    def dispose(self) -> None:
        with self._checkpoint_lock:
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            with suppress(Exception):
                self.backend.close(checkpointer)
        with self._raw_lock:
            connections, self._raw_all, self._raw_idle = self._raw_all, [], []
        for con in connections:
            with suppress(Exception):
                self.backend.close(con)
        self._dispose_engine()


class _Hot:
    """`with db.raw_read()/raw_write()/raw_single() as con`: a pooled connection as the hot path's interface
    (HotSQL), its transaction begun, committed on a clean exit; on an error rolled back (`_give_back`) and
    the driver's error said as the store's (a lock held too long: StoreBusy). A class, not three nested
    generator context managers: they cost more than the statements of a card's read (~5 us a transaction)."""

    __slots__ = ("db", "write", "begin", "con")

    def __init__(self, db: Database, write: bool, begin: bool) -> None:
        self.db, self.write, self.begin = db, write, begin

    def __enter__(self) -> HotSQL:
        self.con = self.db._take(self.write, self.begin)
        return self.db.backend.hot(self.con)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, _tb: object) -> None:
        db, con = self.db, self.con
        try:
            if exc is None:
                if self.begin:
                    try:
                        db.backend.commit(con)
                    except Exception as failed:
                        _raise_as_store_error(db, failed)
                        raise
            elif isinstance(exc, Exception):
                _raise_as_store_error(db, exc)
        finally:
            db._give_back(con)  # (rolled back there if the commit did not happen)


def _raise_as_store_error(db: Database, exc: Exception) -> None:
    """The driver's error as the store's, if it is one to explain (else nothing: it goes on as it is)."""
    error = db.backend.translate(exc)
    if error is not None:
        raise error from exc
