"""Drill: a corpus of malformed inputs. Each gets a clear message and the right exit, never a traceback,
and leaves the store exactly as it was."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.home import Home
from tests.interop.hostile import HOSTILE_IMPORTS, yaml_alias_bomb

GOOD_DECK = "# Basics\nQ: What is a tensor?\nA: An n-dimensional array.\n\nReLU :: max(0, x)\n"


def _bytes(data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "deck.md"
        path.write_bytes(data)
        return path

    return make


def _text(text: str) -> Callable[[Path], Path]:
    return _bytes(text.encode())


def _file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return make


def _built(name: str, build) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        build(path)
        return path

    return make


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _sqlite_bytes(statements: list[str]) -> bytes:
    con = sqlite3.connect(":memory:")
    for statement in statements:
        con.execute(statement)
    return con.serialize()


# (id, command, input maker, expected text in the output)
DECK_CASES = [
    ("front-matter-yaml", _text("---\ndeck: [unclosed\n---\na :: b\n"), ":2: front matter"),
    ("front-matter-unclosed", _text("---\ndeck: x\n\na :: b\n"), ":1: front matter is not closed"),
    ("front-matter-not-mapping", _text("---\n- a\n- b\n---\na :: b\n"), ":1: front matter must be"),
    ("fence-unterminated", _text("Q: q\nA: a\n\n```python\nx = 1\n"), ":4: code fence ``` is not closed"),
    ("cloze-unterminated", _text("The {{forget gate is open\n"), ":1: cloze `{{` is not closed"),
    ("cloze-empty", _text("An {{}} gap\n"), ":1: empty cloze"),
    ("cloze-nested", _text("A {{b {{c}} d}} e\n"), ":1: cloze `{{` is not closed"),
    ("demo-unknown", _text("a :: b\ndemo: warp-drive\n"), ":2: unknown demo 'warp-drive'"),
    ("q-without-a", _text("Q: lonely question\n"), ":1: `Q:` without an `A:`"),
    ("a-without-q", _text("A: lonely answer\n"), ":1: `A:` without a `Q:`"),
    ("empty-answer", _text("Q: question\nA:\n"), ":2: empty answer"),
    ("term-empty-side", _text("ReLU ::  \n"), ":1: `::` card needs text on both sides"),
    ("bad-id", _text("a :: b\nid: no spaces allowed\n"), ":2: bad id"),
    ("duplicate-id", _text("a :: b\nid: k\n\nc :: d\nid: k\n"), ":4: id 'k' already used at line 1"),
    ("details-orphan", _text("prose\n\ndemo: perceptron\n"), ":3: details block"),
    ("comment-unclosed", _text("a :: b\n\n<!-- never closed\n"), ":3: comment is not closed"),
    ("prose-in-term-block", _text("a :: b\nprose\n"), ":2: not a `::` card"),
    ("binary", _bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ":3: binary file"),
    ("latin-1", _bytes("caf\xe9 :: coffee\n".encode("latin-1")), ":1: not UTF-8 text"),
    ("utf-16", _bytes("a :: b\n".encode("utf-16")), ":1: binary file"),
    ("fifty-megabytes", _bytes(b"a :: b\n" + b"x" * (50 * 1024 * 1024)), ":1: file is 50.0 MB"),
    ("deeply-nested-lists", _text("".join("  " * i + "- item\n" for i in range(2000))), "nesting this deep is not a deck"),
    ("ten-thousand-identical", _text("same :: card\n" * 10_000), ":2: duplicate card: same as the card at line 1"),
    ("duplicate-cards", _text("Q: q\nA: a\n\nQ: q\nA: a\n"), ":4: duplicate card"),
    # hostile front matter (issue 15): refused at its line, in bounded time and memory
    ("front-matter-alias-bomb", _text(yaml_alias_bomb()), ":3: front matter: YAML alias *a is not allowed"),
    ("front-matter-merge-key", _text("---\nbase: &b {deck: x}\n<<: *b\n---\na :: b\n"), ":3: front matter: YAML alias *b"),
    ("front-matter-deep", _text("---\ndeck: " + "[" * 5000 + "]" * 5000 + "\n---\na :: b\n"), ":2: front matter: nested deeper than 32"),
    ("front-matter-huge-int", _text("---\ndeck: " + "7" * 5000 + "\n---\na :: b\n"), ":2: front matter: cannot read the value: Exceeds the limit"),
    ("front-matter-bad-date", _text("---\ndeck: 2024-99-99\n---\na :: b\n"), ":2: front matter: cannot read the value: month must be in 1..12"),
    ("front-matter-100-kb", _text("---\ndeck: x\n" + "# padding\n" * 10_000 + "---\na :: b\n"), ":2: front matter: 97 KB long; front matter may be at most 64 KB"),
]

IMPORT_CASES = [
    ("apkg-corrupt-zip", _file("bad.apkg", b"PK\x03\x04 this is not really a zip"), "bad.apkg"),
    ("apkg-truncated", _file("cut.apkg", lambda: _zip({"collection.anki2": _sqlite_bytes(["create table col (id)"])})[:200]), "cut.apkg"),
    ("apkg-no-collection", _file("empty.apkg", lambda: _zip({"media": b"{}"})), "empty.apkg"),
    ("apkg-unknown-version", _file("future.apkg", lambda: _zip({"collection.anki99": b"?", "meta": b"\x08\x09"})), "future.apkg"),
    ("apkg-collection-not-sqlite", _file("junk.apkg", lambda: _zip({"collection.anki2": b"junk" * 100})), "junk.apkg"),
    ("csv-wrong-columns", _file("cards.csv", b"colour,size,weight\nred,3,1\nblue,4,2\n"), "cards.csv"),
    ("empty-file", _file("empty.txt", b""), "empty.txt"),
    ("binary-import", _file("blob.txt", bytes(range(256)) * 4), "blob.txt"),
    ("unknown-encoding", _file("notes.md", "Begriff :: Erkl\xe4rung\n".encode("cp1252") + b"\x81\x8d"), "notes.md"),
    # hostile files (issue 15): zip and zstd bombs, hostile YAML in notes, huge text; built small and fast
    *[(case, _built(name, build), f"{name}{message}") for case, name, build, message in HOSTILE_IMPORTS],
]


def dump(home: Home) -> list[str]:
    con = sqlite3.connect(home.db_path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def stocked_home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home").ensure()
    good = tmp_path / "good.md"
    good.write_text(GOOD_DECK)
    result = CliRunner().invoke(cli, ["--home", str(home.root), "sync", str(good)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return home


def invoke(home: Home, *args: str):
    # catch_exceptions=False: an uncaught exception (a traceback) fails the test.
    return CliRunner().invoke(cli, ["--home", str(home.root), *args], catch_exceptions=False)


@pytest.mark.parametrize(("case", "make", "expected"), DECK_CASES, ids=[c[0] for c in DECK_CASES])
def test_malformed_deck_is_refused_by_sync_and_check(stocked_home: Home, tmp_path: Path, case: str, make, expected: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = make(folder)
    before = dump(stocked_home)
    for command in ("check", "sync"):
        result = invoke(stocked_home, command, str(path))
        assert result.exit_code == 1, (command, result.output)
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"{path.resolve()}:") and expected in result.stderr, result.stderr[:500]
        assert "Traceback" not in result.output
    assert dump(stocked_home) == before


@pytest.mark.parametrize(("case", "make", "expected"), IMPORT_CASES, ids=[c[0] for c in IMPORT_CASES])
def test_malformed_import_is_refused_and_nothing_is_written(stocked_home: Home, tmp_path: Path, case: str, make, expected: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = make(folder)
    before = dump(stocked_home)
    decks_before = sorted(stocked_home.decks_dir.iterdir())
    result = invoke(stocked_home, "import", str(path))
    assert result.exit_code != 0, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr
    assert sorted(stocked_home.decks_dir.iterdir()) == decks_before
    assert dump(stocked_home) == before


def test_corpus_has_at_least_thirty_inputs() -> None:
    assert len(DECK_CASES) + len(IMPORT_CASES) >= 30
