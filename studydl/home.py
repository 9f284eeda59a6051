"""The studydl home: the database, the user's own decks and the log, in one folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studydl.resources import bundled_decks_dir

if TYPE_CHECKING:
    from studydl.decks.roots import DeckRoots

HOME_ENV = "STUDYDL_HOME"


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
    bundled: Path | None = None
    """The bundled decks folder (None: the installed package's)."""

    @classmethod
    def resolve(cls, root: Path | str | None = None) -> Home:
        return cls(Path(root).expanduser() if root else default_home_dir())

    @property
    def db_path(self) -> Path:
        return self.root / "studydl.db"

    @property
    def decks_dir(self) -> Path:
        """The learner's own decks; synced along with the bundled ones."""
        return self.root / "decks"

    @property
    def backups_dir(self) -> Path:
        """Automatic and manual backups of the database (see docs/backups.md)."""
        return self.root / "backups"

    @property
    def log_path(self) -> Path:
        return self.root / "studydl.log"

    def deck_roots(self) -> list[Path]:
        """What a plain `studydl sync` reads: the bundled decks, then the home's decks folder."""
        return [self.bundled_decks_dir, self.decks_dir]

    @property
    def bundled_decks_dir(self) -> Path:
        return self.bundled if self.bundled is not None else bundled_decks_dir()

    def named_roots(self) -> DeckRoots:
        """The roots decks are known by: `bundled` and `home` (a copy there replaces a bundled deck)."""
        from studydl.decks.roots import DeckRoots

        return DeckRoots.of(bundled=self.bundled_decks_dir, home=self.decks_dir)

    def ensure(self) -> Home:
        self.decks_dir.mkdir(parents=True, exist_ok=True)
        return self

    def open_db(self):  # -> Database (import deferred: keeps `--help` fast)
        from studydl.store.db import Database

        self.ensure()
        return Database(self.db_path)
