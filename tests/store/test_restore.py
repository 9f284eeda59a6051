"""`studydl restore`: round trips a database with its reviews, backs up first, asks, refuses bad backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studydl.home import Home
from studydl.store.backup import find_backups
from studydl.store.db import Database
from tests.store.conftest import DAMAGE, answer_all, count_reviews, damage, dump, studydl


def backup_now(home: Home) -> Path:
    made = studydl(home, "backup")
    assert made.exit_code == 0, made.output
    return Path(made.output.strip())


def more_reviews(home: Home) -> None:
    deck = home.decks_dir / "activations.md"
    deck.write_text(deck.read_text(encoding="utf-8") + "\nMish :: x * tanh(softplus(x))\n", encoding="utf-8")
    assert studydl(home, "sync", str(deck)).exit_code == 0
    answer_all(home, "4")


def test_restore_round_trips_the_database_with_its_reviews(reviewed: Home) -> None:
    saved = backup_now(reviewed)
    expected = dump(saved)
    more_reviews(reviewed)
    later = dump(reviewed.db_path)
    assert count_reviews(reviewed.db_path) == 6 and later != expected

    done = studydl(reviewed, "restore", "--yes", str(saved))
    assert done.exit_code == 0, done.output
    assert f"restored {saved}: 5 cards, 5 reviews" in done.output
    assert dump(reviewed.db_path) == expected
    assert studydl(reviewed, "due").exit_code == 0  # the app's own open of it works (WAL, schema)

    # The database before the restore was backed up first: restoring that undoes the restore.
    before = next(b.path for b in find_backups(reviewed.backups_dir) if b.tag == "before-restore")
    assert f"the database before the restore is saved as {before}" in done.output
    assert dump(before) == later
    undone = studydl(reviewed, "restore", "--yes", before.name)  # a bare name is looked up in the backups folder
    assert undone.exit_code == 0, undone.output
    assert dump(reviewed.db_path) == later


def test_restore_asks_first(reviewed: Home) -> None:
    saved = backup_now(reviewed)
    more_reviews(reviewed)
    later = dump(reviewed.db_path)
    backups = sorted(reviewed.backups_dir.iterdir())
    declined = studydl(reviewed, "restore", str(saved), input="n\n")
    assert declined.exit_code == 1
    assert f"{saved}: 5 cards, 5 reviews, last review" in declined.output and "Replace the database" in declined.output
    assert dump(reviewed.db_path) == later and sorted(reviewed.backups_dir.iterdir()) == backups
    accepted = studydl(reviewed, "restore", str(saved), input="y\n")
    assert accepted.exit_code == 0 and count_reviews(reviewed.db_path) == 5


def test_restore_while_another_process_has_the_database_open(reviewed: Home) -> None:
    """The open Database reads the restored rows on its next transaction (no swapped file under it)."""
    saved = backup_now(reviewed)
    more_reviews(reviewed)
    db = Database(reviewed.db_path)
    try:
        with db.read() as s:
            assert s.execute(_count_reviews_sql()).scalar() == 6
        assert studydl(reviewed, "restore", "--yes", str(saved)).exit_code == 0
        with db.read() as s:
            assert s.execute(_count_reviews_sql()).scalar() == 5
    finally:
        db.dispose()


def _count_reviews_sql():
    from sqlalchemy import func, select

    from studydl.store.models import ReviewRow

    return select(func.count(ReviewRow.id))


@pytest.mark.parametrize("kind", DAMAGE)
def test_restore_over_a_damaged_database_keeps_the_damaged_file(reviewed: Home, kind: str) -> None:
    saved = backup_now(reviewed)
    damage(reviewed, kind)
    damaged_bytes = reviewed.db_path.read_bytes()
    done = studydl(reviewed, "restore", "--yes", str(saved))
    assert done.exit_code == 0, done.output
    assert dump(reviewed.db_path) == dump(saved)
    moved = list(reviewed.backups_dir.glob("damaged-*.db"))
    assert len(moved) == 1 and moved[0].read_bytes() == damaged_bytes
    assert f"the damaged database was moved to {moved[0]}" in done.output


def test_restore_into_a_home_without_a_database(reviewed: Home, tmp_path: Path) -> None:
    saved = backup_now(reviewed)
    fresh = Home(tmp_path / "fresh").ensure()
    done = studydl(fresh, "restore", "--yes", str(saved))
    assert done.exit_code == 0, done.output
    assert dump(fresh.db_path) == dump(saved)


def _not_studydl(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("create table t (x)")
    return path


def _newer_schema(path: Path, source: Path) -> Path:
    path.write_bytes(source.read_bytes())
    with sqlite3.connect(path) as con:
        con.execute("update alembic_version set version_num = '9999'")
    return path


def _damaged_copy(path: Path, source: Path) -> Path:
    data = bytearray(source.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "no such file"),
        ("text", "not a readable database"),
        ("not studydl", "not a studydl database"),
        ("newer", "written by a newer studydl (schema 9999"),
        ("damaged", "damaged"),
        ("itself", "that is the database itself"),
    ],
)
def test_restore_refuses_what_is_not_a_good_backup(reviewed: Home, tmp_path: Path, case: str, message: str) -> None:
    good = backup_now(reviewed)
    bad = {
        "missing": lambda: tmp_path / "nope.db",
        "text": lambda: (tmp_path / "notes.db").write_text("ReLU :: max(0, x)\n" * 100) and tmp_path / "notes.db",
        "not studydl": lambda: _not_studydl(tmp_path / "other.db"),
        "newer": lambda: _newer_schema(tmp_path / "newer.db", good),
        "damaged": lambda: _damaged_copy(tmp_path / "bad.db", good),
        "itself": lambda: reviewed.db_path,
    }[case]()
    before, backups = dump(reviewed.db_path), sorted(reviewed.backups_dir.iterdir())
    done = studydl(reviewed, "restore", "--yes", str(bad))
    assert done.exit_code == 1 and message in done.output, done.output
    assert "Traceback" not in done.output
    assert dump(reviewed.db_path) == before and sorted(reviewed.backups_dir.iterdir()) == backups
