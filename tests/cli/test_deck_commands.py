"""The deck commands through the real `studydl` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studydl.home import Home
from studydl.resources import bundled_decks_dir
from tests.conftest import bundled_card_count, run_studydl

DECK = """---
deck: Basics
---
# Perceptron
Q: What does a perceptron's step function output?
A: 0 or 1.

MLP ::: multi-layer perceptron
"""


@pytest.fixture
def deck(write_deck) -> Path:
    return write_deck("basics.md", DECK)


def test_sync_prints_what_it_did_and_is_quiet_when_unchanged(home: Home, deck: Path) -> None:
    first = run_studydl("sync", str(deck), home=home)
    assert first.returncode == 0, first.stderr
    assert "3 added, 0 changed" in first.stdout
    assert "added  Basics: What does a perceptron's step function output?" in first.stdout
    second = run_studydl("sync", str(deck), home=home)
    assert "0 added" in second.stdout and "1 unchanged" in second.stdout
    deck.write_text(DECK.replace("0 or 1.", "Either 0 or 1."))
    third = run_studydl("sync", str(deck), home=home)
    assert "1 changed" in third.stdout and "changed  Basics" in third.stdout


def test_sync_error_is_file_line_message_and_exit_1(home: Home, deck: Path, write_deck) -> None:
    bad = write_deck("bad.md", "a :: b\n\nQ: no answer\n")
    result = run_studydl("sync", str(deck), str(bad), home=home)
    assert result.returncode == 1
    assert result.stderr.strip() == f"{bad.resolve()}:3: `Q:` without an `A:` (write the answer on a line starting with `A:`)"
    assert "3 added" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_lints_without_a_store(home: Home, write_deck) -> None:
    bad = write_deck("bad.md", "x :: y\ndemo: no-such-demo\n")
    result = run_studydl("check", str(bad), home=home)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad.resolve()}:2: unknown demo 'no-such-demo' (known demos: ")
    assert not home.db_path.exists()
    good = run_studydl("check", str(bad.parent / "missing.md"), home=home)
    assert good.returncode == 1 and "no such file or folder" in good.stderr
    assert result.stdout.strip() == "1 deck file, 1 card, 1 problem"  # counted nouns agree (was "1 problems")


def test_due_reads_the_counts_without_the_orm_and_tells_the_apps_numbers(home: Home, deck: Path) -> None:
    """The whole `due` process loads neither SQLAlchemy nor the deck parser (its speed), and counts as the app does."""
    run_studydl("sync", str(deck), home=home)
    code = (
        "import sys; from studydl.cli import main; sys.argv = ['studydl', 'due']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('loaded:', sorted(m for m in ('sqlalchemy', 'markdown_it', 'yaml', 'textual') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "STUDYDL_HOME": str(home.root)}, check=True)
    assert done.stdout.splitlines()[-1] == "loaded: []", done.stdout
    assert [line.split() for line in done.stdout.splitlines()[:2]] == [["deck", "new", "learn", "due"], ["Basics", "3", "0", "0"]]


def test_due_and_cards_json(home: Home, deck: Path) -> None:
    run_studydl("sync", str(deck), home=home)
    due = json.loads(run_studydl("due", "--json", home=home).stdout)
    assert due == {"decks": [{"deck": "Basics", "new": 3, "learning": 0, "review": 0, "total": 3}]}
    cards = json.loads(run_studydl("cards", "--deck", "basics", "--json", home=home).stdout)["cards"]
    assert [(c["section"], c["question"], c["answer"], c["retired"]) for c in cards] == [
        ("Perceptron", "What does a perceptron's step function output?", "0 or 1.", False),
        ("Perceptron", "MLP", "multi-layer perceptron", False),
        ("Perceptron", "multi-layer perceptron", "MLP", False),
    ]
    assert cards[0]["source"] == f"{deck.resolve()}:5" and cards[0]["id"]


def test_home_option_and_environment(tmp_path: Path, deck: Path) -> None:
    other = tmp_path / "elsewhere"
    result = run_studydl("--home", str(other), "sync", str(deck))
    assert result.returncode == 0 and (other / "studydl.db").exists()


def test_plain_sync_reads_bundled_decks_and_home_decks(home: Home) -> None:
    (home.decks_dir / "mine.md").write_text("my :: own card\n")
    result = run_studydl("sync", "--quiet", home=home)
    assert result.returncode == 0, result.stderr
    cards = json.loads(run_studydl("cards", "--json", home=home).stdout)["cards"]
    decks = {c["deck"] for c in cards}
    assert "mine" in decks and len(decks) > 5 and len(cards) >= 200
    listing = run_studydl("decks", "--json", home=home)
    origins = {d["name"]: d["origin"] for d in json.loads(listing.stdout)["decks"]}
    assert origins["mine"] == "yours" and origins["Convolutional networks"] == "bundled"


@pytest.mark.parametrize("command", [[], ["sync"], ["check"], ["due"], ["cards"], ["decks"], ["edit"], ["demo"]])
def test_every_command_answers_help(command: list[str]) -> None:
    result = run_studydl(*command, "--help")
    assert result.returncode == 0 and "Usage: studydl" in result.stdout and len(result.stdout) > 150


def test_a_corrupt_database_is_a_message_not_a_traceback(home: Home) -> None:
    home.db_path.write_bytes(b"garbage" * 1000)
    result = run_studydl("due", home=home)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def fake_editor(tmp_path: Path, old: str, new: str) -> Path:
    """An executable `vim` that swaps one string in the file it is given."""
    script = tmp_path / "bin" / "vim"
    script.parent.mkdir(exist_ok=True)
    script.write_text(
        f"#!{sys.executable}\nimport pathlib, sys\npath = pathlib.Path(sys.argv[-1])\n"
        f"path.write_text(path.read_text().replace({old!r}, {new!r}))\n"
    )
    script.chmod(0o755)
    return script


def test_a_bundled_deck_is_edited_as_your_copy_and_sync_and_decks_say_so(home: Home, tmp_path: Path, monkeypatch) -> None:
    assert run_studydl("sync", "--quiet", home=home).returncode == 0
    monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path, "A: Its filters", "A: Its own filters")))
    edited = run_studydl("edit", "cnn", home=home)
    assert edited.returncode == 0, edited.stderr
    copy = home.decks_dir / "cnn.md"
    assert f"copied the bundled deck to {copy}" in edited.stdout and "0 added, 1 changed, 0 retired" in edited.stdout
    assert "Its own filters" in copy.read_text() and "Its own filters" not in (bundled_decks_dir() / "cnn.md").read_text()
    listing = run_studydl("decks", home=home).stdout.splitlines()
    assert [line.split()[0] for line in listing if "Convolutional networks" in line] == ["yours"]
    assert sum(line.startswith("bundled ") for line in listing) == 9
    again = run_studydl("sync", home=home)
    assert f"yours  {copy} replaces the bundled {bundled_decks_dir().resolve() / 'cnn.md'}" in again.stdout
    assert "decks: 9 bundled, 1 yours" in again.stdout
    cards = json.loads(run_studydl("cards", "--deck", "cnn", "--json", home=home).stdout)["cards"]
    assert len(cards) == bundled_card_count("cnn.md") and {c["source"].rsplit(":", 1)[0] for c in cards} == {str(copy)}


def test_the_same_id_in_two_files_is_a_problem_for_the_later_one_exit_1_no_traceback(home: Home, write_deck) -> None:
    first = write_deck("a.md", "relu :: max(0, x)\nid: relu\n")
    second = write_deck("b.md", "other :: card\n\nrelu :: max(0, x)\nid: relu\n")
    result = run_studydl("sync", str(first.parent), home=home)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"{second.resolve()}:3: id 'relu' is already used at {first.resolve()}:1"
    assert "1 added" in result.stdout and "1 deck file synced" in result.stdout


def test_edit_exits_0_when_only_another_deck_has_a_problem_and_1_when_the_edited_one_does(home: Home, tmp_path: Path, monkeypatch) -> None:
    (home.decks_dir / "gans.md").write_text("---\ndeck: GANs\n---\nQ: What does the generator map?\nA: Noise to samples.\n", encoding="utf-8")
    broken = home.decks_dir / "my-notes.md"
    broken.write_text("Q: A question with no answer\n", encoding="utf-8")
    assert run_studydl("sync", "--quiet", home=home).returncode == 1  # (my-notes.md's problem)
    monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path, "Noise to samples.", "Noise to data samples.")))
    edited = run_studydl("edit", "gans", home=home)
    assert edited.returncode == 0, edited.stderr
    assert "0 added, 1 changed" in edited.stdout
    assert "Other decks have problems" in edited.stderr and "my-notes.md" in edited.stderr and "Traceback" not in edited.stderr
    monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path, "A: Noise to data samples.", "")))
    broke = run_studydl("edit", "gans", home=home)
    assert broke.returncode == 1 and "gans.md" in broke.stderr.splitlines()[0], broke.stderr
