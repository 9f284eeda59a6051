"""The review hot path's statements on a DB-API connection, whichever database it is.

Picking a card, reading it and writing an answer are a handful of one-row statements;
through a SQLAlchemy Session each costs more Python than the statement itself, so
they run on the driver's own connection. What differs between SQLite and PostgreSQL
is kept here, behind one small interface (`HotSQL`):

- placeholders: statements are written with `?`; PostgreSQL's driver wants `%s`
  (translated once per statement text and cached, so the SQLite side pays nothing);
- times: SQLite stores SQLAlchemy's text form (naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`),
  PostgreSQL a `timestamp` (naive UTC `datetime`); `to_db`/`from_db` convert;
- a new row's id: `lastrowid`, or `RETURNING id`;
- two SQL fragments: a JSON field as an integer, and SQLite's `INDEXED BY` hint.

Statements must not hold `?` or `%` inside string literals (pass values as parameters).
Booleans are passed as Python bools and compared with TRUE/FALSE, which both accept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol


class HotSQL(Protocol):
    """A DB-API connection inside a transaction already begun (see Database.raw_read/raw_write)."""

    dialect: str

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ..., /) -> Any:
        """Run one statement (`?` placeholders); the cursor iterates over tuples."""

    def insert(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run an INSERT into a table with an `id` key; the new row's id."""

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run one statement for each row of parameters."""

    def to_db(self, value: datetime | None) -> Any:
        """An aware datetime as this database stores it (naive UTC)."""

    def from_db(self, value: Any) -> datetime | None:
        """A stored time as an aware UTC datetime."""

    def json_int(self, column: str, key: str) -> str:
        """SQL for the integer at `key` of the JSON text in `column`."""

    def index_hint(self, index: str) -> str:
        """SQL naming the index a query must use (SQLite), or nothing."""

    version_sql: str
    """SQL for a column holding the store's change counter (SQLite's `data_version`) as the statement
    sees it, or NULL where there is none (PostgreSQL): `change_mark(data_version=...)` of a read."""

    def counter(self) -> int | None:
        """The store's change counter now (SQLite's `data_version`; None where there is none, sending nothing).
        In a write transaction it stays put: nobody else commits meanwhile."""

    def change_mark(self, data_version: int | None = None) -> tuple[Any, ...] | None:
        """Equal marks on one connection: nothing was written in between, by it or anyone (None: no such mark).

        `data_version`: the one read earlier in this write transaction (nobody else commits meanwhile)."""


@lru_cache(maxsize=256)
def text_time(value: datetime | None) -> str | None:
    """As SQLAlchemy's SQLite DateTime writes it: naive UTC, microseconds (the ISO form less its `+00:00`).

    Kept for the last few hundred instants: an answer writes its time and the card's due date, then
    lists them in the session's learning cards and picks the next card at the same time (equal
    instants, whatever their zone, have one text)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(sep=" ", timespec="microseconds")[:26]


def parse_text_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value is not None else None


class SqliteHot:
    """A sqlite3 connection: statements go straight to it."""

    dialect = "sqlite"
    version_sql = "(SELECT data_version FROM pragma_data_version())"
    __slots__ = ("con", "execute")

    def __init__(self, con: Any) -> None:
        self.con = con
        self.execute = con.execute  # bound once: no wrapper call per statement

    def insert(self, sql: str, params: tuple[Any, ...]) -> int:
        return int(self.con.execute(sql, params).lastrowid or 0)

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.con.executemany(sql, rows)

    to_db = staticmethod(text_time)
    from_db = staticmethod(parse_text_time)

    @staticmethod
    def json_int(column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    @staticmethod
    def index_hint(index: str) -> str:
        return f"INDEXED BY {index}"

    def counter(self) -> int:
        return self.con.execute("PRAGMA data_version").fetchone()[0]

    def change_mark(self, data_version: int | None = None) -> tuple[Any, ...]:
        """The connection itself (held, so its id is never another's), SQLite's `data_version` (moves when
        another connection commits) and the rows this connection has changed."""
        con = self.con
        if data_version is None:
            data_version = con.execute("PRAGMA data_version").fetchone()[0]
        return (con, data_version, con.total_changes)


@lru_cache(maxsize=1024)
def pg_statement(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def naive_utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(tzinfo=None) if value is not None else None


def aware_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


class PostgresHot:
    """A psycopg 3 connection (server-side binding; psycopg prepares statements used often)."""

    dialect = "postgresql"
    version_sql = "NULL"
    __slots__ = ("con",)

    def __init__(self, con: Any) -> None:
        self.con = con

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        return self.con.execute(pg_statement(sql), params or None)

    def insert(self, sql: str, params: tuple[Any, ...]) -> int:
        return int(self.con.execute(pg_statement(sql + " RETURNING id"), params).fetchone()[0])

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self.con.cursor() as cursor:
            cursor.executemany(pg_statement(sql), rows)

    to_db = staticmethod(naive_utc)
    from_db = staticmethod(aware_utc)

    @staticmethod
    def json_int(column: str, key: str) -> str:
        return f"CAST(CAST({column} AS json) ->> '{key}' AS integer)"

    @staticmethod
    def index_hint(index: str) -> str:
        return ""

    @staticmethod
    def counter() -> None:
        return None

    @staticmethod
    def change_mark(data_version: int | None = None) -> None:
        return None


HOT_SQL = {"sqlite": SqliteHot, "postgresql": PostgresHot}


def hot_for(session: Any) -> HotSQL:
    """The hot-path interface on a SQLAlchemy session's own connection (its transaction begun)."""
    dialect = session.get_bind().dialect.name
    return HOT_SQL[dialect](session.connection().connection.driver_connection)
