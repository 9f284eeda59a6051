"""Where the database is: a SQLite file (the default, in the home) or a PostgreSQL server.

`--db URL` / `STUDYDL_DB` name it: `postgresql://user@host:5432/dbname` (psycopg 3 is
the driver; `postgresql+psycopg://` is accepted too), `sqlite:////abs/path.db`, or a
plain file path. Messages name the database without its password. A server URL names
the shared log the devices' own stores sync with (studydl/replica), or with
`?studydl=direct` a collection every device uses directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studydl.domain.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

PG_DRIVER = "postgresql+psycopg"
MODE_KEY, DIRECT = "studydl", "direct"
"""`postgresql://...?studydl=direct`: the server is the store itself (see DbLocation.direct)."""


@dataclass(frozen=True)
class DbLocation:
    """A database studydl can open: a server's SQLAlchemy URL, or a SQLite file.

    A SQLite file is known by its path alone, so opening one (and the quick read
    paths on it) need not import SQLAlchemy; its URL is made when asked for.
    """

    server_url: Any = None
    """The server's SQLAlchemy URL; None for a SQLite file."""
    path: Path | None = None
    """The SQLite file; None for a server."""
    direct: bool = False
    """A server every device reads and writes directly (`?studydl=direct`), with no local copy;
    without it a server URL names the shared log the devices' own stores sync with."""

    @property
    def url(self) -> URL:
        if self.server_url is not None:
            return self.server_url
        from sqlalchemy.engine import URL

        return URL.create("sqlite", database=str(self.path))

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return "sqlite" if self.server_url is None else self.server_url.get_backend_name()

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
    return DbLocation(path=Path(path).expanduser())


def locate(value: str | Path) -> DbLocation:
    """The database a `--db` value names (a URL or a SQLite file path); StoreError if studydl cannot use it."""
    if isinstance(value, Path):
        return sqlite_file(value)
    text = value.strip()
    if not text:
        raise StoreError("--db: empty database URL")
    if "://" not in text:
        return sqlite_file(Path(text))
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise StoreError(f"--db: not a database URL: {_hide_password(text)}") from exc
    except ValueError as exc:  # SQLAlchemy reads the port with int()
        raise StoreError(f"--db: the port of {_hide_password(text)} is not a number") from exc
    if url.port is not None and not 0 < url.port < 65536:
        raise StoreError(f"--db: port {url.port} is out of range (1-65535) in {_hide_password(text)}")
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
        mode = _query_value(url, MODE_KEY)
        if mode not in (None, DIRECT):
            raise StoreError(f"--db: {MODE_KEY}={mode} in {_hide_password(text)}: the one mode is {MODE_KEY}={DIRECT}")
        url = url.difference_update_query([MODE_KEY])
        return DbLocation(server_url=url.set(drivername=PG_DRIVER), direct=mode == DIRECT)
    raise StoreError(f"--db: {backend} databases are not supported (use a SQLite file or a PostgreSQL server)")


def _hide_password(text: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(text).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme, sep, rest = text.partition("://")
        user, at, host = rest.rpartition("@")
        if not at or ":" not in user:
            return text
        return f"{scheme}{sep}{user.split(':', 1)[0]}:***@{host}"
