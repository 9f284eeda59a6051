"""Issue 21 item 10: a learner's review history is theirs. Everything studydl creates in the
home is readable by its owner alone (files 0600, folders 0700), under the usual umask 022."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from studydl.decks.copies import edit_target
from studydl.decks.roots import BUNDLED, DeckKey
from studydl.demos.measure import CACHE_FOLDER, measure
from studydl.home import Home
from studydl.store.backup import find_backups
from studydl.store.db import Database
from studydl.tui.launch import setup_logging
from tests.store.conftest import DECK, answer_all, studydl
from tests.store.test_schema import make_first_schema_database


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _open_to_others(root: Path) -> list[str]:
    """Everything under `root` (itself included) that is not 0600 (a file) or 0700 (a folder)."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


def test_10_everything_studydl_creates_in_the_home_is_private(tmp_path: Path, umask_022: None) -> None:
    home = Home(tmp_path / "home")
    deck = tmp_path / "mine" / "activations.md"  # the learner's own file, outside the home
    deck.parent.mkdir()
    deck.write_text(DECK, encoding="utf-8")
    assert studydl(home, "sync", str(deck)).exit_code == 0  # the database, its -wal and -shm
    answer_all(home, "4")  # the automatic backup after a session, and its folder's lock
    assert studydl(home, "backup").exit_code == 0
    newest = find_backups(home.backups_dir)[-1].path
    assert studydl(home, "restore", "--yes", str(newest)).exit_code == 0  # and the backup made before it
    assert studydl(home, "doctor").exit_code == 0

    setup_logging(home)  # the app's log
    logging.getLogger("studydl.test").info("a line")
    for handler in logging.getLogger("studydl").handlers:
        handler.flush()
    assert home.log_path.is_file()

    measure("learning-rate", {"steps": 20}, seed=0, cache_dir=home.root / CACHE_FOLDER)  # the demo-result cache
    assert list((home.root / CACHE_FOLDER).glob("*.json"))

    studydl(home, "sync")  # the bundled decks, then the learner's copy of one to edit
    target = edit_target(home.named_roots(), DeckKey(BUNDLED, "cnn.md"), "")
    assert target.path.is_file() and target.path.parent == home.decks_dir

    assert _open_to_others(home.root) == []


def test_10_the_backup_before_an_upgrade_is_private_and_an_older_home_is_tightened(tmp_path: Path, umask_022: None) -> None:
    home = Home(tmp_path / "home")
    home.root.mkdir(mode=0o755)
    make_first_schema_database(home.db_path)  # an older studydl's home, readable by all
    home.log_path.write_text("old log\n")
    assert stat.S_IMODE(home.db_path.stat().st_mode) == 0o644
    db = home.open_db()  # upgraded, after a backup
    db.dispose()
    assert db.backup_path is not None and db.backup_path.parent == home.backups_dir
    assert _open_to_others(home.root) == []


def test_10_a_database_named_by_db_outside_the_home_is_created_private_in_a_folder_left_as_it_was(tmp_path: Path, umask_022: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    db = Database(shared / "studydl.db")
    with db.write() as s:
        s.execute(text("select 1"))
    db.dispose()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in shared.iterdir()} == {"studydl.db": 0o600}
