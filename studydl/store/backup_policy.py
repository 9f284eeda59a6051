"""When an automatic backup is made, and which backups are kept: Anki's rules, with our limits.

Anki (rslib/src/collection/backup.rs) backs up when a collection closes, at
most every `minimum_interval_mins`, and thins the folder after each backup:
walking from the newest, everything from today and yesterday is kept, then the
newest backup of each of the next `daily` days, then of `weekly` weeks (weeks
start on Monday), then of `monthly` months; the rest is deleted. Ours is the
same walk with smaller limits (a studydl backup is an uncompressed SQLite
file, not a zstd package), and days are the learner's local calendar days.
"""

from __future__ import annotations

import filecmp
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from studydl.private_files import create_private_file, make_private_dirs
from studydl.store.backup import Backup, find_backups, make_backup


@dataclass(frozen=True)
class BackupPolicy:
    minimum_interval: timedelta = timedelta(hours=3)
    """No automatic backup within this time of the newest one."""
    daily: int = 7
    """After today and yesterday: the newest backup of each of this many days..."""
    weekly: int = 4
    """...then of this many weeks..."""
    monthly: int = 3
    """...then of this many months: about 2 d + 7 d + 4 w + 3 m, at most ~30 files."""


DEFAULT_POLICY = BackupPolicy()
_auto_lock = threading.Lock()


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Held while one process decides on and makes an automatic backup (two sessions can end at once)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the in-process lock is all there is
        yield
        return
    create_private_file(folder / ".lock")
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _week(day: date) -> int:
    """Serial week number, weeks starting on Monday (date.toordinal() is 1 on Monday 0001-01-01)."""
    return (day.toordinal() - 1) // 7


def _month(day: date) -> int:
    return day.year * 12 + day.month


def obsolete_backups(backups: list[Backup], now: datetime, zone: tzinfo, policy: BackupPolicy = DEFAULT_POLICY) -> list[Backup]:
    """The backups the rotation deletes, newest first (Anki's BackupFilter, step for step)."""
    yesterday = now.astimezone(zone).date().toordinal() - 1
    left = {"daily": policy.daily, "weekly": policy.weekly, "monthly": policy.monthly}
    keys = {"daily": lambda d: d.toordinal(), "weekly": _week, "monthly": _month}
    last_kept: dict[str, int] | None = None
    obsolete: list[Backup] = []
    for backup in sorted(backups, key=lambda b: b.taken_at, reverse=True):
        day = backup.taken_at.astimezone(zone).date()
        stage = None if day.toordinal() >= yesterday else next((s for s in ("daily", "weekly", "monthly") if left[s] > 0), "")
        if stage == "":
            obsolete.append(backup)
            continue
        if stage is not None and last_kept is not None and keys[stage](day) >= last_kept[stage]:
            obsolete.append(backup)
            continue
        last_kept = {name: key(day) for name, key in keys.items()}
        if stage is not None:
            left[stage] -= 1
    return obsolete


def thin_backups(folder: Path, now: datetime, zone: tzinfo, policy: BackupPolicy = DEFAULT_POLICY) -> list[Path]:
    """Delete the backups the rotation no longer keeps; returns their paths."""
    removed = []
    for backup in obsolete_backups(find_backups(folder), now, zone, policy):
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    return removed


def auto_backup(db_path: Path, folder: Path, now: datetime, zone: tzinfo, policy: BackupPolicy = DEFAULT_POLICY) -> Path | None:
    """The backup made at the end of a review session or when the app closes, or None.

    None when the newest backup is younger than `policy.minimum_interval`, or
    when nothing changed since it (the copy is byte-identical, and is dropped).
    After a new backup the folder is thinned. Raises DatabaseDamaged (a
    StoreError) when the database is damaged: no backup is made of it.
    """
    make_private_dirs(folder)
    with _auto_lock, _folder_lock(folder):
        backups = find_backups(folder)
        newest = backups[-1] if backups else None
        if newest is not None and timedelta(0) <= now - newest.taken_at < policy.minimum_interval:
            return None
        made = make_backup(db_path, folder, now)
        if newest is not None and filecmp.cmp(made, newest.path, shallow=False):
            made.unlink()
            return None
        thin_backups(folder, now, zone, policy)
        return made
