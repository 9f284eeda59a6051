"""`studydl cards` and `studydl due` at scale: what they load and what they hold.

Both are reads a learner waits for on a collection of any size: they load neither the
ORM nor the Markdown parser (nor the deck parser: no deck file is read), and `cards`
prints each match as its row comes off the cursor, so its memory does not grow with
the number of matches (a million due cards must not become a million objects).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studydl.store.db import Database

HEAVY = ("sqlalchemy", "alembic", "markdown_it", "mdit_py_plugins", "studydl.decks.parser", "studydl.store.models", "rich", "textual")


def due_collection(path: Path, cards: int, decks: int = 4) -> Path:
    """A collection of `cards` review cards, all due a day ago, in `decks` decks (rows written directly)."""
    Database(path).dispose()
    stamp = (datetime.now(UTC) - timedelta(days=1)).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    con = sqlite3.connect(path)
    try:
        con.executemany(
            "INSERT INTO decks (id, name, root, rel_path, path) VALUES (?, ?, 'home', ?, ?)",
            [(d + 1, f"Deck {d}", f"deck{d}.md", f"/decks/deck{d}.md") for d in range(decks)],
        )
        con.executemany(
            "INSERT INTO cards (id, uid, note_uid, deck_id, section, kind, question, answer, content_hash, source_line,"
            " created_at, updated_at, state, stability, difficulty, due, last_review, reps, explicit, ordinal, tags,"
            " retired, lapses, suspended, flag, leech)"
            " VALUES (?, ?, ?, ?, 'Part', 'basic', ?, 'An answer.', ?, ?, ?, ?, 2, 10.0, 5.0, ?, ?, 3, 0, 0, '', 0, 0, 0, 0, 0)",
            [
                (i, f"u{i}", f"n{i}", i % decks + 1, f"Question number {i} of this collection?", f"h{i}", i, stamp, stamp, stamp, stamp)
                for i in range(1, cards + 1)
            ],
        )
        con.commit()
    finally:
        con.close()
    return path


def _run(home: Path, db: Path, command: str, code: str) -> subprocess.CompletedProcess[str]:
    """The real command group in a child process (its stdout thrown away), then `code`'s report on stderr."""
    script = (
        "import sys, tracemalloc\nfrom studydl.cli import cli\ntracemalloc.start()\n"
        f"try:\n    cli(['--home', {str(home)!r}, '--db', {str(db)!r}, *{command.split()!r}])\nexcept SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"{code}\n"
    )
    return subprocess.run([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True, timeout=300)


def test_cards_and_due_load_no_orm_and_no_parsers(tmp_path: Path) -> None:
    db = due_collection(tmp_path / "small.db", 50)
    for command in ("cards is:due", "due", "cards deck:deck1 is:review"):
        done = _run(tmp_path / "home", db, command, "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
        loaded = set(done.stderr.split())
        assert "studydl.cli" in loaded
        assert [m for m in HEAVY if m in loaded] == [], command


def test_cards_memory_does_not_grow_with_the_matches(tmp_path: Path) -> None:
    """Peak Python memory of `cards is:due` on 1,000 and on 20,000 due cards: within 2 MB of each other."""
    peak = "print(tracemalloc.get_traced_memory()[1], file=sys.stderr)"
    small = int(_run(tmp_path / "home", due_collection(tmp_path / "small.db", 1_000), "cards is:due", peak).stderr)
    large = int(_run(tmp_path / "home", due_collection(tmp_path / "large.db", 20_000), "cards is:due", peak).stderr)
    assert large - small < 2_000_000, (small, large)


def test_cards_prints_every_match_in_deck_and_file_order(tmp_path: Path) -> None:
    db = due_collection(tmp_path / "order.db", 2_500)
    done = subprocess.run(
        [sys.executable, "-m", "studydl", "--home", str(tmp_path / "home"), "--db", str(db), "cards", "is:due"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert len(lines) == 2_500  # (more than one write of a thousand lines)
    places = [line.rsplit("[", 1)[1].rstrip("]") for line in lines]
    expected = [f"/decks/deck{d}.md:{i}" for d in range(4) for i in range(1, 2_501) if i % 4 == d]
    assert places == expected
    assert lines[0].split()[:3] == ["u4", "review", "due"]
    unknown = subprocess.run(
        [sys.executable, "-m", "studydl", "--home", str(tmp_path / "home"), "--db", str(db), "cards", "--deck", "zzz"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert unknown.returncode == 1 and "no deck matches 'zzz' (decks: Deck 0, Deck 1, Deck 2, Deck 3)" in unknown.stderr
