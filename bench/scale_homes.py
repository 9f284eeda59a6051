"""The homes bench/scale.py measures: N cards with about 10N review-log rows, for studydl and Anki, in bulk.

`plan_home(cards, seed)` draws a collection with numpy, every card at once (no per-card
Python in the simulation):

- 20 % new cards, 5 % in learning (first answered 5 minutes ago), 75 % in review;
- one deck per 1,000 cards; a fifth of studydl's cards in sibling pairs (as
  bench/answer_latency.py's collections);
- each review card's history, simulated: learnt on a day in the past `SPAN_DAYS` days
  (learning steps: the first button, then Good until the steps are passed, all that day),
  then reviewed when due (a tenth of the reviews one to three days late), the interval
  from the scheduler's memory state (FSRS-6 default parameters, 90 % retention), the
  button drawn from the recall probability of a learner whose memory follows other
  parameters (`TRUE_PARAMETERS`, bench/optimize.py's, so a fit has something to find):
  Again with probability 1 - R, then one relearning step; else Hard, Good, Easy 1:8:1.
  The card's memory state, last review and due day are where its history leaves it,
  so the reviews due today are those whose interval ends today or has passed.

These are histories Anki's `compute_fsrs_params` can fit: each starts with a learning
entry (rslib scheduler/fsrs/params.rs, `reviews_for_fsrs`, skips a card without one when
training) and its reviews are a day or more apart.

`build_studydl(path, plan)` and `build_anki(folder, plan)` write the plan: schema through
studydl (resp. Anki's `Collection`, with the bench's decks and limits), then every row through
sqlite3 `executemany` in one transaction with the tables' indexes dropped during the
load and created after it. Anki's notes go in through SQL too (guid, checksum, sort
field as Anki computes them), not `add_notes`, which takes minutes at a million cards.
Answers are laid out from 08:00 of their day (one card's answers milliseconds apart),
in the process's local zone, which must be UTC as bench/scale.py sets it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DAY = 86_400
CARDS_PER_DECK = 1000
NEW_PER_DAY, REVIEWS_PER_DAY = 100, 9999
SPAN_DAYS = 1100
"""Review cards were first learnt up to this many days ago (about 10 log rows per card overall)."""
RETENTION = 0.9
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
ANKI_REVLOG_TYPE = (0, 0, 1, 2)
"""studydl's state before an answer -> Anki's revlog type (learn, learn, review, relearn)."""
CHUNK = 500_000


@dataclass
class Home:
    """A planned collection, as numpy arrays (one entry per card, resp. per log row)."""

    now: int
    """Epoch seconds the plan was drawn for."""
    day_start: int
    """Epoch seconds at which today's study day began (04:00 local)."""
    state: Any
    stability: Any
    difficulty: Any
    last_review: Any
    """Epoch seconds (0: never)."""
    due: Any
    """Epoch seconds of the due instant (learning) or the due day's start (review); 0 for new cards."""
    due_day: Any
    """Due day relative to today (review cards)."""
    interval: Any
    reps: Any
    lapses: Any
    log_card: Any
    """0-based card index of each log row, rows in time order."""
    log_ms: Any
    log_rating: Any
    log_before: Any

    @property
    def cards(self) -> int:
        return len(self.state)

    @property
    def decks(self) -> int:
        return max(1, self.cards // CARDS_PER_DECK)

    def deck_of(self) -> Any:
        import numpy as np

        return np.minimum(self.decks - 1, np.arange(self.cards) // CARDS_PER_DECK)

    def due_today(self) -> int:
        return int(((self.state == REVIEW) & (self.due_day <= 0)).sum())


def day_start_of(now: int) -> int:
    """Epoch seconds of today's study day start for studydl's default day (04:00 local)."""
    from datetime import UTC, datetime

    from studydl.domain.days import StudyDays

    days = StudyDays.local()
    return int(days.start_of(days.day_of(datetime.fromtimestamp(now, UTC))).timestamp())


def plan_home(cards: int, seed: int = 1, now: int | None = None) -> Home:
    """Draw the collection (see the module docstring)."""
    import numpy as np

    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsArrays

    now = int(time.time()) if now is None else now
    day_start = day_start_of(now)
    rng = np.random.default_rng(seed)
    roll = rng.random(cards)
    state = np.where(roll < 0.2, NEW, np.where(roll < 0.25, LEARNING, REVIEW)).astype(np.int8)
    stability = np.zeros(cards)
    difficulty = np.zeros(cards)
    last_review = np.zeros(cards, dtype=np.int64)
    due = np.zeros(cards, dtype=np.int64)
    due_day = np.zeros(cards, dtype=np.int64)
    interval = np.zeros(cards, dtype=np.int64)
    reps = np.zeros(cards, dtype=np.int64)
    lapses = np.zeros(cards, dtype=np.int64)
    rows: list[tuple[Any, Any, Any, Any, Any]] = []  # (card, day, seq, rating, before) blocks

    sched = FsrsArrays(DEFAULT_PARAMETERS)
    truth = FsrsArrays([x * f for x, f in zip(DEFAULT_PARAMETERS, [0.6, 0.7, 0.8, 0.9] + [1.0] * 17, strict=True)])

    learning = np.flatnonzero(state == LEARNING)  # answered once, 5 minutes ago, Good: one step left
    stability[learning], difficulty[learning] = sched.initial(np.full(len(learning), 3))
    last_review[learning] = now - 300
    due[learning] = now + rng.integers(-1800, 36_000, len(learning))
    reps[learning] = 1

    ids = np.flatnonzero(state == REVIEW)
    day = -rng.integers(1, SPAN_DAYS + 1, len(ids))
    first = rng.choice(4, len(ids), p=(0.2, 0.1, 0.55, 0.15)) + 1
    s, d = sched.initial(first)
    ts, td = truth.initial(first)

    def same_day(at: Any, rating: Any) -> None:
        """A same-day answer (a learning or relearning step) of the cards `at`, in both models."""
        s[at] = sched.short_term(s[at], rating)
        ts[at] = truth.short_term(ts[at], rating)
        d[at] = sched.next_difficulty(d[at], rating)
        td[at] = truth.next_difficulty(td[at], rating)

    rows.append((ids, day, np.zeros(len(ids), np.int64), first, np.full(len(ids), NEW)))
    seq = np.ones(len(ids), np.int64)
    count = np.ones(len(ids), np.int64)
    # learning steps: Good until two passing answers in a row (an Easy ends them at once)
    passed = np.where(first >= 3, 1, 0)
    going = (first != 4) & (passed < 2)
    while going.any():
        at = np.flatnonzero(going)
        rating = np.full(len(at), 3)
        rows.append((ids[at], day[at], seq[at], rating, np.full(len(at), LEARNING)))
        same_day(at, rating)
        seq[at] += 1
        count[at] += 1
        passed[at] += 1
        going = going & (passed < 2)
    last = day.copy()
    lapsed = np.zeros(len(ids), np.int64)
    active = np.arange(len(ids))
    while len(active):
        ivl = np.clip(np.rint(sched.intervals(s[active], RETENTION)), 1, 36500).astype(np.int64)
        late = np.where(rng.random(len(active)) < 0.1, rng.integers(1, 4, len(active)), 0)
        when = last[active] + ivl + late
        stays = when < 0  # reviewed before today; the others are due (today or later) and stop here
        done = active[~stays]
        due_day[ids[done]] = (last[done] + ivl[~stays])
        interval[ids[done]] = ivl[~stays]
        active, when = active[stays], when[stays]
        if not len(active):
            break
        elapsed = when - last[active]
        recall = truth.retrievability(elapsed, ts[active])
        fail = rng.random(len(active)) > recall
        rating = np.where(fail, 1, rng.choice(3, len(active), p=(0.1, 0.8, 0.1)) + 2)
        rows.append((ids[active], when, np.zeros(len(active), np.int64), rating, np.full(len(active), REVIEW)))
        r_sched = sched.retrievability(elapsed, s[active])
        s_new = np.where(fail, sched.after_failure(s[active], r_sched, d[active]), sched.after_success(s[active], r_sched, d[active], rating))
        ts_new = np.where(fail, truth.after_failure(ts[active], recall, td[active]), truth.after_success(ts[active], recall, td[active], rating))
        d[active] = sched.next_difficulty(d[active], rating)
        td[active] = truth.next_difficulty(td[active], rating)
        s[active], ts[active] = s_new, ts_new
        count[active] += 1
        relearn = active[fail]
        if len(relearn):  # one relearning step, Good, that day
            good = np.full(len(relearn), 3)
            rows.append((ids[relearn], when[fail], np.ones(len(relearn), np.int64), good, np.full(len(relearn), RELEARNING)))
            same_day(relearn, good)
            count[relearn] += 1
            lapsed[relearn] += 1
        last[active] = when
    stability[ids], difficulty[ids] = s, d
    reps[ids], lapses[ids] = count, lapsed
    last_review[ids] = day_start + last * DAY + 8 * 3600
    due[ids] = day_start + due_day[ids] * DAY

    card = np.concatenate([r[0] for r in rows] + [learning])
    row_day = np.concatenate([r[1] for r in rows] + [np.zeros(len(learning), np.int64)])
    row_seq = np.concatenate([r[2] for r in rows] + [np.zeros(len(learning), np.int64)])
    ms = (day_start + row_day * DAY + 8 * 3600) * 1000 + card * 8 + row_seq  # unique: one card's answers ms apart
    today = row_day == 0
    ms[today] = (now - 300) * 1000 + card[today]  # the learning cards' answer
    rating = np.concatenate([r[3] for r in rows] + [np.full(len(learning), 3)])
    before = np.concatenate([r[4] for r in rows] + [np.full(len(learning), NEW)])
    order = np.argsort(ms, kind="stable")
    return Home(
        now, day_start, state, stability, difficulty, last_review, due, due_day, interval, reps, lapses,
        card[order], ms[order], rating[order].astype(np.int8), before[order].astype(np.int8),
    )


def _text(epoch_ms: Any) -> list[str]:
    """Epoch milliseconds as studydl's stored UTC text ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    import numpy as np

    stamps = np.datetime_as_string((epoch_ms * 1000).astype("datetime64[us]"), unit="us")
    return np.char.replace(stamps, "T", " ").tolist()


def _without_indexes(con: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' own indexes (not the automatic ones of constraints); their CREATE statements."""
    marks = ",".join("?" * len(tables))
    found = con.execute(f"select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ({marks})", tables).fetchall()
    for name, _ in found:
        con.execute(f'drop index "{name}"')
    return [sql for _, sql in found]


def _chunks(total: int) -> Iterator[slice]:
    for start in range(0, total, CHUNK):
        yield slice(start, min(total, start + CHUNK))


def build_studydl(path: Path, home: Home) -> Path:
    """The plan as a studydl store at `path`."""
    import numpy as np

    from studydl.store.db import Database

    Database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=OFF")
    indexes = _without_indexes(con, ("cards", "review_log"))
    con.executemany(
        "insert into decks (id, name, root, rel_path, path) values (?, ?, 'home', ?, ?)",
        [(d + 1, f"Deck {d:03d}", f"deck{d:03d}.md", f"/bench/deck{d:03d}.md") for d in range(home.decks)],
    )
    created = _text(np.array([(home.now - 800 * DAY) * 1000]))[0]
    columns = (
        "id, uid, explicit, note_uid, deck_id, section, kind, ordinal, question, answer, content_hash, source_line,"
        " demo_id, tags, retired, created_at, updated_at, state, step, stability, difficulty, due, last_review,"
        " reps, lapses, suspended, flag, leech, buried_until"
    )
    deck = (home.deck_of() + 1).tolist()
    for part in _chunks(home.cards):
        idx = range(part.start + 1, part.stop + 1)
        st = home.state[part].tolist()
        stab, diff = home.stability[part].tolist(), home.difficulty[part].tolist()
        due = _text(home.due[part] * 1000)
        last = _text(home.last_review[part] * 1000)
        reps, lapses = home.reps[part].tolist(), home.lapses[part].tolist()
        rows = []
        for k, i in enumerate(idx):
            state = st[k]
            studied = state != NEW
            rows.append((
                i, f"u{i}", 0, f"n{i // 2}" if i % 10 < 2 else f"n{i}x", deck[i - 1], "Section", "basic", 0,
                f"Question {i}?", f"Answer {i}.", f"h{i}", i % CARDS_PER_DECK + 1, None, "", 0, created, created,
                state, 0 if state == LEARNING else None, stab[k] if studied else None, diff[k] if studied else None,
                due[k] if studied else None, last[k] if studied else None, reps[k], lapses[k], 0, 0, 0, None,
            ))  # fmt: skip
        con.executemany(f"insert into cards ({columns}) values ({', '.join('?' * 29)})", rows)
    befores = [json.dumps({"state": s}) for s in range(4)]
    insert = "insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?, ?, ?, 4000, ?, '{}')"
    for part in _chunks(len(home.log_card)):
        con.executemany(
            insert,
            zip(
                (home.log_card[part] + 1).tolist(), _text(home.log_ms[part]), home.log_rating[part].tolist(),
                [befores[b] for b in home.log_before[part].tolist()], strict=True,
            ),
        )
    for sql in indexes:
        con.execute(sql)
    con.commit()  # no ANALYZE: studydl never runs it, and its statistics change the plans of some queries
    con.close()
    return path


def _guid(i: int) -> str:
    return f"sb{i:x}"


def _csum(text: str) -> int:
    """Anki's note checksum: the first 8 hex digits of the sort field's SHA-1."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def _fsrs_data(stability: float, difficulty: float, last_review: int) -> str:
    return f'{{"s":{round(stability, 4)},"d":{round(difficulty, 3)},"dr":0.9,"decay":0.1542,"lrt":{last_review}}}'


def build_anki(folder: Path, home: Home) -> Path:
    """The plan as an Anki collection `folder/bench.anki2` (decks "Bench::Deck 000", ...; FSRS on)."""
    from anki.collection import Collection
    from anki_backend import _configure

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.anki2"
    path.unlink(missing_ok=True)
    col = Collection(str(path))
    try:
        deck_ids = _configure(col, home.decks, NEW_PER_DAY, REVIEWS_PER_DAY)
        basic = col.models.by_name("Basic")
        assert basic is not None
        model_id = int(basic["id"])
        today, day_cutoff = col.sched.today, col.sched.day_cutoff
    finally:
        col.close()
    if day_cutoff != home.day_start + DAY:
        raise RuntimeError(f"Anki's day ends at {day_cutoff}, studydl's at {home.day_start + DAY}: is TZ=UTC?")
    con = sqlite3.connect(path)
    try:
        con.execute("pragma synchronous=OFF")
        con.execute("pragma journal_mode=DELETE")
        indexes = _without_indexes(con, ("notes", "cards", "revlog"))
        base_id = (home.now - 900 * DAY) * 1000
        deck = home.deck_of().tolist()
        mod = home.now
        for part in _chunks(home.cards):
            notes, cards = [], []
            st = home.state[part].tolist()
            stab, diff = home.stability[part].tolist(), home.difficulty[part].tolist()
            last, due, due_day = home.last_review[part].tolist(), home.due[part].tolist(), home.due_day[part].tolist()
            ivl, reps, lapses = home.interval[part].tolist(), home.reps[part].tolist(), home.lapses[part].tolist()
            for k, i in enumerate(range(part.start, part.stop)):
                front = f"Question {i + 1}?"
                nid = cid = base_id + i
                notes.append((nid, _guid(i), model_id, mod, -1, "", f"{front}\x1fAnswer {i + 1}.", front, _csum(front), 0, ""))
                state = st[k]
                if state == NEW:  # type, queue, due, ivl, factor, reps, lapses, left, data
                    sched = (0, 0, i + 1, 0, 0, 0, 0, 0, "{}")
                elif state == LEARNING:
                    sched = (1, 1, due[k], 0, 0, reps[k], 0, 1, _fsrs_data(stab[k], diff[k], last[k]))
                else:
                    sched = (2, 2, today + due_day[k], ivl[k], 2500, reps[k], lapses[k], 0, _fsrs_data(stab[k], diff[k], last[k]))
                cards.append((cid, nid, deck_ids[deck[i]], mod, *sched))
            con.executemany("insert into notes values (?,?,?,?,?,?,?,?,?,?,?)", notes)
            con.executemany(
                "insert into cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left,"
                " odue, odid, flags, data) values (?,?,?,0,?,-1,?,?,?,?,?,?,?,?,0,0,0,?)",
                cards,
            )
        types = ANKI_REVLOG_TYPE
        for part in _chunks(len(home.log_card)):
            cid = (home.log_card[part] + base_id).tolist()
            before = home.log_before[part].tolist()
            con.executemany(
                "insert into revlog values (?,?,-1,?,?,0,2500,4000,?)",
                zip(
                    home.log_ms[part].tolist(), cid, home.log_rating[part].tolist(),
                    [-600 if b < REVIEW else 1 for b in before], [types[b] for b in before], strict=True,
                ),
            )
        for sql in indexes:
            con.execute(sql)
        con.commit()
        con.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))  # Anki's, for its deck index
        con.execute("analyze")
        con.commit()
    finally:
        con.close()
    return path
