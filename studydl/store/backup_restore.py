"""Put a backup back in place of the database, after backing up what is there now.

The backup is checked first (a whole SQLite file, a studydl schema this version
reads). The current database is then backed up (tag `before-restore`); when it
is too damaged for that, its files are moved aside into the backups folder as
`damaged-<time>.db` (with its -wal and -shm), never deleted. The backup is then
copied in through SQLite's backup API, which takes the database's write lock,
so a studydl process that has it open sees the restored data instead of
writing into a file that was swapped under it.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studydl.domain.errors import StoreError
from studydl.private_files import create_private_file, make_private_dirs
from studydl.store.backup import BUSY_TIMEOUT_S, make_backup
from studydl.store.damage import DatabaseDamaged, sqlite_damage
from studydl.store.schema import HEAD, MIGRATIONS_DIR


@dataclass(frozen=True)
class Contents:
    """What a database file holds, for the confirmation prompt and the report."""

    cards: int
    reviews: int
    last_review: datetime | None
    revision: str


@dataclass(frozen=True)
class Restored:
    restored: Contents
    saved: Path | None
    """The backup of the database as it was before (None: there was none)."""
    damaged_copy: Path | None
    """Where a damaged database was moved to (None: it was whole, or absent)."""


def read_contents(path: Path, full_check: bool = True) -> Contents:
    """Check a database file and count what it holds; StoreError says what is wrong with it."""
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            if full_check:
                verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
                if verdict != "ok":
                    raise StoreError(f"{path}: damaged ({verdict}); choose another backup")
            tables = {row[0] for row in con.execute("select name from sqlite_master where type='table'")}
            if not {"alembic_version", "cards", "review_log"} <= tables:
                raise StoreError(f"{path}: not a studydl database")
            revision = con.execute("select version_num from alembic_version").fetchone()[0]
            cards = con.execute("select count(*) from cards").fetchone()[0]
            reviews, last = con.execute("select count(*), max(reviewed_at) from review_log").fetchone()
    except sqlite3.Error as exc:
        if sqlite_damage(exc) and "not a database" not in str(exc):
            raise StoreError(f"{path}: damaged ({exc}); choose another backup") from exc
        raise StoreError(f"{path}: not a readable database ({exc})") from exc
    known = {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py")}
    if revision not in known:
        raise StoreError(f"{path}: written by a newer studydl (schema {revision}, this one knows up to {HEAD})")
    last_review = datetime.fromisoformat(last).replace(tzinfo=UTC) if last else None
    return Contents(int(cards), int(reviews), last_review, revision)


def restore_backup(db_path: Path, source: Path, folder: Path, now: datetime) -> Restored:
    """Replace the database at `db_path` with the backup `source`; the current one is backed up first."""
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise StoreError(f"{source}: that is the database itself; give a backup file")
    contents = read_contents(source)
    saved = damaged = None
    if db_path.exists():
        try:
            saved = make_backup(db_path, folder, now, tag="before-restore")
        except DatabaseDamaged:
            damaged = _move_aside(db_path, folder, now)
    create_private_file(db_path)  # when there was none (or it was moved aside): 0600, as a new database
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, closing(
            sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
        ) as dst:
            src.backup(dst)
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: restore failed ({exc}); the database before it is in {saved or damaged}") from exc
    if verdict != "ok":
        raise StoreError(f"{db_path}: the restored copy does not check out ({verdict}); the database before it is in {saved or damaged}")
    return Restored(contents, saved, damaged)


def _move_aside(db_path: Path, folder: Path, now: datetime) -> Path:
    """Move a damaged database (and its -wal, -shm) into `folder` as damaged-<time>.db."""
    make_private_dirs(folder)
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d-%H.%M.%SZ")
    serial = 0
    while (target := folder / f"damaged-{stamp}{f'~{serial}' if serial else ''}.db").exists():
        serial += 1
    for suffix in ("-wal", "-shm"):
        companion = db_path.with_name(db_path.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    os.replace(db_path, target)
    return target
