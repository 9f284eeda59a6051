"""The studydl home: the database, the user's own decks and the log, in one folder.

The database may live elsewhere instead (`--db URL` / `STUDYDL_DB`: a PostgreSQL
server shared by several devices); the home still holds the decks and the log.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from studydl.resources import bundled_decks_dir

HOME_ENV = "STUDYDL_HOME"
DB_ENV = "STUDYDL_DB"


def default_home_dir() -> Path:
    """`$STUDYDL_HOME`, else the platform's user data dir (e.g. ~/.local/share/studydl)."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("studydl", appauthor=False)


@dataclass(frozen=True)
class Home:
    """Where one learner's collection lives."""

    root: Path
    db_url: str | None = None
    """The database when it is not the home's SQLite file (`--db`): a server URL or another file."""

    @classmethod
    def resolve(cls, root: Path | str | None = None, db_url: str | None = None) -> Home:
        return cls(Path(root).expanduser() if root else default_home_dir(), db_url or None)

    @property
    def db_path(self) -> Path:
        """The home's SQLite file (the database unless `db_url` names another)."""
        return self.root / "studydl.db"

    @property
    def decks_dir(self) -> Path:
        """The learner's own decks; synced along with the bundled ones."""
        return self.root / "decks"

    @property
    def log_path(self) -> Path:
        return self.root / "studydl.log"

    def deck_roots(self) -> list[Path]:
        """What a plain `studydl sync` reads: the bundled decks, then the home's decks folder."""
        return [bundled_decks_dir(), self.decks_dir]

    def ensure(self) -> Home:
        self.decks_dir.mkdir(parents=True, exist_ok=True)
        return self

    def open_db(self):  # -> Database (import deferred: keeps `--help` fast)
        from studydl.store.db import Database

        self.ensure()
        return Database(self.db_url or self.db_path)
