"""Sync behaviour: unchanged decks are not written, a broken deck is left alone, others still sync."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from studydl.decks.sync import sync_decks
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow


def db_files_state(db: Database) -> list[tuple[str, int, int]]:
    out = []
    for suffix in ("", "-wal"):
        p = Path(str(db.path) + suffix)
        if p.exists():
            st = p.stat()
            out.append((suffix, st.st_size, st.st_mtime_ns))
    return out


def questions(db: Database, retired: bool = False) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(CardRow.question).where(CardRow.retired.is_(retired))))


def test_unchanged_deck_resyncs_without_touching_the_database(db: Database, write_deck) -> None:
    path = write_deck("a.md", "a :: b\n\nc :: d\n")
    first = sync_decks(db, [path])
    assert len(first.added) == 2
    before = db_files_state(db)
    again = sync_decks(db, [path])
    assert (again.synced, again.unchanged, again.touched) == ([], 1, False)
    os.utime(path)  # new mtime, same bytes: hashed, still not written
    assert sync_decks(db, [path]).unchanged == 1
    assert db_files_state(db) == before


def test_broken_deck_is_left_untouched_and_others_still_sync(db: Database, write_deck) -> None:
    good = write_deck("good.md", "a :: b\n")
    bad = write_deck("bad.md", "x :: y\n\nz :: w\n")
    sync_decks(db, [good, bad])
    good.write_text("a :: b\n\nnew :: card\n")
    bad.write_text("x :: y\n\nQ: no answer\n")  # z :: w removed, and an error
    report = sync_decks(db, [good, bad])
    assert [str(p) for p in report.errors] == [f"{bad.resolve()}:3: `Q:` without an `A:` (write the answer on a line starting with `A:`)"]
    assert questions(db) == {"a", "new", "x", "z"}  # z is not retired: the bad deck was not synced
    assert questions(db, retired=True) == set()


def test_folder_sync_and_deleted_deck_file_retires_its_cards(db: Database, write_deck, tmp_path: Path) -> None:
    keep = write_deck("keep.md", "a :: b\n")
    gone = write_deck("sub/gone.md", "x :: y\n")
    sync_decks(db, [tmp_path / "decks"], prune_missing=True)
    assert questions(db) == {"a", "x"}
    gone.unlink()
    report = sync_decks(db, [tmp_path / "decks"], prune_missing=True)
    assert [c.question for c in report.retired] == ["x"]
    assert questions(db) == {"a"} and questions(db, retired=True) == {"x"}
    assert sync_decks(db, [tmp_path / "decks"], prune_missing=True).touched is False
    assert keep.exists()


def test_deck_name_and_fields_are_stored(db: Database, write_deck) -> None:
    path = write_deck("rnn-basics.md", "---\ntags: [rnn]\n---\n# Gates\nforget :: drops cell state #lstm\n")
    sync_decks(db, [path])
    with db.read() as s:
        deck = s.scalars(select(DeckRow)).one()
        row = s.scalars(select(CardRow)).one()
    assert deck.name == "rnn basics" and deck.path == str(path.resolve())
    assert (deck.root, deck.rel_path) == ("dir:decks", "rnn-basics.md")  # the file's folder, by name
    assert (row.section, row.tags, row.source_line, row.kind, row.state) == ("Gates", "rnn lstm", 5, "term", 0)


def test_explicit_id_used_by_another_deck_is_an_error(db: Database, write_deck) -> None:
    one = write_deck("one.md", "a :: b\nid: shared\n")
    sync_decks(db, [one])
    two = write_deck("two.md", "c :: d\nid: shared\n")
    report = sync_decks(db, [two])
    assert len(report.errors) == 1 and "id 'shared' is already used at" in report.errors[0].message
    assert questions(db) == {"a"}


def test_sync_of_a_missing_path_is_reported(db: Database, tmp_path: Path) -> None:
    report = sync_decks(db, [tmp_path / "nope.md"])
    assert [p.message for p in report.errors] == ["no such file or folder"]


def test_an_edit_that_keeps_size_and_time_right_after_a_sync_is_still_seen(db: Database, write_deck) -> None:
    path = write_deck("racy.md", "a :: one\n")
    sync_decks(db, [path])
    st = path.stat()
    path.write_text("a :: two\n")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime, as within one timestamp tick
    report = sync_decks(db, [path])
    assert len(report.changed) == 1 and questions(db) == {"a"}
