"""Schema versions: create a new database, migrate an older one in place.

A SQLite file is copied first (SQLite's backup API); on a PostgreSQL server the whole
migration runs in one transaction (its DDL is transactional), so it lands entirely or
not at all, while the other devices wait for the collection's write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studydl.domain.errors import StoreError
from studydl.store.damage import DatabaseDamaged, sqlite_damage

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

HEAD = "0010"
"""The newest schema revision; a test checks it equals the Alembic scripts' head."""

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def current_revision(path: Path) -> str | None:
    """The schema revision of the database file, or None when it holds no studydl tables."""
    if not path.exists():
        return None
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if "alembic_version" not in tables:
            if tables & {"cards", "decks"}:
                raise StoreError(f"{path}: not a studydl database (no schema version)")
            return None
        row = con.execute("select version_num from alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        if sqlite_damage(exc):
            raise DatabaseDamaged(path, str(exc)) from exc
        raise StoreError(f"{path}: cannot read the database: {exc}") from exc
    finally:
        con.close()


def backup(path: Path, revision: str) -> Path:
    """A checked copy of the database before migrating it, among the other backups (the
    home's `backups` folder, beside the database), so `studydl backup --list` shows it
    and `studydl restore` takes it."""
    from studydl.store.backup import make_backup

    return make_backup(path, path.parent / "backups", datetime.now(UTC), tag=f"before-upgrade-from-{revision}")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` on this engine's database."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            upgrade_on(connection, revision)
        return
    with engine.connect() as connection:
        # Table rebuilds (batch migrations) must not trip foreign keys half-way;
        # the pragma only takes effect outside a transaction.
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                upgrade_on(connection, revision)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def upgrade_on(connection: Connection, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` inside the connection's transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _known_revisions() -> list[str]:
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))


def _newer(where: object, revision: str) -> StoreError:
    return StoreError(f"{where}: written by a newer studydl (schema {revision}, this one knows up to {HEAD}); upgrade studydl")


def ensure_current(engine: Callable[[], Engine], path: Path) -> Path | None:
    """Bring the database to HEAD; returns the backup made before a migration, if any.

    The common case (already at HEAD) reads one row with sqlite3 and imports neither
    Alembic nor SQLAlchemy: `engine` is called only to create or migrate the file.
    """
    revision = current_revision(path)
    if revision == HEAD:
        return None
    if revision is not None and revision not in _known_revisions():
        raise _newer(path, revision)
    if revision is None:
        create_current(engine())
        return None
    saved = backup(path, revision)
    upgrade(engine())
    return saved


def create_current(engine: Engine) -> None:
    """A new database: the current tables in one go, stamped at HEAD.

    The usual Alembic recipe for a fresh database (create_all, then stamp): it
    skips importing Alembic and replaying every migration on first start. A test
    checks that the migrations and the models produce the same schema.
    """
    with engine.begin() as connection:
        create_on(connection)


def create_on(connection: Connection) -> None:
    """The current tables, stamped at HEAD, inside the connection's transaction."""
    from sqlalchemy import text

    from studydl.store.models import Base
    from studydl.store.sync_triggers import create_triggers

    Base.metadata.create_all(connection)
    create_triggers(connection)
    connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    connection.exec_driver_sql("DELETE FROM alembic_version")
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": HEAD})


_STUDYDL_TABLES = (
    "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relname IN ('alembic_version', 'cards', 'decks')"
)
"""studydl's tables in the collection's schema, read from the catalog under the statement's
snapshot (not by name lookups, whose cache can miss tables another session created while
this one waited for the lock; reading pg_class also brings that cache up to date)."""


def postgres_revision(connection: Connection, where: object) -> str | None:
    """The schema revision of a server's collection (in its current schema), or None when it holds no studydl tables."""
    from sqlalchemy import text

    tables = set(connection.execute(text(_STUDYDL_TABLES)).scalars())
    if "alembic_version" not in tables:
        if tables:
            raise StoreError(f"{where}: holds tables that are not a studydl collection (no schema version)")
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_current_postgres(engine: Engine, write_engine: Engine, where: object) -> None:
    """Bring a server's collection to HEAD.

    The common case (at HEAD) is two reads. Otherwise the check is made again and the
    tables created or migrated in one transaction holding the collection's write lock
    (`write_engine` takes it first), so two devices starting at once do it once. Only
    that check, under the lock, decides that tables are not a collection.
    """
    from sqlalchemy import text

    with engine.connect() as connection:  # (decides nothing but "at HEAD": another device may be creating it)
        has_version = "alembic_version" in set(connection.execute(text(_STUDYDL_TABLES)).scalars())
        if has_version and connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD:
            return
    with write_engine.connect() as connection:
        revision = postgres_revision(connection, where)
        if revision == HEAD:
            return
        if revision is not None and revision not in _known_revisions():
            raise _newer(where, revision)
        if revision is None:
            create_on(connection)
        else:
            upgrade_on(connection)
        connection.commit()
