"""Backups of the database: consistent copies through SQLite's backup API, kept in one folder.

Each backup is a plain SQLite file named `backup-2026-11-25-14.03.07Z.db` (the
time in UTC, so names sort by time across DST changes), with an optional tag:
`backup-...Z-before-restore.db`. The copy is taken in one read transaction
(writers go on meanwhile: the database is in WAL mode), switched to rollback
journal mode so the backup is a single file, checked with `PRAGMA quick_check`
and only then renamed into place, so a damaged database never becomes a backup
that pushes a good one out of the rotation (see backup_policy.py).
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studydl.domain.errors import StoreError
from studydl.private_files import create_private_file, make_private_dirs
from studydl.store.damage import DatabaseDamaged, check_file, sqlite_damage

_NAME = re.compile(r"^backup-(\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2})Z(?:-([a-z][a-z0-9-]*?))?(?:~(\d+))?\.db$")
_STAMP = "%Y-%m-%d-%H.%M.%S"
BUSY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Backup:
    """One backup file and the moment it was taken (aware, UTC)."""

    path: Path
    taken_at: datetime
    tag: str = ""


@dataclass(frozen=True)
class BackupInfo:
    """What `studydl backup --list` shows about a backup."""

    backup: Backup
    size: int
    cards: int | None
    reviews: int | None
    """None when the file cannot be read as a studydl database."""


def backup_name(taken_at: datetime, tag: str = "", serial: int = 0) -> str:
    stamp = taken_at.astimezone(UTC).strftime(_STAMP)
    return f"backup-{stamp}Z{f'-{tag}' if tag else ''}{f'~{serial}' if serial else ''}.db"


def parse_name(path: Path) -> Backup | None:
    """The backup a file name stands for, or None when the file is not one of ours."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        taken_at = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:  # a month 13 and the like: not a name we wrote
        return None
    return Backup(path, taken_at, match.group(2) or "")


def find_backups(folder: Path) -> list[Backup]:
    """The backups in `folder`, oldest first (an absent folder has none)."""
    if not folder.is_dir():
        return []
    found = [backup for path in folder.iterdir() if path.is_file() and (backup := parse_name(path)) is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name))


def describe(backup: Backup) -> BackupInfo:
    """Size, card and review counts of a backup (read-only; counts None if unreadable)."""
    size = backup.path.stat().st_size
    try:
        cards, reviews = count_rows(backup.path)
    except sqlite3.Error:
        cards = reviews = None
    return BackupInfo(backup, size, cards, reviews)


def count_rows(path: Path) -> tuple[int, int]:
    """(cards, review log rows) of a studydl database file, read-only."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        cards = con.execute("select count(*) from cards").fetchone()[0]
        reviews = con.execute("select count(*) from review_log").fetchone()[0]
    return int(cards), int(reviews)


def make_backup(db_path: Path, folder: Path, now: datetime, tag: str = "") -> Path:
    """Copy the database into `folder` now; returns the new backup's path.

    Raises DatabaseDamaged when the database (or the copy of it) is damaged:
    nothing is written then.
    """
    if not db_path.exists():
        raise StoreError(f"{db_path}: no database yet, nothing to back up")
    if problem := check_file(db_path):
        raise DatabaseDamaged(db_path, problem)
    make_private_dirs(folder)
    # A partial file of our own (0600, as mkstemp makes it) (another process may be backing up the same second),
    # then the first free name claimed with a hard link, which fails if it exists.
    fd, partial_name = tempfile.mkstemp(prefix=".backup-", suffix=".partial", dir=folder)
    os.close(fd)
    partial = Path(partial_name)
    try:
        copy_database(db_path, partial)
        serial = 0
        while True:
            target = folder / backup_name(now, tag, serial)
            try:
                os.link(partial, target)
                break
            except FileExistsError:
                serial += 1
    except sqlite3.Error as exc:
        if detail := sqlite_damage(exc):
            raise DatabaseDamaged(db_path, detail) from exc
        raise StoreError(f"{db_path}: backup failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite file `source` at `target` (one file, rollback journal, 0600), checked.

    Raises sqlite3.DatabaseError with SQLite's words if the source or the copy is damaged.
    """
    target.unlink(missing_ok=True)
    create_private_file(target)  # SQLite writes into it, keeping its mode (its journal takes the same)
    with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")
