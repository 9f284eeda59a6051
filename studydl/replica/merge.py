"""Other devices' events into this device's store, in one write transaction per batch.

Answers are a set: one not in the review log yet (by its id) is added, unless an undo
of it is known; an undo removes its answer wherever and whenever it arrives, and keeps
it from being added later. Every card whose answers changed is replayed
(`cards.replay_card`). A card change or a setting is taken when it is the newest event
for its field or document. An event for a card this device does not have (its deck not
synced here yet) waits, and is tried again at every merge.

What this device changed before the merge is captured first, in the same transaction:
the notes the merge's own writes leave behind (store/sync_triggers.py) are then only
its own, and are dropped, so nothing pulled is pushed back as a change of this device.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from studydl.engine.presets import read_settings
from studydl.replica import documents
from studydl.replica.capture import capture, newest_settings
from studydl.replica.cards import apply_fields, find_card, replay_card
from studydl.replica.events import ANSWER, CARD, SETTING, UNDO, Event, insert_local, row_event
from studydl.store.hot import HotSQL


@dataclass
class MergeReport:
    """What a merge changed in this device's store."""

    answers: int = 0
    """Answers added to the review log."""
    undone: int = 0
    """Answers removed by an undo made on another device."""
    cards: int = 0
    """Cards whose state was replayed or whose suspend, flag or bury changed."""
    settings: int = 0
    """Settings, presets and decks' options changed."""
    waiting: int = 0
    """Events for cards this device does not have (yet)."""

    def add(self, other: MergeReport) -> None:
        self.answers += other.answers
        self.undone += other.undone
        self.cards += other.cards
        self.settings += other.settings
        self.waiting = other.waiting


def merge(con: HotSQL, events: list[Event]) -> MergeReport:
    """Take these events (pulled from the server) into the store, with any still waiting."""
    capture(con)
    for event in events:
        insert_local(con, event, None, pushed=True, applied=False)
    report = apply_waiting(con)
    con.execute("DELETE FROM sync_marks")
    return report


def apply_waiting(con: HotSQL) -> MergeReport:
    """Apply every event not applied yet; what changed."""
    rows = con.execute("SELECT id, device, at, kind, card, body FROM sync_events WHERE applied = 0").fetchall()
    pending = [row_event(con, row) for row in rows]
    report = MergeReport()
    if not pending:
        return report
    by_kind: dict[str, list[Event]] = {kind: [] for kind in (SETTING, ANSWER, UNDO, CARD)}
    for event in pending:
        by_kind.setdefault(event.kind, []).append(event)
    report.settings = _settings(con, by_kind[SETTING])
    replay: dict[int, tuple[datetime, str]] = {}
    """Card -> the earliest (time, event id) of its log that changed: it is replayed from there."""
    changed: set[int] = set()
    for event in by_kind[ANSWER]:
        card_id = find_card(con, event.card, event.body)
        if card_id is None:
            continue
        if _add_answer(con, event, card_id):
            report.answers += 1
            _changed_from(replay, card_id, (event.at, event.id))
        _applied(con, event, card_id)
    for event in by_kind[UNDO]:
        target = event.body.get("target")
        found = con.execute("SELECT id, card_id, reviewed_at FROM review_log WHERE event_id = ?", (target,)).fetchone()
        if found is not None:
            con.execute("DELETE FROM review_log WHERE id = ?", (found[0],))
            report.undone += 1
            _changed_from(replay, int(found[1]), (con.from_db(found[2]), target))
        _applied(con, event, found[1] if found is not None else None)
    for event in by_kind[CARD]:
        card_id = find_card(con, event.card, event.body)
        if card_id is not None:
            changed.add(card_id)
            _applied(con, event, card_id)
    if replay:
        settings, _ = read_settings(con)
        for card_id, since in sorted(replay.items()):
            replay_card(con, card_id, settings, since)
    for card_id in sorted(changed - replay.keys()):
        apply_fields(con, card_id)
    report.cards = len(replay.keys() | changed)
    report.waiting = int(con.execute("SELECT count(*) FROM sync_events WHERE applied = 0").fetchone()[0])
    return report


def _changed_from(replay: dict[int, tuple[datetime, str]], card_id: int, key: tuple[datetime, str]) -> None:
    if card_id not in replay or key < replay[card_id]:
        replay[card_id] = key


def _applied(con: HotSQL, event: Event, card_id: int | None) -> None:
    con.execute("UPDATE sync_events SET applied = TRUE, card_id = ? WHERE id = ?", (card_id, event.id))


def _add_answer(con: HotSQL, event: Event, card_id: int) -> bool:
    """Add the answer to the review log; False when it is there already or was undone."""
    if con.execute("SELECT 1 FROM sync_events WHERE kind = ? AND target = ?", (UNDO, event.id)).fetchone() is not None:
        return False
    if con.execute("SELECT 1 FROM review_log WHERE event_id = ?", (event.id,)).fetchone() is not None:
        return False
    body = event.body
    detail = json.dumps(body["detail"], sort_keys=True) if body.get("detail") else None
    con.execute(
        "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after, kind, detail, event_id)"
        " VALUES (?, ?, ?, ?, '{}', '{}', ?, ?, ?)",
        (card_id, con.to_db(event.at), int(body["rating"]), body.get("duration_ms"), body.get("kind") or "scheduled", detail, event.id),
    )
    return True


def _settings(con: HotSQL, events: list[Event]) -> int:
    """Write the newest value of each field of each document these events touch; how many documents changed."""
    touched = {documents.split(e.target)[0] for e in events if e.target}
    changed = 0
    for document in sorted((d for d in touched if d[:2] in documents.ORDER), key=lambda d: (documents.ORDER[d[:2]], d)):
        before = documents.fields(con, document)
        documents.write(con, document, newest_settings(con, document))
        changed += documents.fields(con, document) != before
    for event in events:
        _applied(con, event, None)
    return changed
