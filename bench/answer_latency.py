"""Answer latency at scale, studydl beside Anki: 100k cards, 1M review-log rows, 500 answers each.

    .venv/bin/python bench/answer_latency.py [--cards 100000] [--log 1000000] [--answers 500]
        [--blocks 5] [--base DIR] [--no-anki] [--out FILE.json] [--readme]

Builds a studydl collection (schema through studydl, rows through sqlite3) and, when the
`anki` package is installed (`pip install anki`, or `pip install -e '.[bench]'`), an Anki
collection of the same shape (bench/anki_backend.py): the same card count in the same
decks (one per 1,000 cards), the same share of new / learning / review cards, as many
reviews due today as studydl's collection has, the same number of review-log rows, the
same daily limits (100 new, 9,999 reviews per deck). Each side then answers a copy of its
collection, one card at a time, the way its reviewer does: next card, answer, durable
commit (studydl `ReviewSession.next_card` + `answer`, synchronous=FULL; Anki
`get_queued_cards` + `answer_card`, whose commit fsyncs the WAL too), with the same
rating mix (Again, Good, Good, Easy from `random.Random(2)`). After each answer, untimed,
studydl's session does what the review screen has it do while the learner reads the next
card's question: plans that card's four buttons (`prepare`: the answer reads the next card
in its transaction and hands it over with its question only; the buttons show when the
answer is), writes its log out every 32 cards (`checkpoint`) and guesses and reads the card
after it (`upcoming`: the screen draws it ahead; the answer that picks it takes that read
if nothing changed it since); the CPU column counts all three. Anki computes its next card's states inside `get_queued_cards`, and its checkpoints
come inside its answers' commits (SQLite's own, every 1,000 pages).

Both sides run in this one process, in alternating blocks (studydl first in even blocks,
Anki first in odd ones), so whatever else loads the machine loads both alike, and both on
the real clock (learning cards come due as time passes for both). Prints median, p99
(nearest rank), max and the process CPU time per answer for each side, the ratio of the
medians, the targets (issue 24: next card + answer within 1.5x Anki's median, next card alone within 3x; p99 under 10 ms), the load average, and
what each side had due and answered (new / learning / review), to show the two sessions
did the same kind of work. Never pass/fail on time. `--base DIR` keeps the built
collections in DIR (per size and day) and times fresh copies of them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent))

NOW = datetime.now(UTC).replace(microsecond=0)
CARDS_PER_DECK = 1000
NEW_PER_DAY, REVIEWS_PER_DAY = 100, 9999
TARGET_RATIO, TARGET_NEXT_RATIO, TARGET_P99_MS = 1.5, 3.0, 10.0
HISTORY = (
    "Before → after, 2026-11-22, old and new code in alternating runs on the same collections (load 1.0-1.6):"
    " schema 0003 (covering index `ix_cards_deck_state`) took session start 134-171 → 33 ms (one deck"
    " 37 → 4 ms), the home deck tree 200-220 → 90-130 ms and next due time 245 → 17-24 ms; the review"
    " path on plain sqlite3 transactions instead of a SQLAlchemy Session per call took next card + answer"
    " from 3.2-3.8x Anki's median to 2.1-2.4x (CPU median 1.2-2.0 → 1.1-1.3 ms). What is left: the"
    " fsynced COMMIT (~0.6 ms) and fsrs's Python (four button previews plus the answer per card)."
    " 2026-11-26, the hot path behind one executor for SQLite and PostgreSQL (store/hot.py), main vs the"
    " change in alternating runs: +1.9 µs per transaction in one process (a one-statement raw_read 7.1 →"
    " 9.0 µs, raw_write 9.0 → 10.9 µs, medians of 3,000), next card + answer unchanged within noise (quiet"
    " pair: 0.93 → 0.92 ms, CPU 0.79 → 0.79 ms; six pairs under load 1-5: CPU 0.77-0.99 → 0.79-1.20 ms)."
    " 2026-12-06, a card's four buttons planned once when it is shown and applied by the answer, fuzz draws"
    " primed in bulk: next card + answer 2.9x → 1.9x Anki's median, next card alone 9.3x → 4.3x. Then the"
    " settings read only when the store changed (SQLite's data_version; it was one of a card's dearest"
    " statements) and each deck's new cards read once in file order instead of a sorted range read per"
    " card: main vs the change in three alternating pairs (load 4-4.5): next card + answer 1.9-2.1x →"
    " 1.6-2.1x, next card alone 4.6-5.1x → 3.5-5.1x, CPU 2.2-2.5x → 1.8-2.5x. What is left: SQLite round"
    " trips through Python (about 12 statements per card, BEGIN and COMMIT of two transactions among them),"
    " fsrs's Python for the plan (~35 µs) and the fsynced COMMIT, which Anki pays too. Then the queue kept in"
    " memory while the store is unchanged (SQLite's data_version read with the card, and by the answer's UPDATE):"
    " statements per card 12.2 → 5.4 (next card 6.1 → 1.3, answer 6.2 → 4.2); main vs the change in three"
    " alternating pairs (load 8-9): next card alone 3.1-3.3x → 2.7-3.1x, next card + answer 1.1-2.0x → 0.9-2.1x. Then (2026-12-06 afternoon) the session writes its log out every 32 cards while the next card is read (the review screen, `review --plain` and, untimed, this bench), where SQLite's own checkpoint had come inside one answer's commit in ~86 (16-18 ms, the first of a session 0.3 s): p99 13.5 → 5.2 ms, medians unchanged within noise. And the card read ahead in the answer's transaction is planned there too (its four buttons, engine/card_plan.py), warm from the write rather than cold after the fsync: next card alone 2.8-3.1x → 1.0x Anki's median, the plan's cost now in the answer."
    " Then (2026-12-06 evening) that plan left the answer for the time the question is read (`prepare`, called untimed"
    " here as the review screen calls it between cards; the CPU column counts it), and so did working out what Again"
    " on a review card offers (a lapse's prerequisite: every section and deck file read, 20-100 ms at 100,000 cards);"
    " the answer writes only the columns it changes and reads the change counter in a statement of its own (as the"
    " UPDATE's RETURNING subquery it cost more than the UPDATE); `next_card` takes the pick the answer read ahead for"
    " while nothing but time has passed; one context manager per hot transaction instead of three: next card + answer"
    " 1.8x → 1.35-1.50x Anki's median, answer p99 3.3 → 1.2-1.5 ms. Then the cards that may come next are read while"
    " the one before them is (`upcoming`, the screen's guess drawn ahead, called untimed here too) and the answer"
    " that picks one takes that read: 1.25-1.42x."
)
STATE_NAMES = {0: "new", 1: "learning", 2: "review", 3: "learning"}


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def build_collection(path: Path, n_cards: int, n_log: int, seed: int = 1, now: datetime = NOW) -> None:
    """Schema through studydl, rows through sqlite3 executemany (fast, one transaction)."""
    from studydl.store.db import Database

    Database(path).dispose()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    decks = max(1, n_cards // CARDS_PER_DECK)
    con.executemany(
        "insert into decks (id, name, root, rel_path, path) values (?, ?, 'home', ?, ?)",
        [(d + 1, f"Deck {d:03d}", f"deck{d:03d}.md", f"/bench/deck{d:03d}.md") for d in range(decks)],
    )
    cards, reviewed = [], []
    created = _ts(now - timedelta(days=800))
    for i in range(1, n_cards + 1):
        roll = rng.random()
        note = f"n{i // 2}" if i % 10 < 2 else f"n{i}x"  # a fifth of the cards come in sibling pairs
        if roll < 0.2:
            state, step, stab, diff, due, last = 0, None, None, None, None, None
        elif roll < 0.25:
            state, step, stab, diff = 1, 0, 0.5, 5.0
            due, last = now + timedelta(minutes=rng.uniform(-30, 600)), now - timedelta(minutes=5)
        else:
            state, step, stab, diff = 2, None, rng.uniform(1, 300), rng.uniform(1, 10)
            due = now + timedelta(days=rng.uniform(-5, 120))
            last = due - timedelta(days=stab)
            reviewed.append(i)
        deck = min(decks, (i - 1) // CARDS_PER_DECK + 1)
        cards.append((
            i, f"u{i}", 0, note, deck, "Section", "basic", 0, f"Question {i}?", f"Answer {i}.",
            f"h{i}", i % CARDS_PER_DECK + 1, None, "", 0, created, created,
            state, step, stab, diff, _ts(due) if due else None, _ts(last) if last else None,
            0 if state == 0 else 8, 0, 0, 0, 0, None,
        ))
    columns = (
        "id, uid, explicit, note_uid, deck_id, section, kind, ordinal, question, answer, content_hash, source_line,"
        " demo_id, tags, retired, created_at, updated_at, state, step, stability, difficulty, due, last_review,"
        " reps, lapses, suspended, flag, leech, buried_until"
    )  # named: columns added by later schemas take their defaults
    con.executemany(f"insert into cards ({columns}) values ({', '.join('?' * len(cards[0]))})", cards)
    before = '{"state":2,"reps":7}'
    after = '{"state":2,"reps":8}'
    start = now - timedelta(days=730)
    span = 730 * 86400
    insert = "insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?, ?, ?, ?, ?, ?)"
    batch = []
    for n in range(n_log):
        at = start + timedelta(seconds=span * n / n_log)
        batch.append((reviewed[n % len(reviewed)], _ts(at), rng.choice((1, 3, 3, 3, 4)), 4000, before, after))
        if len(batch) == 50_000:
            con.executemany(insert, batch)
            batch = []
    if batch:
        con.executemany(insert, batch)
    con.commit()
    con.close()


def reviews_due_today(path: Path, now: datetime) -> int:
    """Review-state cards due before the end of studydl's study day (Anki gets as many)."""
    from studydl.domain.days import day_bounds

    _, end = day_bounds(now)
    con = sqlite3.connect(path)
    try:
        return int(con.execute("select count(*) from cards where state = 2 and due < ?", (_ts(end),)).fetchone()[0])
    finally:
        con.close()


@dataclass
class Timings:
    """Milliseconds per answer (wall, and process CPU for the whole step), plus what was answered."""

    start_ms: float = 0.0
    next_card: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    """Answered cards by their queue (new / learning / review)."""
    counts_at_start: dict[str, int] = field(default_factory=dict)


class Reviewer(Protocol):
    timings: Timings

    def start(self) -> None: ...
    def step(self) -> bool: ...
    def close(self) -> None: ...


class StudydlReviewer:
    """A studydl ReviewSession over all decks, answering one card per `step()`."""

    name = "studydl"

    def __init__(self, path: Path, seed: int = 2) -> None:
        from studydl.domain.review import Rating
        from studydl.store.db import Database

        self.db = Database(path)
        self._rng = random.Random(seed)
        self._mix = (Rating.AGAIN, Rating.GOOD, Rating.GOOD, Rating.EASY)
        self.timings = Timings()
        self.session: Any = None

    def start(self) -> None:
        from studydl.engine.session import ReviewSession
        from studydl.engine.settings import save_changes

        # Stored, as the app's settings are: the session reads them and, as in the app,
        # re-reads them before each card (taking up changes made in another window).
        save_changes(self.db, {"new_per_day": NEW_PER_DAY, "reviews_per_day": REVIEWS_PER_DAY})
        t0 = time.perf_counter()
        self.session = ReviewSession(self.db)
        self.timings.start_ms = (time.perf_counter() - t0) * 1000
        counts = self.session.counts()
        self.timings.counts_at_start = {"new": counts.new, "learning": counts.learning, "review": counts.review}

    def step(self) -> bool:
        out = self.timings
        c0 = time.process_time()
        t0 = time.perf_counter()
        due = self.session.next_card()
        t1 = time.perf_counter()
        if due is None:
            return False
        self.session.answer(due.card.id, self._rng.choice(self._mix), 3000)
        t2 = time.perf_counter()
        # Untimed, as the review screen does them while the next card's question is read: its buttons
        # planned (the answer hands it over with its question only), the store's log written out, and the
        # card after it guessed and read (drawn ahead there; the next answer takes the read if it holds).
        self.session.prepare()
        self.session.checkpoint()
        self.session.upcoming()
        out.cpu.append((time.process_time() - c0) * 1000)
        out.next_card.append((t1 - t0) * 1000)
        out.answer.append((t2 - t1) * 1000)
        out.total.append((t2 - t0) * 1000)
        out.kinds[STATE_NAMES[due.card.state]] += 1
        return True

    def close(self) -> None:
        self.db.dispose()


class AnkiSide:
    """bench/anki_backend.AnkiReviewer, its seconds turned into this bench's Timings."""

    name = "anki"

    def __init__(self, path: Path, seed: int = 2) -> None:
        from anki_backend import AnkiReviewer

        self._reviewer = AnkiReviewer(path, seed)
        self.timings = Timings()

    def start(self) -> None:
        self.timings.start_ms = self._reviewer.start() * 1000
        new, learning, review = self._reviewer.col.sched.counts()
        self.timings.counts_at_start = {"new": new, "learning": learning, "review": review}

    def step(self) -> bool:
        done = self._reviewer.step()
        src, out = self._reviewer.timings, self.timings
        if done:
            out.next_card.append(src.next_card[-1] * 1000)
            out.answer.append(src.answer[-1] * 1000)
            out.total.append(src.total[-1] * 1000)
            out.cpu.append(src.cpu[-1] * 1000)
            out.kinds = Counter(src.queues)
        return done

    def close(self) -> None:
        self._reviewer.close()


def p99(values: list[float]) -> float:
    """Nearest-rank 99th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    return {"median_ms": statistics.median(values), "p99_ms": p99(values), "max_ms": max(values)}


def prepare(base: Path | None, work: Path, cards: int, log: int, with_anki: bool) -> tuple[Path, Path | None, int]:
    """Fresh copies of the built collections in `work`: (studydl db, anki file or None, reviews due today)."""
    folder = base / f"{cards}c-{log}l-{date.today().isoformat()}" if base is not None else work / "built"
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    studydl_db = folder / "studydl.db"
    if not studydl_db.exists() or "now" not in meta:
        studydl_db.unlink(missing_ok=True)
        t0 = time.perf_counter()
        build_collection(studydl_db, cards, log)
        meta = {"now": NOW.isoformat(), "due_today": reviews_due_today(studydl_db, NOW)}
        meta_path.write_text(json.dumps(meta))
        print(f"studydl: built {cards:,} cards + {log:,} log rows in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    anki_file = folder / "bench.anki2"
    if with_anki and not anki_file.exists():
        from anki_backend import build_anki_collection

        t0 = time.perf_counter()
        build_anki_collection(folder, cards, log, meta["due_today"], decks=max(1, cards // CARDS_PER_DECK), new_per_day=NEW_PER_DAY, reviews_per_day=REVIEWS_PER_DAY)
        print(f"anki: built {cards:,} cards + {log:,} revlog rows in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    studydl_copy = work / "studydl.db"
    shutil.copyfile(studydl_db, studydl_copy)
    anki_copy = None
    if with_anki:
        anki_copy = work / "bench.anki2"
        shutil.copyfile(anki_file, anki_copy)
    age = (NOW - datetime.fromisoformat(meta["now"])).total_seconds()
    if age > 0:
        age_learning_cards(studydl_copy, anki_copy, age)
    return studydl_copy, anki_copy, int(meta["due_today"])


def age_learning_cards(studydl_db: Path, anki_file: Path | None, seconds: float) -> None:
    """Move both copies' learning cards forward by the time since the build, as if built now.

    A kept collection (`--base`) is reused all day; its learning cards fell due within 10
    hours of the build, so a later run found them all due and answered nothing else (learning
    comes first). Review cards are due by the day, and the folder is per day: they stay.
    """
    shift = timedelta(seconds=seconds)
    con = sqlite3.connect(studydl_db)
    try:
        rows = con.execute("select id, due, last_review from cards where state in (1, 3)").fetchall()
        moved = [
            (_ts(datetime.fromisoformat(due).replace(tzinfo=UTC) + shift), _ts(datetime.fromisoformat(last).replace(tzinfo=UTC) + shift), card_id)
            for card_id, due, last in rows
        ]
        con.executemany("update cards set due = ?, last_review = ? where id = ?", moved)
        con.commit()
    finally:
        con.close()
    if anki_file is not None:
        con = sqlite3.connect(anki_file)
        try:  # learning queues (1: intraday, due in epoch seconds); `lrt` is the FSRS data's last review
            con.execute(
                "update cards set due = due + ?1, data = json_set(data, '$.lrt', json_extract(data, '$.lrt') + ?1) where queue = 1",
                (int(seconds),),
            )
            con.commit()
        finally:
            con.close()


def run(reviewers: list[Reviewer], answers: int, blocks: int) -> None:
    """Start every side, then alternate blocks of answers (the order flips every block)."""
    for reviewer in reviewers:
        reviewer.start()
    per_block = -(-answers // blocks)
    for block in range(blocks):
        order = reviewers if block % 2 == 0 else reviewers[::-1]
        for reviewer in order:
            for _ in range(min(per_block, answers - block * per_block)):
                if not reviewer.step():
                    break


def table(sides: dict[str, Timings]) -> str:
    """The Markdown table: one column group per side, and the ratio of the medians."""
    names = list(sides)
    shown = {"studydl": "studydl", "anki": "Anki"}
    head = "| ms per answer | " + " | ".join(f"{shown[n]} median | {shown[n]} p99 | {shown[n]} max" for n in names)
    head += " | studydl ÷ Anki (medians) |" if "anki" in sides else " |"
    cols = 3 * len(names) + (1 if "anki" in sides else 0)
    lines = [head, "|---|" + "---:|" * cols]
    rows = [("next card", "next_card"), ("answer, committed", "answer"), ("next card + answer", "total"), ("CPU of next card + answer", "cpu")]
    for label, key in rows:
        cells = []
        for n in names:
            s = stats(getattr(sides[n], key))
            cells += [f"{s['median_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['max_ms']:.2f}"]
        if "anki" in sides:
            ratio = statistics.median(getattr(sides["studydl"], key)) / statistics.median(getattr(sides["anki"], key))
            cells.append(f"{ratio:.1f}x")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    start = [f"{sides[n].start_ms:.0f}" for n in names]
    cells = [c for s in start for c in (s, "", "")]
    if "anki" in sides:
        cells.append(f"{sides['studydl'].start_ms / sides['anki'].start_ms:.1f}x")
    lines.append("| session start (counts, first queue) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(sides: dict[str, Timings]) -> str:
    ours = stats(sides["studydl"].total)
    parts = []
    if "anki" in sides:
        ratio = ours["median_ms"] / statistics.median(sides["anki"].total)
        parts.append(f"next card + answer median {ratio:.1f}x Anki's (target within {TARGET_RATIO:.1f}x: {'met' if ratio <= TARGET_RATIO else 'missed'})")
        alone = statistics.median(sides["studydl"].next_card) / statistics.median(sides["anki"].next_card)
        parts.append(f"next card median {alone:.1f}x Anki's (target within {TARGET_NEXT_RATIO:.0f}x: {'met' if alone <= TARGET_NEXT_RATIO else 'missed'})")
    verdict = "met" if ours["p99_ms"] < TARGET_P99_MS else "missed"
    parts.append(f"p99 {ours['p99_ms']:.1f} ms (target under {TARGET_P99_MS:.0f} ms: {verdict})")
    return "Targets: " + "; ".join(parts) + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=500, help="Answers per side.")
    parser.add_argument("--blocks", type=int, default=5, help="Alternating blocks the answers are split into.")
    parser.add_argument("--base", type=Path, help="Keep the built collections here (per size and day) and time copies.")
    parser.add_argument("--no-anki", action="store_true", help="Time studydl only.")
    parser.add_argument("--out", type=Path, help="Also write the figures as JSON here.")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:answer block).")
    args = parser.parse_args()

    from anki_backend import anki_available, anki_version

    with_anki = not args.no_anki and anki_available()
    if not args.no_anki and not with_anki:
        print("Anki's side skipped: the `anki` package is not installed (`pip install anki`, or `pip install -e '.[bench]'`).", file=sys.stderr)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        studydl_db, anki_file, due_today = prepare(args.base, Path(tmp), args.cards, args.log, with_anki)
        reviewers: list[Reviewer] = [StudydlReviewer(studydl_db)]
        if anki_file is not None:
            reviewers.append(AnkiSide(anki_file))
        os.sync()  # writeback of the copies (and of a schema upgrade) would compete with the timed fsyncs
        try:
            run(reviewers, args.answers, args.blocks)
        finally:
            for reviewer in reviewers:
                reviewer.close()
    load_after = os.getloadavg()[0]
    sides = {r.name: r.timings for r in reviewers}  # type: ignore[attr-defined]

    anki_name = f"Anki {anki_version()}" if with_anki else ""
    setup = (
        f"{args.cards:,} cards in {max(1, args.cards // CARDS_PER_DECK)} decks, {args.log:,} review-log rows,"
        f" {due_today:,} reviews due today; {len(sides['studydl'].total)} answers"
        + (f" per side in {args.blocks} alternating blocks, studydl and {anki_name} in one process" if with_anki else "")
        + ". Each answer is one committed, fsynced transaction (synchronous=FULL)."
    )
    mix = "; ".join(
        f"{n}: due at start {dict(t.counts_at_start)}, answered {dict(sorted(t.kinds.items()))}" for n, t in sides.items()
    )
    notes = f"{targets(sides)} Load average {load_before:.1f} before, {load_after:.1f} after.\n\nQueues: {mix}.\n\n{HISTORY}"
    text = f"{setup}\n\n{table(sides)}\n\n{notes}"
    print(text)
    if not with_anki and not args.no_anki:
        print("\n(Install `anki` to time Anki's side in the same run: `pip install anki`.)")
    if args.out:
        figures = {n: {k: stats(getattr(t, k)) for k in ("next_card", "answer", "total", "cpu")} | {"start_ms": t.start_ms} for n, t in sides.items()}
        figures["load"] = {"before": load_before, "after": load_after}
        args.out.write_text(json.dumps(figures, indent=2))
    if args.readme:
        from bench_util import write_readme_block

        command = f"python bench/answer_latency.py --cards {args.cards} --log {args.log} --answers {args.answers} --blocks {args.blocks}"
        write_readme_block("answer", text, command + (" --no-anki" if args.no_anki else "") + " --readme")


if __name__ == "__main__":
    main()
