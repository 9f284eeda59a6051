"""Files that cannot be imported: one clear message each, non-zero exit, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studydl.home import Home
from tests.interop.anki_builder import meta, package
from tests.interop.hostile import HOSTILE_IMPORTS


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, expected message after the path)."""
    files = {
        "corrupt zip": ("deck.apkg", b"PK\x03\x04 this is not really a zip", ": not a readable Anki package (broken zip"),
        "binary": ("notes.txt", b"term\x00\x01\x02definition", ":1: binary file, not a text format studydl can import"),
        "empty": ("empty.md", b"", ": empty file, nothing to import"),
        "blank": ("blank.csv", b"  \n\n", ": empty file, nothing to import"),
        "latin-1": ("cafe.txt", "line one\ncaf\u00e9 :: coffee\n".encode("latin-1"), ":2: not UTF-8 text (byte 0xe9)"),
    }
    out = {}
    for name, (file, data, message) in files.items():
        path = tmp / file
        path.write_bytes(data)
        out[name] = (path, message)
    out["unknown version"] = (
        package(tmp / "future.apkg", {"collection.anki21b": b"\x28\xb5\x2f\xfd", "meta": meta(9)}),
        ": Anki package version 9 is newer than studydl understands (1-3)",
    )
    out["no collection"] = (package(tmp / "empty.apkg", {"media": b"{}"}), ": not an Anki package: no collection.anki2")
    out["not sqlite"] = (package(tmp / "junk.apkg", {"collection.anki2": b"garbage" * 100}), ": not a readable Anki collection")
    plain = tmp / "plain.sqlite"
    con = sqlite3.connect(plain)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    out["sqlite, not anki"] = (package(tmp / "other.apkg", {"collection.anki2": plain.read_bytes()}), ": not an Anki collection (no col/notes/cards table)")
    return out


@pytest.mark.parametrize(
    "name", ["corrupt zip", "binary", "empty", "blank", "latin-1", "unknown version", "no collection", "not sqlite", "sqlite, not anki"]
)
def test_bad_file_is_refused_cleanly(tmp_path: Path, home: Home, run, name: str) -> None:
    path, message = _bad_files(tmp_path)[name]
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}{message}"), result.stderr
    assert "Traceback" not in result.output
    assert list(home.decks_dir.iterdir()) == []
    assert not home.db_path.exists()


def test_one_bad_file_means_nothing_is_written(tmp_path: Path, home: Home, run) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("ReLU\tmax(0, x)\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00")
    result = run("import", str(good), str(bad))
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert list(home.decks_dir.iterdir()) == []


def test_existing_deck_needs_force(tmp_path: Path, home: Home, run) -> None:
    src = tmp_path / "acts.tsv"
    src.write_text("ReLU\tmax(0, x)\n", encoding="utf-8")
    assert run("import", str(src)).exit_code == 0
    target = home.decks_dir / "acts.md"
    before = target.read_text(encoding="utf-8")
    src.write_text("ReLU\tmax(0, x)\nGELU\tx * Phi(x)\n", encoding="utf-8")
    refused = run("import", str(src))
    assert refused.exit_code == 1 and f"{target} already exists; add --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == before
    forced = run("import", str(src), "--force")
    assert forced.exit_code == 0 and "1 added" in forced.stdout  # ReLU kept its identity


def test_real_entry_point(tmp_path: Path, home: Home, cli) -> None:
    src = tmp_path / "acts.txt"
    src.write_text("ReLU\nmax(0, x)\nTanh\n", encoding="utf-8")
    done = cli("--home", str(home.root), "import", "--format", "quizlet", str(src))
    assert done.returncode == 0, done.stderr
    assert f"{src}:3: skipped: term 'Tanh' has no definition line after it" in done.stdout
    assert "1 card (1 term)" in done.stdout and (home.decks_dir / "acts.md").exists()


def test_missing_file(tmp_path: Path, run) -> None:
    bad = run("import", str(tmp_path / "missing.md"))
    assert bad.exit_code == 1 and bad.stderr.startswith(f"{tmp_path / 'missing.md'}: cannot read file")


def _dump(home: Home) -> list[str]:
    con = sqlite3.connect(home.db_path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.mark.parametrize(("name", "build", "message"), [c[1:] for c in HOSTILE_IMPORTS], ids=[c[0] for c in HOSTILE_IMPORTS])
def test_hostile_file_is_refused_and_the_store_is_unchanged(tmp_path: Path, home: Home, run, name: str, build, message: str) -> None:
    """Bombs and hostile YAML (issue 15): one message naming the file, exit 1, store dumped before and after."""
    good = tmp_path / "good.tsv"
    good.write_text("ReLU\tmax(0, x)\n", encoding="utf-8")
    assert run("import", str(good)).exit_code == 0
    before, decks = _dump(home), sorted(home.decks_dir.iterdir())
    path = tmp_path / name
    build(path)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}{message}"), result.stderr
    assert result.stderr.splitlines()[1:] == ["nothing was written"]
    assert "Traceback" not in result.output
    assert sorted(home.decks_dir.iterdir()) == decks and _dump(home) == before


@pytest.mark.parametrize(("sep", "named"), [(",", "comma"), (";", "semicolon")])
def test_a_csv_without_a_header_is_refused_with_the_flags_that_read_it(tmp_path: Path, home: Home, run, sep: str, named: str) -> None:
    path = tmp_path / "no header.csv"
    path.write_text(f"softmax{sep}turns scores into probabilities{sep} summing to 1\nReLU{sep}max(0{sep} x)\n", encoding="utf-8")
    refused = run("import", str(path))
    assert refused.exit_code == 1 and list(home.decks_dir.iterdir()) == []
    assert refused.stderr.splitlines()[0] == (
        f"{path}:1: no header naming the columns (front/back, term/definition or question/answer) and line 1 has 3 columns, "
        f"not 2. Add a header line such as `front{sep}back`, or read each line as term and definition split at the first "
        f"{named}: studydl import '{path}' --format tsv --sep {named}"
    )
    done = run("import", str(path), "--format", "tsv", "--sep", named)  # the command it suggests works
    assert done.exit_code == 0, done.output
    deck = (home.decks_dir / "no-header.md").read_text()
    assert f"softmax :: turns scores into probabilities{sep} summing to 1" in deck and f"ReLU :: max(0{sep} x)" in deck


@pytest.mark.parametrize("flag", ["--apkg", "--csv"])
def test_export_into_a_missing_folder_is_an_error(tmp_path: Path, home: Home, run, flag: str) -> None:
    """Issue 22.14: the folders were created silently (as root, even at the filesystem root)."""
    deck = home.decks_dir / "acts.md"
    deck.write_text("ReLU :: max(0, x)\n", encoding="utf-8")
    assert run("sync").exit_code == 0
    out = tmp_path / "nonexistent" / "dir" / "out.x"
    refused = run("export", flag, str(out))
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {out}: the folder {out.parent} does not exist; create it first\n"
    assert not (tmp_path / "nonexistent").exists()


def test_import_output_outside_the_decks_folder_is_refused(tmp_path: Path, home: Home, run) -> None:
    """Issue 22.15: sync reads only the decks folder, so a deck written elsewhere was listed once and never read again."""
    src = tmp_path / "acts.tsv"
    src.write_text("ReLU\tmax(0, x)\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.md"
    refused = run("import", str(src), "-o", str(elsewhere))
    assert refused.exit_code == 1 and not elsewhere.exists() and not home.db_path.exists()
    assert refused.stderr.splitlines() == [
        f"{src}: {elsewhere} is outside the decks folder {home.decks_dir.resolve()}, which is where sync reads decks:"
        " give -o a path inside it, or add --no-sync to only write the file",
        "nothing was written",
    ]
    inside = home.decks_dir / "ml" / "acts.md"
    done = run("import", str(src), "-o", str(inside))
    assert done.exit_code == 0 and "1 added" in done.stdout
    assert run("import", str(src), "-o", str(elsewhere), "--no-sync").exit_code == 0 and elsewhere.exists()


def test_export_into_a_folder_that_takes_no_files_is_one_line(home: Home, run) -> None:
    (home.decks_dir / "acts.md").write_text("ReLU :: max(0, x)\n", encoding="utf-8")
    assert run("sync").exit_code == 0
    refused = run("export", "--apkg", "/proc/out.apkg")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: /proc/out.apkg: cannot write the file: ") and "Traceback" not in refused.output
