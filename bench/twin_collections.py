"""One collection built twice, card for card: a studydl store and an Anki 26.9.3 collection.

For the workload simulator's comparison with Anki (bench/simulate.py and the
differential test, tests/engine/test_simulate_anki.py): both sides must start from
the same cards (memory state, last review, due day, lapses), the same daily limits
and the same review log (the time per answer and the buttons pressed come from it).

`plan_cards(cards, seed)` draws the collection, in days relative to today:

- new cards (`new_share`), waiting to be introduced;
- learning cards (`learning_share`): first answered today (so introduced today), one
  step left, a short-term memory state;
- review cards: stability log-uniform from half a day to 300 days, difficulty 1-10,
  an interval near the stability, a last review within it (a few cards 1-3 days
  overdue, as in a real collection), 0-7 lapses;
- every studied card's history: its first day (learning steps, the same day), then
  reviews up to its last review, an Again followed by relearning steps that day;
  buttons and times per answer as a learner's (times by state and button, with
  noise; a few untimed or taking over 20 minutes, which the simulators leave out).

`build_studydl(path, plan, ...)` writes the plan into a new studydl store (schema through
studydl, rows through sqlite3), `build_anki(folder, plan, ...)` into an Anki collection
(notes through `add_notes`, scheduling and revlog through sqlite3, FSRS on, the load
balancer off: it fuzzes intervals, which fsrs-rs's simulator does not do and studydl's
does not model). Times are laid out from Anki's own day boundary (`day_cutoff`), at
midday, so both sides put every answer on the same day. The process's local zone must
be the one both sides use (the bench and the tests set TZ=UTC).
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DAY = 86_400
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
"""studydl's card states (a log row's state before the answer)."""
ANKI_REVLOG_TYPE = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}
BASE_SECONDS = {
    NEW: (16.0, 14.0, 9.0, 6.0),
    LEARNING: (16.0, 14.0, 9.0, 6.0),
    REVIEW: (14.0, 11.0, 7.0, 5.0),
    RELEARNING: (12.0, 10.0, 8.0, 6.0),
}
"""A learner's seconds per answer by the card's state and the button (Again..Easy), before noise."""


@dataclass
class Answer:
    day: int
    """Relative to today (0), never after it."""
    second: int
    """Seconds into that day from midday (the order of a day's answers)."""
    state_before: int
    rating: int
    ms: int


@dataclass
class PlannedCard:
    deck: int
    state: int
    """NEW, LEARNING or REVIEW."""
    stability: float = 0.0
    difficulty: float = 0.0
    last_day: int = 0
    interval: int = 0
    lapses: int = 0
    answers: list[Answer] = field(default_factory=list)

    @property
    def due_day(self) -> int:
        return self.last_day + self.interval


def _ms(rng: random.Random, state: int, rating: int) -> int:
    roll = rng.random()
    if roll < 0.01:
        return 0  # untimed
    if roll < 0.015:
        return rng.randint(1_200_000, 3_000_000)  # a break: over 20 minutes
    return max(1, int(BASE_SECONDS[state][rating - 1] * math.exp(rng.gauss(0.0, 0.4)) * 1000))


def _steps(rng: random.Random, first: int, state: int, limit: int = 5) -> list[int]:
    """A same-day sequence of buttons from `first` until the steps are passed (or `limit` answers)."""
    ratings, good = [first], int(first >= 3)
    while len(ratings) < limit and ratings[-1] != 4 and good < 2:
        nxt = rng.choices((1, 2, 3, 4), (0.2, 0.1, 0.65, 0.05) if state == LEARNING else (0.12, 0.08, 0.75, 0.05))[0]
        ratings.append(nxt)
        good = good + 1 if nxt >= 3 else (0 if nxt == 1 else good)
    return ratings


def _history(rng: random.Random, card: PlannedCard) -> None:
    """The card's answers: learnt on its first day, reviewed on later days up to its last review."""
    reviews: list[int] = []
    first_day = 0
    if card.state == REVIEW:
        first_day = card.last_day - rng.randint(1, 120)
        between = range(first_day + 1, card.last_day)
        reviews = [*sorted(rng.sample(between, min(rng.randint(0, 6), len(between)))), card.last_day]
    second = 0
    for i, rating in enumerate(_steps(rng, rng.choices((1, 2, 3, 4), (0.2, 0.1, 0.55, 0.15))[0], LEARNING)):
        state = NEW if i == 0 else LEARNING
        card.answers.append(Answer(first_day, second, state, rating, _ms(rng, state, rating)))
        second += 60
    for day in reviews:
        rating = rng.choices((1, 2, 3, 4), (0.12, 0.1, 0.68, 0.1))[0]
        card.answers.append(Answer(day, 0, REVIEW, rating, _ms(rng, REVIEW, rating)))
        if rating == 1:
            for j, again in enumerate(_steps(rng, rng.choices((1, 2, 3, 4), (0.15, 0.05, 0.75, 0.05))[0], RELEARNING, 3)):
                card.answers.append(Answer(day, 60 * (j + 1), RELEARNING, again, _ms(rng, RELEARNING, again)))


def plan_cards(
    cards: int, seed: int = 7, *, decks: int = 1, new_share: float = 0.15, learning_share: float = 0.03, overdue_share: float = 0.03
) -> list[PlannedCard]:
    """The collection as plain data (see the module docstring)."""
    rng = random.Random(seed)
    plan = []
    for i in range(cards):
        deck = i * decks // cards
        roll = rng.random()
        if roll < new_share:
            plan.append(PlannedCard(deck, NEW))
            continue
        if roll < new_share + learning_share:
            card = PlannedCard(deck, LEARNING, rng.uniform(0.3, 2.5), rng.uniform(4.0, 8.0), 0, 0)
        else:
            stability = math.exp(rng.uniform(math.log(0.5), math.log(300.0)))
            interval = max(1, round(stability * rng.uniform(0.85, 1.15)))
            overdue = rng.random() < overdue_share
            last = -interval - rng.randint(1, 3) if overdue else -rng.randint(0, interval - 1)
            lapses = rng.choices((0, 1, 2, 3, 7), (0.6, 0.2, 0.1, 0.07, 0.03))[0]
            card = PlannedCard(deck, REVIEW, stability, rng.uniform(1.0, 10.0), last, interval, lapses)
        _history(rng, card)
        plan.append(card)
    return plan


def local_day_cutoff(now: float) -> int:
    """Epoch seconds at which today's study day ends, for studydl's default day start in the local zone."""
    from studydl.domain.days import StudyDays

    days = StudyDays.local()
    return int(days.start_of(days.day_of(datetime.fromtimestamp(now, UTC)) + 1).timestamp())


def answer_instant(day_cutoff: int, day: int, second: int) -> int:
    """Epoch seconds of an answer: midday of `day` (relative to today), `second` seconds on."""
    return day_cutoff - DAY + (day * DAY) + 8 * 3600 + second


def _text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def build_studydl(path: Path, plan: list[PlannedCard], day_cutoff: int, now: float) -> Path:
    """The plan as a studydl store at `path` (decks "Deck 000", ...; learning cards answered `now` - 5 min)."""
    from studydl.store.db import Database

    Database(path).dispose()
    decks = max(card.deck for card in plan) + 1 if plan else 1
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.executemany(
        "insert into decks (id, name, root, rel_path, path) values (?, ?, 'home', ?, ?)",
        [(d + 1, f"Deck {d:03d}", f"deck{d:03d}.md", f"/twin/deck{d:03d}.md") for d in range(decks)],
    )
    created = _text(day_cutoff - 900 * DAY)
    rows, log = [], []
    for i, card in enumerate(plan, start=1):
        if card.state == NEW:
            schedule = (NEW, None, None, None, None, None)
        elif card.state == LEARNING:
            schedule = (LEARNING, 1, card.stability, card.difficulty, _text(now + 300), _text(now - 300))
        else:
            due = answer_instant(day_cutoff, card.due_day, 0) - 8 * 3600  # the due day's start
            last = answer_instant(day_cutoff, card.last_day, 0)
            schedule = (REVIEW, None, card.stability, card.difficulty, _text(due), _text(last))
        rows.append((
            i, f"u{i}", 0, f"n{i}", card.deck + 1, "Section", "basic", 0, f"Question {i}?", f"Answer {i}.",
            f"h{i}", i, None, "", 0, created, created, *schedule, len(card.answers), card.lapses, 0, 0, 0, None,
        ))
        for answer in card.answers:
            at = now - 300 + answer.second if card.state == LEARNING else answer_instant(day_cutoff, answer.day, answer.second)
            log.append((i, _text(at), answer.rating, answer.ms, json.dumps({"state": answer.state_before}), "{}"))
    columns = (
        "id, uid, explicit, note_uid, deck_id, section, kind, ordinal, question, answer, content_hash, source_line,"
        " demo_id, tags, retired, created_at, updated_at, state, step, stability, difficulty, due, last_review,"
        " reps, lapses, suspended, flag, leech, buried_until"
    )
    if rows:
        con.executemany(f"insert into cards ({columns}) values ({', '.join('?' * len(rows[0]))})", rows)
    con.executemany(
        "insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?, ?, ?, ?, ?, ?)",
        log,
    )
    con.commit()
    con.close()
    return path


def build_anki(folder: Path, plan: list[PlannedCard], new_per_day: int, reviews_per_day: int, now: float) -> tuple[Path, int]:
    """The plan as an Anki collection in `folder` (decks under "Bench"); its path and Anki's `day_cutoff`."""
    from anki.collection import Collection
    from anki.config import Config
    from anki_backend import _add_notes, _configure, _fsrs_data

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "twin.anki2"
    decks = max(card.deck for card in plan) + 1 if plan else 1
    col = Collection(str(path))
    try:
        deck_ids = _configure(col, decks, new_per_day, reviews_per_day)
        col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)
        card_ids = _add_notes(col, deck_ids, len(plan))
        today, day_cutoff = col.sched.today, col.sched.day_cutoff
    finally:
        col.close()
    updates, revlog, used = [], [], set()
    for cid, card in zip(card_ids, plan, strict=True):
        if card.state == LEARNING:
            data = _fsrs_data(card.stability, card.difficulty, int(now - 300))
            updates.append((1, 1, int(now + 300), 0, 0, len(card.answers), card.lapses, 1, data, cid))
        elif card.state == REVIEW:
            last = answer_instant(day_cutoff, card.last_day, 0)
            data = _fsrs_data(card.stability, card.difficulty, last)
            updates.append((2, 2, today + card.due_day, card.interval, 2500, len(card.answers), card.lapses, 0, data, cid))
        for answer in card.answers:
            at = now - 300 + answer.second if card.state == LEARNING else answer_instant(day_cutoff, answer.day, answer.second)
            ms = int(at * 1000)
            while ms in used:
                ms += 1
            used.add(ms)
            revlog.append((ms, cid, -1, answer.rating, 1, 0, 2500, answer.ms, ANKI_REVLOG_TYPE[answer.state_before]))
    con = sqlite3.connect(path)
    try:
        con.execute("pragma synchronous=OFF")
        con.executemany(
            "update cards set type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, left=?, data=?,"
            " mod=strftime('%s','now'), usn=-1 where id=?",
            updates,
        )
        con.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)
        con.commit()
    finally:
        con.close()
    return path, day_cutoff
