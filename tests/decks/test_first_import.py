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
