"""What changed on this device, as events of the shared log (inside a write transaction).

Answers are read from the review log: every row without an `event_id` gets one and
becomes an `answer` event. The id is made from the device and the row (so two copies of
a home holding the same answer give it the same id: the server takes it once), and an
answer given before the home was copied or moved keeps the device it was given on. Everything else was noted by the store's triggers
(store/sync_triggers.py) in `sync_marks`: an undone answer that had an id becomes an
`undo` event, a card's suspend, flag or bury a `card` event, a setting, preset or deck
option a `setting` event, each with the value it has now and the time of the change.
A value equal to the newest one the log already holds for it makes no event.

The first capture of a store (when the device gets its id) also notes the settings it
already had, dated 1970: a device with its own settings joining the log brings them,
and any change made since on another device wins over them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from studydl.replica import documents
from studydl.replica.events import (
    ANSWER,
    CARD,
    DEVICE_KEY,
    SETTING,
    UNDO,
    Event,
    answer_id,
    device_id,
    earlier_devices,
    insert_local,
    new_id,
    state,
    utc,
)
from studydl.store.hot import HotSQL

FIELDS = ("suspended", "flag", "buried_until")
"""A card's fields that are events of their own (the rest of its state follows from its answers)."""
SEEDED_AT = "1970-01-01 00:00:00.000"
MEMORY_KEYS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def capture(con: HotSQL) -> int:
    """Turn this device's new answers and noted changes into events; how many were made."""
    if state(con, DEVICE_KEY) is None:
        device = device_id(con)
        for key in documents.every_document(con):
            con.execute("INSERT OR IGNORE INTO sync_marks (key, at) VALUES (?, ?)", (key, SEEDED_AT))
    else:
        device = device_id(con)
    made = _answers(con, device)
    for key, at in con.execute("SELECT key, at FROM sync_marks ORDER BY at, key").fetchall():
        made += _mark(con, device, key, utc(at))
    con.execute("DELETE FROM sync_marks")
    return made


def _answers(con: HotSQL, device: str) -> int:
    rows = con.execute(
        "SELECT r.id, r.card_id, r.reviewed_at, r.rating, r.duration_ms, r.kind, r.detail, r.state_before, r.state_after,"
        " c.uid, c.content_hash, d.root, d.rel_path FROM review_log r JOIN cards c ON c.id = r.card_id"
        " JOIN decks d ON d.id = c.deck_id WHERE r.event_id IS NULL ORDER BY r.id"
    ).fetchall()
    earlier = earlier_devices(con)
    for review_id, card_id, at, rating, duration_ms, kind, detail, before, after, uid, content, root, rel_path in rows:
        state_before, state_after = loads_object(before), loads_object(after)
        body: dict[str, Any] = {
            "rating": int(rating), "duration_ms": duration_ms, "kind": kind, "detail": json.loads(detail) if detail else None,
            "seed": int(card_id), "deck": [root, rel_path], "hash": content,
            "before": _memory(state_before), "after": _memory(state_after),
        }  # fmt: skip
        if state_after.get("imported") and int(state_before.get("state") or 0) != 0:
            body["start"] = _memory(state_before)
        by = next((old for old, last_row in earlier if review_id <= last_row), device)  # given before a copy
        event = Event(answer_id(by, review_id, str(at), uid, int(rating)), by, con.from_db(at), ANSWER, uid, body)
        con.execute("UPDATE review_log SET event_id = ? WHERE id = ?", (event.id, review_id))
        insert_local(con, event, card_id, pushed=False, applied=True)
    return len(rows)


def _memory(state: dict[str, Any]) -> dict[str, Any]:
    """The scheduling state of a log row's JSON (without what else the row noted)."""
    return {key: state[key] for key in (*MEMORY_KEYS, "leech", "suspended") if key in state}


def loads_object(text: str | None) -> dict[str, Any]:
    """A JSON object's text as a dict ({} for anything else)."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _mark(con: HotSQL, device: str, key: str, at: datetime) -> int:
    """The event a note stands for (0 or 1 made)."""
    kind, _, rest = key.partition(":")
    if kind == "u":
        found = con.execute("SELECT card, card_id FROM sync_events WHERE id = ?", (rest,)).fetchone()
        uid, card_id = found if found is not None else (None, None)
        insert_local(con, Event(new_id(), device, at, UNDO, uid, {"target": rest}), card_id, pushed=False, applied=True)
        return 1
    if kind == "c":
        card, _, field = rest.partition(":")
        return _card_change(con, device, int(card), field, at)
    known = newest_settings(con, key)
    made = 0
    for field, value in documents.fields(con, key).items():
        if field in known and known[field] == value:
            continue
        if field not in known and value is None:  # (a field nobody set, still unset)
            continue
        body = {"key": documents.target(key, field), "value": value}
        insert_local(con, Event(new_id(), device, at, SETTING, None, body), None, pushed=False, applied=True)
        made += 1
    for field in known.keys() - documents.fields(con, key).keys():  # an option no longer there
        if known[field] is not None:
            body = {"key": documents.target(key, field), "value": None}
            insert_local(con, Event(new_id(), device, at, SETTING, None, body), None, pushed=False, applied=True)
            made += 1
    return made


def newest_settings(con: HotSQL, document: str) -> dict[str, Any]:
    """The newest value the log holds of each field of a document."""
    newest: dict[str, tuple[tuple[str, str, str], Any]] = {}
    rows = con.execute(
        "SELECT target, at, device, id, body FROM sync_events WHERE kind = ? AND target >= ? AND target < ?",
        (SETTING, document + documents.SEPARATOR, document + chr(ord(documents.SEPARATOR) + 1)),
    ).fetchall()
    for name, at, device, event_id, body in rows:
        field = documents.split(name)[1]
        order = (str(at), device, event_id)
        if field not in newest or order > newest[field][0]:
            newest[field] = (order, json.loads(body).get("value"))
    return {field: value for field, (_, value) in newest.items()}


def _card_change(con: HotSQL, device: str, card_id: int, field: str, at: datetime) -> int:
    if field not in FIELDS:
        return 0
    found = con.execute(
        f"SELECT c.{field}, c.uid, c.content_hash, d.root, d.rel_path FROM cards c JOIN decks d ON d.id = c.deck_id"
        " WHERE c.id = ?",
        (card_id,),
    ).fetchone()
    if found is None:
        return 0
    raw, uid, content, root, rel_path = found
    value = field_value(con, field, raw)
    if _newest_value(con, CARD, field, card_id) == (True, value):
        return 0
    body = {"field": field, "value": value, "deck": [root, rel_path], "hash": content}
    insert_local(con, Event(new_id(), device, at, CARD, uid, body), card_id, pushed=False, applied=True)
    return 1


def field_value(con: HotSQL, field: str, raw: Any) -> Any:
    """A card field's stored value as an event carries it (a bool, an int, an ISO time or None)."""
    if field == "suspended":
        return bool(raw)
    if field == "flag":
        return int(raw or 0)
    when = con.from_db(raw)
    return when.astimezone(UTC).isoformat() if when is not None else None


def _newest_value(con: HotSQL, kind: str, target: str, card_id: int | None) -> tuple[bool, Any]:
    """(whether the log holds one, the newest value) of a document or a card's field."""
    where = "kind = ? AND target = ?" + (" AND card_id = ?" if card_id is not None else "")
    params = (kind, target, card_id) if card_id is not None else (kind, target)
    found = con.execute(
        f"SELECT body FROM sync_events WHERE {where} ORDER BY at DESC, device DESC, id DESC LIMIT 1", params
    ).fetchone()
    return (True, json.loads(found[0]).get("value")) if found else (False, None)

