"""Copy a whole collection into an empty database: the home's SQLite file to a server, or back.

Decks, cards (text and scheduling state), the review log, the settings and presets, rows and
ids unchanged, in one transaction on the target holding its write lock: a failed copy
leaves the target as empty as it was. The source is read in one snapshot while it
stays usable (another device can keep reviewing on it; those answers are not copied).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from studydl.domain.errors import StoreError
from studydl.store.bulk import bulk_insert, continue_ids
from studydl.store.db import Database
from studydl.store.hot import hot_for
from studydl.store.models import Base

TABLES = ("decks", "cards", "review_log", "settings", "presets", "deck_options")
"""In the order foreign keys need."""

BATCH = 5000


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]
    """Rows copied per table."""


def copy_collection(source: Database, target: Database) -> CopyReport:
    """Every row of `source` into `target`, which must hold no cards, decks, answers or settings."""
    if source.location == target.location:
        raise StoreError(f"{target.location} is the database being copied")
    tables = [Base.metadata.tables[name] for name in TABLES]
    copied: dict[str, int] = {}
    with target.write() as t, source.read() as s:
        for table in tables:
            if t.execute(select(func.count()).select_from(table)).scalar():
                raise StoreError(f"{target.location} already holds a collection ({table.name} has rows); copy into an empty one")
        con = hot_for(t)
        for table in tables:
            columns = [c.name for c in table.columns]
            result = s.execute(select(*table.columns).order_by(table.primary_key.columns.values()[0]).execution_options(yield_per=BATCH))
            copied[table.name] = bulk_insert(con, table.name, columns, (tuple(row) for row in result))
            if "id" in columns:
                continue_ids(con, table.name)
    return CopyReport(copied)
