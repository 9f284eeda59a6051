"""PostgreSQL through psycopg 3: one server shared by a learner's devices.

Writes are serialized per collection, as SQLite serializes them per file: every
write transaction first takes a transaction-level advisory lock (keyed by the
collection's schema), so an answer reads the card after every earlier answer
committed, and log order is apply order on every device. Reads never wait (a
REPEATABLE READ snapshot). Each session runs with `synchronous_commit=on` (a commit
is durable on the server when it returns, whatever the server's default), a lock
wait capped like SQLite's busy timeout, and `idle_in_transaction_session_timeout`,
so a device that vanishes inside a transaction cannot hold the lock for long.

A server that cannot be reached, or goes away, becomes one StoreError naming it;
nothing is retried behind the user's back except opening a fresh connection when a
pooled one died between two transactions (nothing of the new transaction was sent).
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from studydl.domain.errors import StoreBusy, StoreError, StoreUnreachable, StudyError
from studydl.store import schema
from studydl.store.hot import PostgresHot
from studydl.store.location import DbLocation

LOCK_CLASS = 0x5354
"""First key of studydl's advisory lock; the second is the collection's schema (a CRC-32)."""

IDLE_IN_TRANSACTION_MS = 60_000
CONNECT_DEFAULTS = {
    "application_name": "studydl",
    "connect_timeout": 10,
    # A server that vanishes without closing the connection (a network gone, a laptop
    # lid shut) is noticed within about 30 s instead of TCP's minutes.
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}
"""libpq settings studydl uses unless the URL gives its own."""


def _reason(exc: BaseException) -> str:
    """The driver's message in one line: `Connection refused`, `database "x" does not exist`..."""
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "failed: " in first:
        first = first.rsplit("failed: ", 1)[1]
    return first.removeprefix("FATAL:").strip()


_PIPELINES: weakref.WeakKeyDictionary[Any, AbstractContextManager[Any]] = weakref.WeakKeyDictionary()
"""The pipeline each connection inside a write transaction is in (psycopg's context manager)."""


def _enter_pipeline(con: Any) -> Any:
    manager = con.pipeline()
    pipeline = manager.__enter__()
    _PIPELINES[con] = manager
    return pipeline


def _leave(con: Any, error: BaseException | None) -> None:
    """End `con`'s pipeline, if it is in one.

    Leaving without an error sends what is queued and waits for every result, raising
    the first failed statement's error; after `error` what is left is discarded.
    """
    manager = _PIPELINES.pop(con, None)
    if manager is None:
        return
    if error is None:
        manager.__exit__(None, None, None)
        return
    with suppress(Exception):  # the error the caller has is the one to report (psycopg would log this one)
        manager.__exit__(None, None, None)


class PostgresBackend:
    """What the store does differently on a PostgreSQL server."""

    name = "postgresql"

    def __init__(self, location: DbLocation, busy_timeout_s: float) -> None:
        self.location = location
        self.busy_timeout_s = busy_timeout_s
        self._lock_sql = ""
        """`SELECT pg_advisory_xact_lock(...)` for this collection, set by `ensure_schema`."""
        self._connect_args: tuple[tuple[Any, ...], dict[str, Any]] | None = None

    def _session_options(self, given: str | None) -> str:
        ours = (
            "-c synchronous_commit=on"
            f" -c lock_timeout={int(self.busy_timeout_s * 1000)}"
            f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
        )
        return f"{given} {ours}" if given else ours

    # -- SQLAlchemy ------------------------------------------------------------------

    def create_engine(self) -> Engine:
        url = self.location.url
        options = url.query.get("options")
        connect_args: dict[str, Any] = {k: v for k, v in CONNECT_DEFAULTS.items() if k not in url.query}
        connect_args["options"] = self._session_options(options if isinstance(options, str) else None)
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._connect_args = (tuple(cargs), {**cparams, **connect_args})
        return engine

    @staticmethod
    def on_connect(dbapi_connection: Any, _record: object = None) -> None:
        """Nothing per connection: the session settings travel in the startup packet (`options`)."""

    def on_begin(self, connection: Any, write: bool) -> None:
        # The driver has begun a transaction (READ COMMITTED); this is its first statement.
        if write:
            connection.exec_driver_sql(self._lock_sql)
        else:
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def ensure_schema(self, engines: Callable[[], tuple[Engine, Engine]]) -> Path | None:
        """Bring the collection to HEAD (in one transaction: PostgreSQL's DDL is transactional)."""
        engine, write_engine = engines()
        try:
            with engine.connect() as connection:
                current = connection.execute(text("SELECT current_schema()")).scalar()
        except Exception as exc:
            self._raise_translated(exc)
        if current is None:
            raise StoreError(f"{self.location}: no schema to use (the search_path names none that exists)")
        key = zlib.crc32(current.encode()) - (1 << 31)  # a signed 32-bit int
        self._lock_sql = f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, {key})"
        try:
            schema.ensure_current_postgres(engine, write_engine, self.location)
        except Exception as exc:
            self._raise_translated(exc)
        return None

    # -- the hot path's own connections ------------------------------------------------

    def connect(self) -> Any:
        import psycopg

        assert self._connect_args is not None
        cargs, cparams = self._connect_args
        try:
            return psycopg.connect(*cargs, **cparams, autocommit=True)
        except psycopg.Error as exc:
            self._raise_translated(exc)

    hot = PostgresHot

    def begin(self, con: Any, write: bool) -> None:
        """BEGIN; a write transaction also takes the lock, and runs in pipeline mode until its COMMIT.

        In pipeline mode a statement whose result nobody reads (an UPDATE) is not waited
        for: it goes to the server with the next one that is read (an INSERT's new id) or
        with the COMMIT, so an answer costs 4 round trips, not one per statement. BEGIN and
        the lock are waited for here, so a busy collection or a connection that died in
        the pool is known before anything of the transaction is done.
        """
        if not write:
            con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return
        pipeline = _enter_pipeline(con)
        try:
            con.execute("BEGIN")
            con.execute(self._lock_sql)
            pipeline.sync()
        except BaseException as exc:
            _leave(con, exc)
            raise

    @staticmethod
    def commit(con: Any) -> None:
        con.execute("COMMIT")
        _leave(con, None)

    @staticmethod
    def release(con: Any) -> bool:
        """Roll back what is left open; False when the connection cannot be reused."""
        if con.closed or con.broken:
            return False
        try:
            _leave(con, RuntimeError("rolled back"))
        except Exception:
            return False
        if con.info.transaction_status == 0:  # idle
            return True
        try:
            con.execute("ROLLBACK")
        except Exception:
            return False
        return con.info.transaction_status == 0

    @staticmethod
    def usable(con: Any) -> bool:
        """False once the connection is known dead (the server went away since it was used)."""
        return not (con.closed or con.broken)

    @staticmethod
    def close(con: Any) -> None:
        con.close()

    # -- errors ------------------------------------------------------------------------

    @staticmethod
    def checkpoint(con: Any) -> None:
        """Nothing: the server writes its own log out."""

    def _raise_translated(self, exc: Exception) -> None:
        error = self.translate(exc, beginning=True)
        if error is None:
            raise exc
        raise error from exc

    def busy(self) -> StoreBusy:
        return StoreBusy(f"{self.location}: the collection is locked by another studydl process (on this or another device); try again in a moment")

    def translate(self, exc: BaseException, *, beginning: bool = False) -> StudyError | None:
        """The user's message for a driver error, or None: not ours to explain (a bug shows as one)."""
        import psycopg

        orig = getattr(exc, "orig", exc)
        if isinstance(orig, psycopg.errors.LockNotAvailable):
            return self.busy()
        if isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError):
            if str(orig).startswith(("connection failed", "failed to resolve host")):  # psycopg.connect's own errors
                return StoreUnreachable(f"cannot reach the {self.location}: {_reason(orig)}")
            return StoreUnreachable(
                f"lost the connection to the {self.location}: {_reason(orig)}; answers saved before this are kept"
            )
        return None
