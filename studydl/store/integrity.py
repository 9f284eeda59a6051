"""Checks of a database file below the scheduling level: SQLite's integrity check, and orphaned rows.

An orphan is a row that points at something gone: a review whose card was
deleted, a card whose deck row is gone. The foreign keys forbid them, but
foreign keys are only enforced on connections that turn them on, so a copy
edited with another tool (or an old bug) can hold them. They are reported,
never deleted: the review log is the learner's history.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

MAX_LISTED = 10
"""At most this many example ids per finding."""


@dataclass(frozen=True)
class Finding:
    """One kind of orphaned or invalid row: how many, and the first few ids."""

    what: str
    count: int
    examples: tuple[int | str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        listed = ", ".join(str(e) for e in self.examples)
        more = f", ... ({self.count - len(self.examples)} more)" if self.count > len(self.examples) else ""
        return f"{self.count} {self.what}" + (f": {listed}{more}" if listed else "")


def integrity_problems(path: Path, limit: int = 20) -> list[str]:
    """SQLite's `PRAGMA integrity_check` lines (empty when the file is whole).

    Raises sqlite3.DatabaseError when SQLite cannot read the file at all.
    """
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        lines = [row[0] for row in con.execute(f"PRAGMA integrity_check({int(limit)})")]
    return [] if lines == ["ok"] else lines


_ORPHAN_QUERIES: list[tuple[str, str, str]] = [
    (
        "review log rows whose card is gone (card ids)",
        "select count(*) from review_log r left join cards c on c.id = r.card_id where c.id is null",
        "select distinct r.card_id from review_log r left join cards c on c.id = r.card_id where c.id is null order by 1",
    ),
    (
        "cards whose deck is gone (card ids)",
        "select count(*) from cards c left join decks d on d.id = c.deck_id where d.id is null",
        "select c.id from cards c left join decks d on d.id = c.deck_id where d.id is null order by 1",
    ),
    (
        "review log rows with a rating outside 1-4 (row ids)",
        "select count(*) from review_log where rating not between 1 and 4",
        "select id from review_log where rating not between 1 and 4 order by 1",
    ),
    (
        "review log rows whose saved state is not JSON (row ids)",
        "select count(*) from review_log where not json_valid(state_before) or not json_valid(state_after)",
        "select id from review_log where not json_valid(state_before) or not json_valid(state_after) order by 1",
    ),
]


def find_orphans(path: Path) -> list[Finding]:
    """Orphaned and invalid rows, by kind (only kinds that occur)."""
    findings = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        for what, count_sql, list_sql in _ORPHAN_QUERIES:
            count = con.execute(count_sql).fetchone()[0]
            if count:
                examples = tuple(row[0] for row in con.execute(f"{list_sql} limit {MAX_LISTED}"))
                findings.append(Finding(what, count, examples))
    return findings


def decks_without_files(path: Path) -> Finding | None:
    """Decks with cards in study whose Markdown file is gone (a note, not damage: sync retires them)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        rows = con.execute(
            "select d.path from decks d where exists (select 1 from cards c where c.deck_id = d.id and not c.retired)"
        ).fetchall()
    gone = sorted(source for (source,) in rows if not Path(source).exists())
    if not gone:
        return None
    return Finding("decks whose file is gone (their cards are retired when the folder is synced)", len(gone), tuple(gone[:MAX_LISTED]))
