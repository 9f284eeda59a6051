"""What every `studydl` subcommand receives: the home folder and, on first use, its database.

Kept apart from cli/__init__.py so the command modules can import it without
importing the command group that registers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from studydl.domain.errors import StudyError
from studydl.home import Home


@dataclass
class CliContext:
    """What every subcommand gets: the home folder and, on first use, its database."""

    home: Home
    _db: Any = field(default=None, repr=False)

    def require_sqlite_file(self, what: str) -> None:
        """Backups, restore and doctor work on a SQLite file; a server's database is kept by the server's own tools."""
        if (server := self.home.server) is not None:
            raise StudyError(
                f"{what} works on a SQLite file; your database is on the {server}: back it up with"
                " the server's own tools (pg_dump; restore with pg_restore), see docs/devices.md"
            )

    def sync_answers(self, *, note: bool = True):  # -> SyncReport | None
        """With a shared log (`--db postgresql://...`): push and pull answers now; None without one.

        A server that cannot be reached is noticed at once (a short connect timeout) and
        nothing waits for it; with `note`, one line on stderr says so.
        """
        server = self.home.shared_log
        if server is None:
            return None
        from studydl.replica.sync import sync_answers

        report = sync_answers(self.db, server)
        if note and report.error is not None:
            from studydl.domain.words import plural

            click.echo(f"offline, {plural(report.waiting, 'answer')} waiting ({report.error})", err=True)
        return report

    @property
    def db(self):  # -> studydl.store.db.Database
        if self._db is None:
            self._db = self.home.open_db()
        return self._db


pass_ctx = click.make_pass_decorator(CliContext)
