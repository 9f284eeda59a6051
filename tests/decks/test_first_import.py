"""A first sync into an empty store (bulk path) writes exactly what the card-by-card sync wrote.

The golden file was written by main's code before the bulk path existed (the same folder,
the same clock); regenerate it only for a deliberate change of what a sync stores:
`STUDYDL_WRITE_GOLDEN=1 .venv/bin/pytest -n 0 tests/decks/test_first_import.py`.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from studydl.decks.sync import SyncReport, sync_decks
from studydl.store.db import Database
from tests.decks.first_import_helpers import store_content, write_folder

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden" / "first_import.json"


def _report(report: SyncReport, folder: Path) -> dict[str, list[str]]:
    keys = ("added", "synced", "decks", "reworded", "changed", "moved", "retired", "restored", "errors")
    return {k: [str(x).replace(str(folder), "FOLDER") for x in getattr(report, k)] for k in keys}


def _lines(content: dict[str, list]) -> list[str]:
    """One JSON line per table row (a diff shows the row that differs)."""
    return [json.dumps([table, row], sort_keys=True, default=str) for table in sorted(content) for row in content[table]]


def test_first_sync_stores_exactly_what_main_stored(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "decks")
    db = Database(tmp_path / "store.db")
    report = sync_decks(db, [folder], clock=lambda: NOW)
    db.dispose()
    assert report.ok, report.errors
    content = store_content(tmp_path / "store.db", folder)
    content["report"] = [_report(report, folder)]
    lines = _lines(content)
    if os.environ.get("STUDYDL_WRITE_GOLDEN"):
        GOLDEN.write_text("\n".join(lines) + "\n")
    assert lines == GOLDEN.read_text().splitlines()


def _traced(db: Database) -> list[str]:
    """Every statement SQLite runs on the connections SQLAlchemy hands out (the sync's writes)."""
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(db.engine, "checkout", lambda con, _record, _proxy: con.set_trace_callback(statements.append))
    return statements


def test_a_first_sync_builds_the_cards_indexes_after_loading_them(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "decks", generated=120)
    db = Database(tmp_path / "store.db")
    statements = _traced(db)
    report = sync_decks(db, [folder], clock=lambda: NOW)
    inserts = [n for n, sql in enumerate(statements) if sql.startswith("INSERT INTO cards")]
    creates = [n for n, sql in enumerate(statements) if sql.startswith("CREATE INDEX") and " ON cards " in sql]
    assert len(creates) == 7, statements  # every index of the table but its UNIQUE uid's (0010 added two)
    assert inserts and min(creates) > max(inserts)
    assert len(inserts) == len(report.added) > 100  # the trace shows each row of the executemany
    assert any(sql.startswith("PRAGMA cache_size = -") for sql in statements[: min(inserts)])  # a larger cache for the load
    with db.engine.connect() as con:
        assert con.exec_driver_sql("PRAGMA cache_size").scalar() == -2000  # and SQLite's default again after it

    statements.clear()  # a store with cards keeps its indexes
    (folder / "more.md").write_text("new :: card\n")
    sync_decks(db, [folder], clock=lambda: NOW)
    assert not [sql for sql in statements if "INDEX" in sql]
    db.dispose()


def test_a_first_sync_that_fails_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    folder = write_folder(tmp_path / "decks")
    db = Database(tmp_path / "store.db")
    db.dispose()
    before = store_content(tmp_path / "store.db", folder)
    con = sqlite3.connect(tmp_path / "store.db")
    con.execute("CREATE TRIGGER boom BEFORE INSERT ON cards WHEN NEW.question LIKE '%number 99 %' BEGIN SELECT RAISE(ABORT, 'boom'); END")
    con.commit()
    con.close()
    db = Database(tmp_path / "store.db")
    with pytest.raises(Exception, match="boom"):
        sync_decks(db, [folder], clock=lambda: NOW)
    db.dispose()
    after = store_content(tmp_path / "store.db", folder)
    after["schema"] = [row for row in after["schema"] if row[1] != "boom"]
    assert after == before


def test_a_sync_runs_without_the_cyclic_collector(tmp_path: Path) -> None:
    """Its full passes over every card object made a large sync grow faster than its cards."""
    import gc

    folder = write_folder(tmp_path / "decks", generated=3000, per_file=500)
    db = Database(tmp_path / "store.db")
    passes: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(note)
    try:
        report = sync_decks(db, [folder], clock=lambda: NOW)
    finally:
        gc.callbacks.remove(note)
    db.dispose()
    assert len(report.added) > 3000
    assert len(passes) <= 1  # at most one, as the sync ends and the collector is back
    assert gc.isenabled()
