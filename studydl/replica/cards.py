"""A card of the shared log on this device, and its state replayed from every device's answers.

A card is known by its uid, which a deck file gives (`id:`) or each device draws when it
first syncs the card: the same card can have another uid on another device. An event
names the uid it was made with and where the card was (its deck's root and path) and
its content hash, so a device finds its own card by uid, then by a uid it already
matched, then by deck file path and content (one card only; several: it waits).

Replaying a card gives it the state its scheduled answers give in time order (ties by
event id, so every device orders them alike), each answer with the fuzz of the device
that gave it (the card's id there: `seed`) and the due date the load balancer chose
there (`engine.history.replay_steps`); every review-log row gets the states before and
after it in that order, so the daily counts and the doctor read the merged history.
A card's suspend, flag and bury are the newest of their events (the last writer wins);
without any, suspended is what the answers made it (a leech).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studydl.engine import card_sql
from studydl.engine.card_memory import parse_utc
from studydl.engine.history import replay_step, starting_memory
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.engine.settings import Settings
from studydl.replica.capture import FIELDS, MEMORY_KEYS, loads_object
from studydl.replica.events import CARD
from studydl.store.hot import HotSQL


def find_card(con: HotSQL, uid: str | None, body: dict[str, Any]) -> int | None:
    """This device's card for an event's card, or None (not here yet, or more than one could be it)."""
    if uid:
        found = con.execute("SELECT id FROM cards WHERE uid = ?", (uid,)).fetchone()
        if found is None:
            found = con.execute("SELECT card_id FROM sync_events WHERE card = ? AND card_id IS NOT NULL LIMIT 1", (uid,)).fetchone()
        if found is not None:
            return int(found[0])
    deck, content = body.get("deck"), body.get("hash")
    if not deck or not content:
        return None
    root, rel_path = deck
    rows = con.execute(
        "SELECT c.id, d.root FROM cards c JOIN decks d ON d.id = c.deck_id WHERE c.content_hash = ? AND d.rel_path = ?",
        (content, rel_path),
    ).fetchall()
    exact = [card_id for card_id, found_root in rows if found_root == root]
    if len(exact) == 1:
        return int(exact[0])
    return int(rows[0][0]) if len(rows) == 1 else None


def newest_fields(con: HotSQL, card_id: int) -> dict[str, Any]:
    """The newest value of each of the card's fields that has events (the last writer wins)."""
    out = {}
    for field in FIELDS:
        found = con.execute(
            "SELECT body FROM sync_events WHERE card_id = ? AND kind = ? AND target = ?"
            " ORDER BY at DESC, device DESC, id DESC LIMIT 1",
            (card_id, CARD, field),
        ).fetchone()
        if found is not None:
            value = json.loads(found[0]).get("value")
            out[field] = parse_utc(value) if field == "buried_until" else value
    return out


def apply_fields(con: HotSQL, card_id: int) -> None:
    """Give the card the newest value of each field that has events."""
    values = newest_fields(con, card_id)
    if values:
        card_sql.write_memory(con, card_id, values)


def replay_card(con: HotSQL, card_id: int, settings: Settings, since: tuple[datetime, str] | None = None) -> Memory | None:
    """Rebuild the card's state, and its log rows' states from `since` (time, event id) on; the state (None: no such card).

    The rows before `since` keep the states they hold. An answer found in the state it
    was given in (on whichever device) takes the state it gave there (as it would again:
    the same seed, the same load balancer's choice); any other is run through FSRS.
    """
    row = card_sql.card_row(con, card_id)
    if row is None:
        return None
    scheduler = CardScheduler(settings.for_deck(card_sql.deck_name(con, row.deck_id)))
    select = (
        "SELECT r.id, r.reviewed_at, r.rating, r.kind, r.state_before, r.state_after, r.event_id, e.body FROM review_log r"
        " LEFT JOIN sync_events e ON e.id = r.event_id WHERE r.card_id = ?"
    )
    memory: Memory | None = None
    if since is not None:  # the rows before it keep their states: start from the last one's
        at, event_id = con.to_db(since[0]), since[1]
        rows = con.execute(
            select + " AND (r.reviewed_at > ? OR (r.reviewed_at = ? AND r.event_id >= ?)) ORDER BY r.reviewed_at, r.event_id, r.id",
            (card_id, at, at, event_id),
        ).fetchall()
        found = con.execute(
            "SELECT state_after FROM review_log WHERE card_id = ? AND kind = 'scheduled'"
            " AND (reviewed_at < ? OR (reviewed_at = ? AND event_id < ?)) ORDER BY reviewed_at DESC, event_id DESC, id DESC LIMIT 1",
            (card_id, at, at, event_id),
        ).fetchone()
        if found is not None:
            memory = Memory.from_dict(loads_object(found[0]))
    else:
        rows = con.execute(select + " ORDER BY r.reviewed_at, r.event_id, r.id", (card_id,)).fetchall()
    logs = [_Row(i, con.from_db(at), int(rating), kind, before, after, event_id or "", json.loads(body) if body else None)
            for i, at, rating, kind, before, after, event_id, body in rows]  # fmt: skip
    if memory is None:
        scheduled = [log for log in logs if log.kind == "scheduled"]
        memory = _start(scheduled[0]) if scheduled else Memory()
    updates = []
    for log in logs:
        before = memory
        if log.kind == "scheduled":
            memory = _answered(scheduler, card_id, memory, log)
        updates.append((_with(before, log.before), _with(memory, log.after), log.id))
    con.executemany("UPDATE review_log SET state_before = ?, state_after = ? WHERE id = ?", updates)
    columns = memory.columns()
    columns.update(newest_fields(con, card_id))
    card_sql.write_memory(con, card_id, columns)
    return memory


@dataclass(frozen=True)
class _Row:
    id: int
    at: datetime
    rating: int
    kind: str
    before: str
    after: str
    event_id: str
    body: dict[str, Any] | None


def _answered(scheduler: CardScheduler, card_id: int, memory: Memory, log: _Row) -> Memory:
    """The state after one answer: as it was given, when found in the state it was given in; else FSRS's."""
    body = log.body or {}
    if "before" in body and "after" in body and Memory.from_dict(body["before"]) == memory:
        return Memory.from_dict(body["after"])
    due = (body.get("after") or loads_object(log.after)).get("due")
    return replay_step(scheduler, int(body.get("seed") or card_id), memory, log.rating, log.at, parse_utc(due) if isinstance(due, str) else None)


def _start(first: _Row) -> Memory:
    """The state the card's first answer found it in: new, unless an imported history begins mid-way."""
    if first.body is not None:
        start = first.body.get("start")
        return starting_memory(json.dumps(start)) if start else Memory()
    return starting_memory(first.before)


def _with(memory: Memory, old_json: str | None) -> str:
    """The state as a log row keeps it, with what else the row had noted (siblings buried, an import)."""
    extra = {k: v for k, v in loads_object(old_json).items() if k not in (*MEMORY_KEYS, "leech", "suspended")}
    return memory.to_json(**extra)
