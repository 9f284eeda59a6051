"""The studydl home: the database, the user's own decks and the log, in one folder.

With `--db postgresql://...` (or STUDYDL_DB) the home's database is this device's own
store, synced with the shared log on the server (studydl/replica); with
`?studydl=direct` the server is the store itself, and the home holds the decks and the log.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studydl.private_files import create_private_file, make_private_dirs, tighten
from studydl.resources import bundled_decks_dir

if TYPE_CHECKING:
    from studydl.decks.roots import DeckRoots

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
    bundled: Path | None = None
    """The bundled decks folder (None: the installed package's)."""
    db_url: str | None = None
    """The database when it is not the home's SQLite file (`--db`): a server URL or another file."""

    @classmethod
    def resolve(cls, root: Path | str | None = None, db_url: str | None = None) -> Home:
        return cls(Path(root).expanduser() if root else default_home_dir(), db_url=db_url or None)

    @property
    def server(self):  # -> DbLocation | None (import deferred, as in open_db)
        """The server that is the store itself (`--db postgresql://...?studydl=direct`); None when the store is a SQLite file."""
        where = self._location()
        return where if where is not None and where.is_server and where.direct else None

    @property
    def shared_log(self):  # -> DbLocation | None
        """The server holding the shared log this device's store syncs with (`--db postgresql://...`); None: no sync."""
        where = self._location()
        return where if where is not None and where.is_server and not where.direct else None

    def _location(self):  # -> DbLocation | None
        if not self.db_url:
            return None
        from studydl.store.location import locate

        return locate(self.db_url)

    @property
    def db_path(self) -> Path:
        """The SQLite file: the home's studydl.db (also with a shared log), or the file `--db` names."""
        where = self._location()
        if where is not None and where.path is not None:
            return where.path
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
        """The home's folders made, and its log file, for the learner alone (0700, 0600); what an
        older studydl made readable by others (the home, its database, log and backups) is tightened."""
        make_private_dirs(self.decks_dir)
        database = self.root / "studydl.db"
        for path in (self.root, self.decks_dir, self.backups_dir, self.root / "cache", self.log_path, database):
            tighten(path)
        for suffix in ("-wal", "-shm"):
            tighten(database.with_name(database.name + suffix))
        create_private_file(self.log_path)
        return self

    def open_db(self):  # -> Database (import deferred: keeps `--help` fast)
        from studydl.store.db import Database

        self.ensure()
        new = self.server is None and not self.db_path.exists()
        db = Database(self.server or self.db_path)
        if new:  # its device id and place from the start: a copy made before its first sync is still told apart
            from studydl.replica.events import device_id

            with db.raw_write() as con:
                device_id(con)
        return db
