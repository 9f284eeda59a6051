"""The shared log on a PostgreSQL server: two plain tables, no studydl code on the server.

One schema per learner (the URL's `options=-csearch_path=NAME`, or the database's
default schema): the server's own privileges keep learners apart, `pg_dump -n NAME`
backs one learner up, and no row needs a learner column for a policy to filter on
(row-level security would need a role per learner anyway, for its policy to know who is
asking: a schema per role gives the same separation with nothing to get wrong).

`events.id` is unique: a push sent twice, or cut off and sent again, adds each event
once. `pos` numbers the events in the order the server took them; a device pulls what
is after the last `pos` it merged. Pushes take the schema's advisory lock, so events
are numbered in the order they commit, and a pull never skips one still committing.
The tables are created by the first device that syncs (SCHEMA, also in docs/devices.md
for a server administrator to run by hand).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from studydl.domain.errors import StoreError, StoreUnreachable
from studydl.replica.events import Event
from studydl.store.location import DbLocation

SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS events (
    pos    bigserial PRIMARY KEY,
    id     text NOT NULL UNIQUE,
    device text NOT NULL REFERENCES devices (id),
    at     timestamptz NOT NULL,
    kind   text NOT NULL,
    card   text,
    body   jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS events_device ON events (device);
"""
LOCK = "SELECT pg_advisory_xact_lock(21332, hashtext(current_schema()))"
"""Serializes pushes (and the first creation of the tables) per learner's schema."""

CONNECT_TIMEOUT_S = 3
"""How long a sync waits for the server to answer a connection: a device away from it never waits longer."""

_PUSH = (
    "INSERT INTO events (id, device, at, kind, card, body)"
    " SELECT id, %s, at, kind, card, CAST(body AS jsonb)"
    " FROM unnest(%s::text[], %s::timestamptz[], %s::text[], %s::text[], %s::text[]) AS t(id, at, kind, card, body)"
    " ON CONFLICT (id) DO NOTHING"
)


def _reason(exc: BaseException) -> str:
    from studydl.store.pg_backend import _reason as reason

    return reason(exc)


class SharedLog:
    """A connection to the shared log (use `open_log`)."""

    def __init__(self, con: Any, location: DbLocation) -> None:
        self.con = con
        self.location = location

    def ensure_tables(self) -> None:
        """Create the tables if this is the first device; refuse a schema that holds a collection used directly."""
        present = self.con.execute(
            "SELECT current_schema(), to_regclass('events') IS NOT NULL AND to_regclass('devices') IS NOT NULL,"
            " to_regclass('review_log') IS NOT NULL"
        ).fetchone()
        schema, ready, collection = present
        if schema is None:
            raise StoreError(f"{self.location}: no schema to use (the search_path names none that exists)")
        if ready:
            return
        if collection:
            raise StoreError(
                f"{self.location} holds a collection that devices use directly (made by `copy-to` or an older studydl):"
                " add ?studydl=direct to the URL to keep using it so, or give the shared log an empty database"
                " (docs/devices.md, 'A collection used directly')"
            )
        with self.con.transaction():
            self.con.execute(LOCK)
            self.con.execute(SCHEMA)

    def register(self, device: str, name: str, *, rename: bool = True) -> None:
        self.con.execute(
            "INSERT INTO devices (id, name) VALUES (%s, %s)"
            + (" ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, last_seen = now()" if rename else " ON CONFLICT (id) DO NOTHING"),
            (device, name),
        )

    def push(self, device: str, events: list[Event], sent: Callable[[], None] | None = None) -> int:
        """Add the events (one transaction); how many were new to the server. `sent`: called before the commit."""
        columns = (
            [e.id for e in events], [e.at for e in events], [e.kind for e in events], [e.card for e in events],
            [json.dumps(e.body, sort_keys=True) for e in events],
        )  # fmt: skip
        with self.con.transaction():
            self.con.execute(LOCK)
            added = self.con.execute(_PUSH, (device, *columns)).rowcount
            if sent is not None:
                sent()
        return int(added)

    def pull(self, after: int, limit: int, device: str, *, own: bool = False) -> list[tuple[int, Event]]:
        """Up to `limit` events after `pos` (the other devices', or with `own` this device's), in order."""
        rows = self.con.execute(
            "SELECT pos, id, device, at, kind, card, body FROM events"
            f" WHERE pos > %s AND device {'=' if own else '<>'} %s ORDER BY pos LIMIT %s",
            (after, device, limit),
        ).fetchall()
        return [(int(pos), Event(i, d, at, kind, card, body)) for pos, i, d, at, kind, card, body in rows]

    def count(self, device: str) -> int:
        """How many of this device's events the server holds."""
        return int(self.con.execute("SELECT count(*) FROM events WHERE device = %s", (device,)).fetchone()[0])

    def last_pos(self) -> int:
        return int(self.con.execute("SELECT coalesce(max(pos), 0) FROM events").fetchone()[0])


@contextmanager
def open_log(location: DbLocation, connect_timeout_s: int = CONNECT_TIMEOUT_S) -> Iterator[SharedLog]:
    """The shared log, or StoreUnreachable at once when the server cannot be reached (or is lost on the way)."""
    import psycopg

    conninfo = location.url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        con = psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout_s, application_name="studydl sync")
    except psycopg.Error as exc:
        raise StoreUnreachable(f"cannot reach the {location}: {_reason(exc)}") from exc
    try:
        yield SharedLog(con, location)
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise StoreUnreachable(f"lost the connection to the {location}: {_reason(exc)}") from exc
    finally:
        con.close()
