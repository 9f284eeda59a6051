"""Deck identity without absolute paths: roots, two machines on one store, folders named the same."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from studydl.decks.roots import DeckKey, DeckRoots
from studydl.home import Home
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow
from tests.decks.store_helpers import card, history, review, sync

DECKS = {
    "rnn.md": "---\ndeck: RNNs\n---\nBPTT :: backpropagation through time\nid: bptt\n\nQ: What does an LSTM add to an RNN?\nA: A gated cell state.\n",
    "sub/cnn.md": "Q: What does a pooling layer do?\nA: It downsamples.\n",
}


def checkout(where: Path) -> Path:
    for rel, text in DECKS.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_text(text, encoding="utf-8")
    return where


def test_keys_name_the_root_and_the_path_inside_it(tmp_path: Path) -> None:
    roots = DeckRoots.of(bundled=tmp_path / "pkg" / "decks", home=tmp_path / "home" / "decks")
    assert roots.key_of((tmp_path / "home" / "decks" / "sub" / "a.md").resolve()) == DeckKey("home", "sub/a.md")
    assert roots.key_of((tmp_path / "pkg" / "decks" / "cnn.md").resolve()) == DeckKey("bundled", "cnn.md")
    other = (tmp_path / "notes" / "dl" / "x" / "a.md").resolve()
    assert roots.key_of(other, folder=other.parent.parent) == DeckKey("dir:dl", "x/a.md")  # the folder given to sync
    assert roots.key_of(other) == DeckKey("dir:x", "a.md")  # a file given alone: its own folder


def test_two_machines_with_the_decks_at_different_paths_share_one_set_of_cards(tmp_path: Path) -> None:
    """Issue 17, point 3: one store, the same checkout at two absolute paths, synced in turn."""
    laptop = checkout(tmp_path / "laptop" / "home" / "ann" / "src" / "dl-decks")
    desktop = checkout(tmp_path / "desktop" / "work" / "dl-decks")
    db = Database(tmp_path / "shared.db")
    sync(db, laptop)
    pooling = card(db, "pooling")
    review(db, pooling.id)
    report = sync(db, desktop)  # the other machine: same bytes, another place
    assert not report.added and not report.retired and not report.changed
    (desktop / "sub" / "cnn.md").write_text(DECKS["sub/cnn.md"].replace("It downsamples.", "It downsamples the map."))
    sync(db, desktop)
    sync(db, laptop)  # back on the laptop, whose file is older: its text again, same card
    assert card(db, "pooling").id == pooling.id and history(db, pooling.id) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CardRow)) == 3
        assert sorted((d.root, d.rel_path) for d in s.scalars(select(DeckRow))) == [("dir:dl-decks", "rnn.md"), ("dir:dl-decks", "sub/cnn.md")]
    db.dispose()


def test_two_homes_on_one_store_share_the_home_decks(tmp_path: Path) -> None:
    first, second = Home(tmp_path / "a" / "home"), Home(tmp_path / "b" / "elsewhere")
    for home in (first, second):
        checkout(home.ensure().decks_dir)
    db = Database(tmp_path / "shared.db")
    sync(db, first.decks_dir, roots=first.named_roots())
    bptt = card(db, "BPTT")
    review(db, bptt.id)
    report = sync(db, second.decks_dir, roots=second.named_roots())
    assert not report.added and not report.errors and card(db, "BPTT").id == bptt.id
    db.dispose()


def test_a_whole_folder_sync_never_retires_another_roots_decks(tmp_path: Path, db: Database) -> None:
    notes = checkout(tmp_path / "notes")
    home = Home(tmp_path / "home").ensure()
    (home.decks_dir / "mine.md").write_text("mine :: card\n")
    sync(db, notes)
    report = sync(db, home.decks_dir, roots=home.named_roots())
    assert not report.retired
    shutil.rmtree(notes / "sub")
    assert [c.question for c in sync(db, notes).retired] == ["What does a pooling layer do?"]


def test_two_folders_of_the_same_name_in_one_sync_are_a_problem_not_a_crash(tmp_path: Path, db: Database) -> None:
    first = checkout(tmp_path / "x" / "notes")
    second = checkout(tmp_path / "y" / "notes")
    report = sync(db, first, second, ok=False)
    assert [str(p) for p in report.errors] == [
        f"{(second / rel).resolve()}:1: the same deck as {(first / rel).resolve()} (both are dir:notes/{rel}): "
        "sync one of the two folders, or rename one"
        for rel in ("rnn.md", "sub/cnn.md")
    ]
    assert len(report.synced) == 2
