"""Store fixtures: a home whose database holds real reviews, answered through `studydl review --plain`.

Every test here that uses `home` or `db` runs on SQLite and on PostgreSQL (`backend`);
the backup, restore and doctor tests (SQLite files) use `reviewed`, a SQLite home.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studydl.cli import cli
from studydl.home import Home
from tests.backends import backend  # noqa: F401  (the fixture, parametrized)

DECK = """\
# Activations
ReLU :: max(0, x)

Sigmoid :: 1 / (1 + e^-x)

Q: What does tanh return for 0?
A: 0

GELU :: x * Phi(x)

Swish :: x * sigmoid(x)
"""


def studydl(home: Home, *args: str, input: str | None = None) -> Result:
    """The CLI in-process on `home`; an exception (a traceback) fails the test."""
    return CliRunner().invoke(cli, ["--home", str(home.root), *args], input=input, catch_exceptions=False)


def answer_all(home: Home, rating: str = "3") -> Result:
    """Answer every card due now with `rating` (Enter shows the answer; end of input ends the session)."""
    done = studydl(home, "review", "--plain", input=f"\n{rating}\n" * 12)
    assert done.exit_code == 0, done.output
    return done


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def damage(home: Home, kind: str) -> None:
    """Damage the database file as a disk or a bad copy would, with no studydl process running.

    The write-ahead log is checkpointed and removed first, so the damage is all there is.
    """
    with sqlite3.connect(home.db_path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        home.db_path.with_name(home.db_path.name + suffix).unlink(missing_ok=True)
    data = bytearray(home.db_path.read_bytes())
    if kind == "garbage header":
        data[:100] = b"\x00garbage!" * 10
    elif kind == "truncated":
        del data[len(data) // 2 :]
    elif kind == "empty":
        data.clear()
    elif kind == "not a database":
        data = bytearray(b"# my notes\nReLU :: max(0, x)\n" * 40)
    elif kind == "malformed pages":
        for offset in range(4096 * 2, len(data), 4096):  # every page after the schema's
            data[offset : offset + 64] = b"\xff" * 64
    else:
        raise ValueError(kind)
    home.db_path.write_bytes(bytes(data))


DAMAGE = ["garbage header", "truncated", "empty", "not a database", "malformed pages"]


def count_reviews(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("select count(*) from review_log").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def reviewed(tmp_path: Path) -> Home:
    """A home with one synced deck of five cards, each answered once (Easy)."""
    home = Home(tmp_path / "home").ensure()
    deck = home.decks_dir / "activations.md"
    deck.write_text(DECK, encoding="utf-8")
    synced = studydl(home, "sync", str(deck))
    assert synced.exit_code == 0, synced.output
    answer_all(home, "4")  # Easy: each card graduates at once, so each is answered once
    assert count_reviews(home.db_path) == 5
    return home
