"""Schema versions: create a new database, migrate an older one in place (after a backup)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from studydl.domain.errors import StoreError
from studydl.store.damage import DatabaseDamaged, sqlite_damage

HEAD = "0007"
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
    """Copy the database (consistently, through SQLite's backup API) before migrating it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` on this engine's database."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        # Table rebuilds (batch migrations) must not trip foreign keys half-way;
        # the pragma only takes effect outside a transaction.
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def ensure_current(engine: Engine, path: Path) -> Path | None:
    """Bring the database to HEAD; returns the backup made before a migration, if any.

    The common case (already at HEAD) reads one row with sqlite3 and never imports Alembic.
    """
    revision = current_revision(path)
    if revision == HEAD:
        return None
    known = sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
    if revision is not None and revision not in known:
        raise StoreError(
            f"{path}: written by a newer studydl (schema {revision}, this one knows up to {HEAD}); upgrade studydl"
        )
    if revision is None:
        create_current(engine)
        return None
    saved = backup(path, revision)
    upgrade(engine)
    return saved


def create_current(engine: Engine) -> None:
    """A new database: the current tables in one go, stamped at HEAD.

    The usual Alembic recipe for a fresh database (create_all, then stamp): it
    skips importing Alembic and replaying every migration on first start. A test
    checks that the migrations and the models produce the same schema.
    """
    from studydl.store.models import Base

    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.exec_driver_sql("DELETE FROM alembic_version")
        connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (HEAD,))
