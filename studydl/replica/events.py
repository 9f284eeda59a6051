"""An event of the shared log, this device's identity in it, and how far it has pulled.

The server holds events as `(id, device, at, kind, card, body)`; `body` is JSON:

- `answer`: rating, duration_ms, kind (`scheduled` or `cram`), detail (a typed or
  predicted answer), seed (the card's id on the answering device: its fuzz), before and
  after (the card's state as the answer found and left it there: a device finding the
  card in the same state takes the same result, the load balancer's choice included),
  deck and hash (where the card is and its content, to find it on a device where it has
  another uid), start (the state an imported history begins in, when not new);
- `undo`: target (the answer's id);
- `card`: field (`suspended`, `flag`, `buried_until`), value, deck, hash;
- `setting`: key (`s:NAME` a setting, `p:NAME` a preset, `d:DECK` a deck's options), value.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from studydl.store.hot import HotSQL, SqliteHot

ANSWER, UNDO, CARD, SETTING = "answer", "undo", "card", "setting"
KINDS = (ANSWER, UNDO, CARD, SETTING)

DEVICE_KEY, NAME_KEY, CURSOR_KEY = "device", "device_name", "pulled_to"
WHERE_KEY, BEFORE_KEY = "device_where", "device_before"
_TARGET = {UNDO: "target", CARD: "field", SETTING: "key"}


@dataclass(frozen=True)
class Event:
    """One event, as the server holds it."""

    id: str
    device: str
    at: datetime
    kind: str
    card: str | None
    body: dict[str, Any]

    @property
    def target(self) -> str | None:
        """What a later event of the kind replaces or removes (see SyncEventRow.target)."""
        name = _TARGET.get(self.kind)
        return self.body.get(name) if name else None

    def order(self) -> tuple[datetime, str, str]:
        """Last writer wins by this: the time, then the device, then the id (never equal for two events)."""
        return (self.at, self.device, self.id)


def new_id() -> str:
    """A new event or device id: random, so a restored backup or a copied home never reuses one."""
    return uuid.uuid4().hex


def body_json(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def state(con: HotSQL, key: str) -> str | None:
    found = con.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return found[0] if found else None


def set_state(con: HotSQL, key: str, value: str) -> None:
    con.execute("DELETE FROM sync_state WHERE key = ?", (key,))
    con.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (key, value))


def device_id(con: HotSQL) -> str:
    """This device's id in the shared log (made on first use, inside a write transaction).

    A store found somewhere else than where it got its id (a home copied to another
    machine or folder, or moved) gets a new id: two copies of one home are two devices.
    What it held from before goes on under the id it had then (`earlier_devices`).
    """
    found, where = state(con, DEVICE_KEY), _where(con)
    known_where = state(con, WHERE_KEY)
    if found is None:
        found = new_id()
        set_state(con, DEVICE_KEY, found)
        set_state(con, NAME_KEY, socket.gethostname() or "device")
    elif where is not None and known_where not in (None, where):
        last_row = con.execute("SELECT coalesce(max(id), 0) FROM review_log").fetchone()[0]
        set_state(con, BEFORE_KEY, json.dumps([*earlier_devices(con), [found, int(last_row)]]))
        found = new_id()
        set_state(con, DEVICE_KEY, found)
        set_state(con, NAME_KEY, socket.gethostname() or "device")
    if where is not None and where != known_where:
        set_state(con, WHERE_KEY, where)
    return found


def earlier_devices(con: HotSQL) -> list[tuple[str, int]]:
    """The ids this store answered under before it was copied or moved, oldest first, each with the
    last review-log row it holds from that time."""
    return [(device, int(last)) for device, last in json.loads(state(con, BEFORE_KEY) or "[]")]


def _where(con: HotSQL) -> str | None:
    """Where this store is: its file's real path and inode (None for a server's database or one in memory)."""
    if not isinstance(con, SqliteHot):
        return None
    path = next((row[2] for row in con.execute("PRAGMA database_list").fetchall() if row[1] == "main"), "")
    if not path:
        return None
    try:
        return f"{os.path.realpath(path)}:{os.stat(path).st_ino}"
    except OSError:
        return None


def answer_id(device: str, review_id: int, at: str, card: str, rating: int) -> str:
    """An answer's event id, the same on every copy of a home that holds the answer (so the server takes it once)."""
    return hashlib.sha256(f"{device}|{review_id}|{at}|{card}|{rating}".encode()).hexdigest()[:32]


def insert_local(con: HotSQL, event: Event, card_id: int | None, *, pushed: bool, applied: bool) -> bool:
    """Keep an event in this device's copy of the log; False when it was already there."""
    cursor = con.execute(
        "INSERT INTO sync_events (id, device, at, kind, card, target, body, card_id, pushed, applied)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        (event.id, event.device, con.to_db(event.at), event.kind, event.card, event.target, body_json(event.body),
         card_id, pushed, applied),
    )
    return cursor.rowcount > 0


def row_event(con: HotSQL, row: tuple[Any, ...]) -> Event:
    """An Event from a `sync_events` row's (id, device, at, kind, card, body)."""
    event_id, device, at, kind, card, body = row
    return Event(event_id, device, con.from_db(at), kind, card, json.loads(body))


def utc(text: str) -> datetime:
    """A stored UTC time (SQLite's `YYYY-MM-DD HH:MM:SS.SSS`, or ISO with a zone) as an aware datetime."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
