"""The doctor's round: the file, SQLite's integrity check, orphaned rows, then scheduling against the log.

A damaged file stops the round: nothing in it can be trusted to repair from,
so the report points at the backups instead. Scheduling repairs are made only
after a backup (tag `before-doctor`), like every other change doctor makes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from studydl.doctor.schedule import Disagreement, find_disagreements, rebuild
from studydl.home import Home
from studydl.store.backup import Backup, find_backups, make_backup
from studydl.store.damage import check_file
from studydl.store.db import Database
from studydl.store.integrity import Finding, decks_without_files, find_orphans, integrity_problems


@dataclass
class DoctorReport:
    db_path: Path
    exists: bool = True
    damage: str | None = None
    """Why the file cannot be used (then nothing else was checked)."""
    integrity: list[str] = field(default_factory=list)
    """SQLite's integrity_check lines, when it failed."""
    orphans: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    rebuilt: int = 0
    backup: Path | None = None
    """The backup taken before repairs."""
    backups: list[Backup] = field(default_factory=list)
    """The newest backups, offered when the file is damaged."""

    @property
    def fine(self) -> bool:
        """Nothing left that doctor found and did not repair."""
        return self.damage is None and not self.orphans and len(self.disagreements) == self.rebuilt


def run_doctor(home: Home, now: datetime, repair: bool = True) -> DoctorReport:
    """Check the home's database; with `repair`, rebuild disagreeing scheduling state (after a backup)."""
    path = home.db_path
    report = DoctorReport(path)
    if not path.exists():
        report.exists = False
        return report
    report.damage = check_file(path)
    if report.damage is None:
        try:
            report.integrity = integrity_problems(path)
        except sqlite3.DatabaseError as exc:
            report.damage = str(exc)
        else:
            if report.integrity:
                report.damage = "SQLite's integrity check failed"
    if report.damage is not None:
        report.backups = find_backups(home.backups_dir)[-3:][::-1]
        return report
    report.orphans = find_orphans(path)
    if gone := decks_without_files(path):
        report.notes.append(str(gone))
    db = Database(path)
    try:
        if db.backup_path is not None:
            report.notes.append(f"the database was migrated to the current schema (copy of the old one: {db.backup_path})")
        report.disagreements = find_disagreements(db)
        if repair and report.disagreements:
            report.backup = make_backup(path, home.backups_dir, now, tag="before-doctor")
            report.rebuilt = rebuild(db, [d.card_id for d in report.disagreements])
    finally:
        db.dispose()
    return report
