"""Helpers for identity tests on a real SQLite file: sync, find a card, give it history, count it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from studydl.decks.roots import DeckRoots
from studydl.decks.sync import SyncReport, sync_decks
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def sync(db: Database, *paths: Path, roots: DeckRoots | None = None, ok: bool = True) -> SyncReport:
    report = sync_decks(db, list(paths), roots=roots, clock=lambda: NOW)
    if ok:
        assert report.ok, report.errors
    return report


def cards(db: Database, text: str, retired: bool | None = None) -> list[CardRow]:
    query = select(CardRow).where(CardRow.question.contains(text)).order_by(CardRow.id)
    if retired is not None:
        query = query.where(CardRow.retired.is_(retired))
    with db.read() as s:
        return list(s.scalars(query))


def card(db: Database, text: str, retired: bool | None = None) -> CardRow:
    rows = cards(db, text, retired)
    assert len(rows) == 1, [(r.question, r.retired) for r in rows]
    return rows[0]


def deck_of(db: Database, path: Path) -> DeckRow:
    with db.read() as s:
        return s.scalars(select(DeckRow).where(DeckRow.path == str(path.resolve()))).one()


def review(db: Database, card_id: int) -> None:
    """A review recorded in the log, as the engine writes it: history that must survive edits."""
    with db.write() as s:
        s.add(ReviewRow(card_id=card_id, reviewed_at=NOW, rating=3, duration_ms=1200, state_before=json.dumps({}), state_after=json.dumps({})))
        row = s.get(CardRow, card_id)
        row.state, row.reps = 2, row.reps + 1


def history(db: Database, card_id: int) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ReviewRow).where(ReviewRow.card_id == card_id))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def move_in_two_saves(db: Database, source: Path, target: Path, block: str, pasted: str, order: str) -> None:
    """Cut `block` (and the blank line after it) from `source`, paste `pasted` at the end of `target`:
    each file saved and synced on its own, `paste first` or `delete first`."""
    def paste() -> None:
        target.write_text(target.read_text() + "\n" + pasted)
        sync(db, target)

    def delete() -> None:
        edit(source, block + "\n", "")
        sync(db, source)

    for step in (paste, delete) if order == "paste first" else (delete, paste):
        step()
