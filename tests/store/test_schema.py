"""The schema: versioned, created by migrations, an older database upgraded in place after a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select

from studydl.domain.errors import StoreError
from studydl.store import schema
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow


def test_head_constant_matches_the_migration_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == schema.HEAD


def test_new_database_is_in_wal_mode_at_head(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")
    con = sqlite3.connect(db.path)
    assert con.execute("pragma journal_mode").fetchone() == ("wal",)
    assert con.execute("select version_num from alembic_version").fetchone() == (schema.HEAD,)
    assert db.backup_path is None


def make_first_schema_database(path: Path) -> None:
    """A database as the first released schema (0001) wrote it, with a card and a review."""
    schema.upgrade(create_engine(f"sqlite:///{path}"), "0001")
    con = sqlite3.connect(path)
    con.execute("insert into decks (id, name, source_path) values (1, 'old', '/decks/old.md')")
    con.execute(
        "insert into cards (id, uid, explicit, note_uid, deck_id, section, kind, ordinal, question, answer,"
        " content_hash, source_path, source_line, tags, retired, created_at, updated_at, state, reps, lapses,"
        " suspended, stability, difficulty, due) values (1, 'u1', 0, 'n1', 1, 'S', 'basic', 0, 'q?', 'a.', 'h',"
        " '/decks/old.md', 3, '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 2, 4, 1, 0, 12.5, 5.1,"
        " '2026-02-01 00:00:00')"
    )
    con.execute(
        "insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after)"
        " values (1, '2026-01-01 00:00:00', 3, 900, '{}', '{}')"
    )
    con.commit()
    con.close()


def test_older_database_is_migrated_in_place_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    make_first_schema_database(path)
    assert schema.current_revision(path) == "0001"
    db = Database(path)
    assert schema.current_revision(path) == schema.HEAD
    with db.read() as s:
        card = s.scalars(select(CardRow)).one()
        assert (card.question, card.stability, card.reps, card.flag, card.leech) == ("q?", 12.5, 4, 0, False)
        assert s.scalars(select(DeckRow.name)).all() == ["old"]
        assert len(s.execute(select(CardRow.id)).all()) == 1
    con = sqlite3.connect(path)
    assert con.execute("select count(*) from review_log").fetchone() == (1,)
    assert db.backup_path is not None and db.backup_path.exists()
    from studydl.store.backup import (
        find_backups,  # listed with the other backups, so `restore` takes it
    )

    assert [(b.path, b.tag) for b in find_backups(tmp_path / "backups")] == [(db.backup_path, "before-upgrade-from-0001")]
    backup = sqlite3.connect(db.backup_path)
    assert backup.execute("select version_num from alembic_version").fetchone() == ("0001",)
    assert backup.execute("select count(*) from review_log").fetchone() == (1,)


def test_database_from_a_newer_studydl_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer studydl"):
        Database(path)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk.db: the database is damaged \(file is not a database.*`studydl doctor`.*`studydl restore FILE`"):
        Database(path)


def _columns(path: Path) -> dict[str, set[tuple[str, bool]]]:
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    out = {t: {(c[1], bool(c[3])) for c in con.execute(f"pragma table_info({t})")} for t in tables}
    out["indexes"] = {(r[0], False) for r in con.execute("select name from sqlite_master where type='index' and name not like 'sqlite_%'")}
    out["triggers"] = {(r[0], False) for r in con.execute("select name from sqlite_master where type='trigger'")}
    return out


def test_fresh_database_matches_the_one_the_migrations_build(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    Database(fresh).dispose()
    migrated = tmp_path / "migrated.db"
    schema.upgrade(create_engine(f"sqlite:///{migrated}"))
    assert _columns(fresh) == _columns(migrated)
    assert len(_columns(fresh)["triggers"]) == 13  # the shared log's notes of changes (store/sync_triggers.py)


def test_0004_keys_existing_decks_by_root_and_relative_path_and_a_sync_keeps_their_cards(tmp_path: Path) -> None:
    """A 0003 database (absolute source paths) migrated, then synced: the same decks, cards and history."""
    from studydl.decks.sync import sync_decks
    from studydl.home import Home

    home = Home(tmp_path / "home").ensure()
    mine = home.decks_dir / "sub" / "mine.md"
    notes = tmp_path / "notes" / "rnn.md"
    for path, text in ((mine, "relu :: max(0, x)\n"), (notes, "bptt :: backprop through time\n")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    schema.upgrade(create_engine(f"sqlite:///{home.db_path}"), "0003")
    con = sqlite3.connect(home.db_path)
    for deck_id, (path, question, answer) in enumerate(((mine, "relu", "max(0, x)"), (notes, "bptt", "backprop through time")), 1):
        con.execute("insert into decks (id, name, source_path) values (?, ?, ?)", (deck_id, path.stem, str(path)))
        con.execute(
            "insert into cards (id, uid, explicit, note_uid, deck_id, section, kind, ordinal, question, answer, content_hash,"
            " source_path, source_line, tags, retired, created_at, updated_at, state, reps, lapses, suspended)"
            " values (?, ?, 0, ?, ?, '', 'term', 0, ?, ?, 'old-hash', ?, 1, '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 2, 3, 0, 0)",
            (deck_id, f"u{deck_id}", f"n{deck_id}", deck_id, question, answer, str(path)),
        )
        con.execute("insert into review_log (card_id, reviewed_at, rating, state_before, state_after) values (?, '2026-01-01', 3, '{}', '{}')", (deck_id,))
    con.commit()
    con.close()
    db = home.open_db()
    with db.read() as s:
        keys = {(d.root, d.rel_path, d.path) for d in s.scalars(select(DeckRow))}
    assert keys == {("home", "sub/mine.md", str(mine)), ("dir:notes", "rnn.md", str(notes))}
    assert "source_path" not in {c[1] for c in sqlite3.connect(home.db_path).execute("pragma table_info(cards)")}
    report = sync_decks(db, [home.decks_dir, notes.parent], roots=home.named_roots())
    assert report.ok and not report.added and not report.retired
    with db.read() as s:
        assert sorted((c.id, c.uid, c.reps) for c in s.scalars(select(CardRow))) == [(1, "u1", 3), (2, "u2", 3)]
    db.dispose()


def test_0004_knows_the_bundled_decks_of_an_earlier_install_elsewhere(tmp_path: Path) -> None:
    """Bundled decks first synced from another clone or venv keep their history after the upgrade.

    An old database names them by that install's absolute path; 0004 must key them
    `bundled`, or the next sync adds every bundled card again, new, beside the old ones.
    """
    import shutil

    from studydl.decks.sync import sync_decks
    from studydl.home import Home
    from studydl.resources import bundled_decks_dir

    home = Home(tmp_path / "home").ensure()
    elsewhere = tmp_path / "old-clone" / "decks"  # gone after the upgrade: only the table knows it
    bundled = sorted(bundled_decks_dir().glob("*.md"))
    mine = tmp_path / "mine" / "cnn.md"  # one file named like a bundled deck, in the learner's own folder
    mine.parent.mkdir()
    shutil.copy(bundled[0], mine)
    schema.upgrade(create_engine(f"sqlite:///{home.db_path}"), "0003")
    con = sqlite3.connect(home.db_path)
    for deck_id, path in enumerate([*(elsewhere / p.name for p in bundled), mine], 1):
        con.execute("insert into decks (id, name, source_path) values (?, ?, ?)", (deck_id, path.stem, str(path)))
    con.commit()
    con.close()
    db = home.open_db()
    with db.read() as s:
        roots = {(d.root, d.rel_path) for d in s.scalars(select(DeckRow))}
    assert roots == {*(("bundled", p.name) for p in bundled), ("dir:mine", "cnn.md")}
    report = sync_decks(db, home.deck_roots(), roots=home.named_roots())
    assert report.ok
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DeckRow).where(DeckRow.root == "bundled")) == len(bundled)
    db.dispose()
