"""A damaged database file: how to recognise one, and the one message every command and the app give.

Two ways to notice: a glance at the file before SQLite opens it (`check_file`:
empty, not SQLite, shorter than its own header says), and SQLite's own errors
later on (`sqlite_damage`: "file is not a database", "database disk image is
malformed"), which may surface from any query, wrapped by SQLAlchemy or not.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from studydl.domain.errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
_DAMAGE_TEXTS = (
    "file is not a database",
    "database disk image is malformed",
    "malformed database schema",
    "file is encrypted",
    "disk i/o error",
)


class DatabaseDamaged(StoreError):
    """The database file is damaged; the message names `studydl doctor` and `studydl restore`."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(damage_message(path, detail))
        self.path = path
        self.detail = detail


def damage_message(path: Path, detail: str) -> str:
    return (
        f"{path}: the database is damaged ({detail}). Run `studydl doctor` to check it, or go back to "
        "a backup: `studydl backup --list`, then `studydl restore FILE`."
    )


def sqlite_damage(error: BaseException) -> str | None:
    """SQLite's words when `error` (or the error it wraps) says the file is damaged, else None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        candidates = (current, getattr(current, "orig", None))
        for candidate in candidates:
            if isinstance(candidate, sqlite3.Error):
                text = str(candidate)
                if any(marker in text.lower() for marker in _DAMAGE_TEXTS):
                    return text
        current = current.__cause__ or current.__context__
    return None


def check_file(path: Path) -> str | None:
    """What is wrong with the file at a glance (size, header), or None when it looks whole.

    Only reads the first 100 bytes. A missing file is not damaged (a new home).
    The length check is skipped while a write-ahead log is present: SQLite
    finishes an interrupted checkpoint from it.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return "the file is empty"
        with path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if not header.startswith(SQLITE_MAGIC):
        return "file is not a database: its first bytes are not SQLite's"
    if len(header) < HEADER_BYTES:
        return f"truncated: only {size} bytes"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"garbage header: page size {page_size}"
    pages = int.from_bytes(header[28:32], "big")
    header_is_current = header[24:28] == header[92:96]
    wal = path.with_name(path.name + "-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    if header_is_current and not wal_pending and size < pages * page_size:
        return f"truncated: {size} bytes of {pages * page_size}"
    return None
