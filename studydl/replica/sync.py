"""One sync of this device with the shared log: capture, push, pull and merge, and what moved.

Every step is safe to cut off anywhere (a device killed, a server stopped, a network
gone) and to repeat: an event pushed twice is added once (the server's unique id), a
push is marked done on the device only after the server committed it, and a pulled
batch is merged in one transaction together with the position it reached. A device
that cannot reach the server gets an answer at once (a short connect timeout) and goes
on working on its own store; what it did waits for the next sync.

Test hooks: `step` is called at each named point (`pushed-N` after the server committed
batch N, `sending-N` inside the server's transaction before it commits, `pulled-N`
after pulled batch N is merged); STUDYDL_SYNC_KILL=NAME makes the process kill itself
(SIGKILL) at that point, and STUDYDL_SYNC_BATCH sets how many events go per batch.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from studydl.domain.errors import StoreUnreachable
from studydl.replica.capture import capture
from studydl.replica.events import (
    CURSOR_KEY,
    DEVICE_KEY,
    NAME_KEY,
    device_id,
    earlier_devices,
    row_event,
    set_state,
    state,
)
from studydl.replica.merge import MergeReport, merge
from studydl.replica.server import CONNECT_TIMEOUT_S, SharedLog, open_log
from studydl.store.db import Database
from studydl.store.location import DbLocation

KILL_ENV, BATCH_ENV = "STUDYDL_SYNC_KILL", "STUDYDL_SYNC_BATCH"
BATCH = 5000


@dataclass
class SyncReport:
    """What one sync did."""

    reachable: bool = False
    pushed: int = 0
    """This device's events the server took (new to it)."""
    pulled: int = 0
    """Other devices' events pulled."""
    merged: MergeReport = field(default_factory=MergeReport)
    waiting: int = 0
    """This device's answers not on the server yet."""
    error: str | None = None
    """Why the server was not reached (None: it was)."""

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "merged": asdict(self.merged)}


def waiting_answers(db: Database) -> int:
    """This device's answers the server does not have yet (offline: the footer's count)."""
    with db.raw_read() as con:
        new = con.execute("SELECT count(*) FROM review_log WHERE event_id IS NULL").fetchone()[0]
        device = state(con, DEVICE_KEY)
        unpushed = 0
        for mine in [device, *(old for old, _ in earlier_devices(con))] if device is not None else []:
            unpushed += con.execute(
                "SELECT count(*) FROM sync_events WHERE device = ? AND pushed = 0 AND kind = 'answer'", (mine,)
            ).fetchone()[0]
    return int(new) + int(unpushed)


def sync_answers(
    db: Database,
    server: DbLocation,
    *,
    step: Callable[[str], None] | None = None,
    connect_timeout_s: int = CONNECT_TIMEOUT_S,
) -> SyncReport:
    """Push this device's events and pull the others' (never raises for a server away: see `error`)."""
    batch = int(os.environ.get(BATCH_ENV) or BATCH)
    report = SyncReport()
    with db.raw_write() as con:
        capture(con)
        device = device_id(con)
        earlier = [old for old, _ in reversed(earlier_devices(con))]
        name = state(con, NAME_KEY) or "device"
    cursor_key = f"{CURSOR_KEY} {server.url.render_as_string(hide_password=True)}"

    def at(point: str) -> None:
        if step is not None:
            step(point)
        if os.environ.get(KILL_ENV) == point:
            os.kill(os.getpid(), signal.SIGKILL)

    try:
        with open_log(server, connect_timeout_s) as log:
            report.reachable = True
            log.ensure_tables()
            log.register(device, name)
            _reconcile(db, log, device, cursor_key)
            _push(db, log, device, batch, report, at)
            for old in earlier:  # answers this home held when it was copied or moved: the original may never push them
                log.register(old, name, rename=False)
                _push(db, log, old, batch, report, at)
            _pull(db, log, device, batch, report, at, cursor_key)
    except StoreUnreachable as exc:
        report.error = str(exc)
    report.waiting = waiting_answers(db)
    return report


def _reconcile(db: Database, log: SharedLog, device: str, cursor_key: str) -> None:
    """Agree with the server on what it holds of this device's (a new server, a restored backup on either side)."""
    with db.raw_read() as con:
        pushed, known = con.execute(
            "SELECT count(*) FILTER (WHERE pushed), count(*) FROM sync_events WHERE device = ?", (device,)
        ).fetchone()
        cursor = int(state(con, cursor_key) or 0)
    on_server = log.count(device)
    if on_server < pushed:  # the server lost some (another server, or one restored from an older dump): push all again
        with db.raw_write() as con:
            con.execute("UPDATE sync_events SET pushed = FALSE WHERE device = ?", (device,))
    if on_server > known:  # this device lost some (a backup restored): take its own back
        after = 0
        while rows := log.pull(after, BATCH, device, own=True):
            with db.raw_write() as con:
                merge(con, [event for _, event in rows])
                con.execute("UPDATE sync_events SET pushed = TRUE WHERE device = ?", (device,))
            after = rows[-1][0]
    if cursor > log.last_pos():  # another log (or an older copy of it): pull it all; what is known is skipped
        with db.raw_write() as con:
            set_state(con, cursor_key, "0")


def _push(db: Database, log: SharedLog, device: str, batch: int, report: SyncReport, at: Callable[[str], None]) -> None:
    number = 0
    while True:
        with db.raw_read() as con:
            rows = con.execute(
                "SELECT id, device, at, kind, card, body FROM sync_events WHERE device = ? AND pushed = 0 ORDER BY at, id LIMIT ?",
                (device, batch),
            ).fetchall()
            events = [row_event(con, row) for row in rows]
        if not events:
            return
        number += 1
        report.pushed += log.push(device, events, sent=lambda n=number: at(f"sending-{n}"))
        at(f"pushed-{number}")
        with db.raw_write() as con:
            con.executemany("UPDATE sync_events SET pushed = TRUE WHERE id = ?", [(e.id,) for e in events])


def _pull(
    db: Database, log: SharedLog, device: str, batch: int, report: SyncReport, at: Callable[[str], None], cursor_key: str
) -> None:
    with db.raw_read() as con:
        cursor = int(state(con, cursor_key) or 0)
    number = 0
    while rows := log.pull(cursor, batch, device):
        number += 1
        cursor = rows[-1][0]
        with db.raw_write() as con:
            report.merged.add(merge(con, [event for _, event in rows]))
            set_state(con, cursor_key, str(cursor))
        report.pulled += len(rows)
        at(f"pulled-{number}")
    if number == 0:  # nothing new: still try what waits for a card this device may have synced since
        with db.raw_write() as con:
            report.merged.add(merge(con, []))
