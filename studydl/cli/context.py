"""What every `studydl` subcommand receives: the home folder and, on first use, its database.

Kept apart from cli/__init__.py so the command modules can import it without
importing the command group that registers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from studydl.home import Home


@dataclass
class CliContext:
    """What every subcommand gets: the home folder and, on first use, its database."""

    home: Home
    _db: Any = field(default=None, repr=False)

    @property
    def db(self):  # -> studydl.store.db.Database
        if self._db is None:
            self._db = self.home.open_db()
        return self._db


pass_ctx = click.make_pass_decorator(CliContext)
