"""Files and folders only the learner may read: a review history is theirs.

What studydl keeps in the home (the database and its -wal and -shm, backups,
the demo-result cache, the log, deck copies) is created readable by its owner
alone, whatever the umask: files 0600, folders 0700. SQLite gives a database's
-wal, -shm and journal files the database file's own mode, so a database
created 0600 stays private. Folders that exist already are left as they are;
the home itself is tightened (`Home.ensure`).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from contextlib import closing, suppress
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dirs(path: Path) -> None:
    """`path` and its missing parents, each created 0700; folders already there are left alone."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR)


def create_private_file(path: Path) -> bool:
    """Create `path` empty and 0600 unless it exists (then it is left as it is); True when created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def create_private_database(path: Path) -> None:
    """A new, empty SQLite database at `path`, 0600, unless one is there already.

    Made in a private file beside it and linked into place, so another process
    opening `path` meanwhile finds either nothing or a whole database (never an
    empty file, which is a damaged database).
    """
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    try:
        with closing(sqlite3.connect(partial)) as con:
            con.execute("PRAGMA journal_mode=WAL")  # writes the header: a database, not an empty file
        with suppress(FileExistsError):
            os.link(partial, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(partial + suffix).unlink(missing_ok=True)


def tighten(path: Path) -> None:
    """Take group and other permissions off a file or folder of ours, if it is there."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        os.chmod(path, mode & ~0o077)
