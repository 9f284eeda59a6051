"""Where the database is: a SQLite file (the default, in the home) or a PostgreSQL server.

`--db URL` / `STUDYDL_DB` name it: `postgresql://user@host:5432/dbname` (psycopg 3 is
the driver; `postgresql+psycopg://` is accepted too), `sqlite:////abs/path.db`, or a
plain file path. Messages name the database without its password.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from studydl.domain.errors import StoreError

PG_DRIVER = "postgresql+psycopg"


@dataclass(frozen=True)
class DbLocation:
    """A database studydl can open: its SQLAlchemy URL, and for SQLite the file."""

    url: URL
    path: Path | None = None
    """The SQLite file; None for a server."""

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.url.get_backend_name()

    @property
    def is_server(self) -> bool:
        return self.path is None

    def describe(self) -> str:
        """The database as messages name it: the file, or the server, port and database (never the password)."""
        if self.path is not None:
            return str(self.path)
        host = self.url.host or _query_value(self.url, "host")
        port = self.url.port or _query_value(self.url, "port") or 5432
        where = f"{host}:{port}" if host and not host.startswith("/") else f"on the local socket {host or ''} (port {port})"
        return f"PostgreSQL server {where.replace('  ', ' ')}, database {self.url.database}"

    def __str__(self) -> str:
        return self.describe()


def _query_value(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value


def sqlite_file(path: Path) -> DbLocation:
    path = Path(path).expanduser()
    return DbLocation(URL.create("sqlite", database=str(path)), path)


def locate(value: str | Path) -> DbLocation:
    """The database a `--db` value names (a URL or a SQLite file path); StoreError if studydl cannot use it."""
    if isinstance(value, Path):
        return sqlite_file(value)
    text = value.strip()
    if not text:
        raise StoreError("--db: empty database URL")
    if "://" not in text:
        return sqlite_file(Path(text))
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise StoreError(f"--db: not a database URL: {_hide_password(text)}") from exc
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise StoreError("--db: a SQLite URL must name a file (sqlite:////path/to/studydl.db)")
        return sqlite_file(Path(url.database))
    if backend in ("postgresql", "postgres"):
        if driver and driver != "psycopg":
            raise StoreError(f"--db: studydl talks to PostgreSQL through psycopg 3; write postgresql://... (not {url.drivername}://)")
        if not url.database:
            raise StoreError(f"--db: name the database in the URL: {_hide_password(text)} (e.g. postgresql://me@host/studydl)")
        return DbLocation(url.set(drivername=PG_DRIVER))
    raise StoreError(f"--db: {backend} databases are not supported (use a SQLite file or a PostgreSQL server)")


def _hide_password(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return text.split("@", 1)[-1] if "@" in text else text
