"""Devices for the offline drills: each a home of its own with its own SQLite store, one shared log.

A `Device` answers cards by their question at times the test chooses (a clock moved by
hand), undoes, syncs; `converged` checks what every drill ends with: every device and
the server hold exactly the union of the answers (no answer twice, the undone ones
nowhere), and every card's state on every device equals the replay of the merged log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from studydl.decks.sync import sync_decks
from studydl.engine.card_memory import Memory, parse_utc
from studydl.engine.history import replay
from studydl.engine.session import ReviewSession
from studydl.engine.settings import load_settings
from studydl.home import Home
from studydl.replica.sync import SyncReport, sync_answers
from studydl.store.db import Database
from studydl.store.location import locate

QUESTIONS = [f"What is fact {i}?" for i in range(10)]
DECK = "---\ndeck: Drill\n---\n# Drill\n\n" + "\n\n".join(f"Q: {q}\nA: Answer {i}." for i, q in enumerate(QUESTIONS)) + "\n"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Device:
    """One machine: a home (its own store, its decks folder at a path of its own) syncing with `url`."""

    def __init__(self, root: Path, url: str, *, clock: Clock | None = None) -> None:
        self.home = Home(root, db_url=url).ensure()
        self.clock = clock or Clock()
        (self.home.decks_dir / "drill.md").write_text(DECK, encoding="utf-8")
        self.db: Database = self.home.open_db()
        report = sync_decks(self.db, [self.home.decks_dir], roots=self.home.named_roots())
        assert report.ok, report.errors
        self.session = ReviewSession(self.db, clock=self.clock)

    def card_id(self, question: str) -> int:
        with self.db.raw_read() as con:
            return int(con.execute("SELECT id FROM cards WHERE question = ?", (question,)).fetchone()[0])

    def answer(self, question: str, rating: int, after_s: float = 60) -> None:
        self.clock.advance(after_s)
        self.session.answer(self.card_id(question), rating, duration_ms=1000)

    def undo(self) -> None:
        self.session.undo()

    def sync(self, **options) -> SyncReport:  # noqa: ANN003
        return sync_answers(self.db, self.home.shared_log, **options)

    def close(self) -> None:
        self.db.dispose()


@dataclass(frozen=True)
class Answer:
    id: str
    at: datetime
    rating: int
    hash: str
    seed: int
    due: datetime | None


def server_answers(url: str) -> tuple[list[Answer], set[str]]:
    """Every answer event on the server, and the ids of those undone."""
    conninfo = locate(url).url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as con:
        rows = con.execute("SELECT id, kind, at, body FROM events").fetchall()
    answers = [Answer(i, at, b["rating"], b["hash"], b["seed"], parse_utc(b["after"].get("due"))) for i, kind, at, b in rows if kind == "answer"]
    undone = {b["target"] for _, kind, _, b in rows if kind == "undo"}
    assert len({a.id for a in answers}) == len(answers)
    return answers, undone


def device_log(device: Device) -> list[tuple[str, str]]:
    """(event id, question) of every answer in the device's review log."""
    with device.db.raw_read() as con:
        return con.execute(
            "SELECT r.event_id, c.question FROM review_log r JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()


def expected_states(url: str, device: Device) -> dict[str, Memory]:
    """Per question: the state the replay of the merged log gives (the server's answers, undone ones left out)."""
    answers, undone = server_answers(url)
    with device.db.raw_read() as con:
        by_hash = dict(con.execute("SELECT content_hash, question FROM cards").fetchall())
    settings = load_settings(device.db)
    out: dict[str, Memory] = {}
    for content, question in by_hash.items():
        mine = sorted((a for a in answers if a.hash == content and a.id not in undone), key=lambda a: (a.at, a.id))
        if mine:
            out[question] = replay(0, [(a.at, a.rating) for a in mine], settings, None, [a.due for a in mine], [a.seed for a in mine])
    return out


def stored_states(device: Device) -> dict[str, Memory]:
    """Per question answered at least once: the card's stored state on the device."""
    with device.db.raw_read() as con:
        columns = ("question", "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "leech", "suspended")
        rows = con.execute(f"SELECT {', '.join(columns)} FROM cards WHERE reps > 0 OR id IN (SELECT card_id FROM review_log)").fetchall()
        out = {}
        for row in rows:
            data = dict(zip(columns, row, strict=True))
            data["due"], data["last_review"] = con.from_db(data["due"]), con.from_db(data["last_review"])
            out[data.pop("question")] = Memory.from_row(type("Row", (), data))
    return out


def converged(url: str, devices: list[Device], given: int) -> None:
    """Every device and the server hold the same `given` answers, each once, and every card is its replay."""
    answers, undone = server_answers(url)
    kept = {a.id for a in answers} - undone
    assert len(kept) == given, (len(kept), given)
    for device in devices:
        log = device_log(device)
        assert sorted(i for i, _ in log) == sorted(kept), device.home.root
        assert stored_states(device) == expected_states(url, device), device.home.root
    first = stored_states(devices[0])
    for device in devices[1:]:
        assert stored_states(device) == first


def today_counts(device: Device) -> tuple[object, ...]:
    """What a session on the device would say is left today, and today's answers (limits count them)."""
    session = ReviewSession(device.db, clock=device.clock)
    summary = session.summary()
    return session.counts(), summary.answers_today, summary.correct_today
