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

import json
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from studydl.store.hot import HotSQL

ANSWER, UNDO, CARD, SETTING = "answer", "undo", "card", "setting"
KINDS = (ANSWER, UNDO, CARD, SETTING)

DEVICE_KEY, NAME_KEY, CURSOR_KEY = "device", "device_name", "pulled_to"
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
    """This device's id in the shared log (made on first use, inside a write transaction)."""
    found = state(con, DEVICE_KEY)
    if found is None:
        found = new_id()
        set_state(con, DEVICE_KEY, found)
        set_state(con, NAME_KEY, socket.gethostname() or "device")
    return found


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
