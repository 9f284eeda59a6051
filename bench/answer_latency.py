"""Answer latency on a big collection: 100k cards, 1M review-log rows, 500 answers.

    .venv/bin/python bench/answer_latency.py [--cards 100000] [--log 1000000] [--answers 500] [--out FILE.json]

Builds the collection with bulk sqlite3 inserts in a temporary home, then times
`next_card()` and `answer()` (each answer committed with synchronous=FULL) through
the real ReviewSession, and prints median / p99 / max in ms. Never pass/fail.

Hook for the Anki side-by-side (bench/anki_backend.py): `measure(step, n)` times any
zero-argument callable that shows one card and answers it, `summarize` prints the
same median / nearest-rank p99; an Anki runner builds the same shape of collection
(see `build_collection`'s states and due spread) and passes its own step.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime.now(UTC).replace(microsecond=0)


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def build_collection(path: Path, n_cards: int, n_log: int, seed: int = 1) -> None:
    """Schema through studydl, rows through sqlite3 executemany (fast, one transaction)."""
    from studydl.store.db import Database

    Database(path).dispose()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    decks = max(1, n_cards // 1000)
    con.executemany(
        "insert into decks (id, name, source_path) values (?, ?, ?)",
        [(d + 1, f"Deck {d:03d}", f"/bench/deck{d:03d}.md") for d in range(decks)],
    )
    cards, reviewed = [], []
    created = _ts(NOW - timedelta(days=800))
    for i in range(1, n_cards + 1):
        roll = rng.random()
        note = f"n{i // 2}" if i % 10 < 2 else f"n{i}x"  # a fifth of the cards come in sibling pairs
        if roll < 0.2:
            state, step, stab, diff, due, last = 0, None, None, None, None, None
        elif roll < 0.25:
            state, step, stab, diff = 1, 0, 0.5, 5.0
            due, last = NOW + timedelta(minutes=rng.uniform(-30, 600)), NOW - timedelta(minutes=5)
        else:
            state, step, stab, diff = 2, None, rng.uniform(1, 300), rng.uniform(1, 10)
            due = NOW + timedelta(days=rng.uniform(-5, 120))
            last = due - timedelta(days=stab)
            reviewed.append(i)
        cards.append((
            i, f"u{i}", 0, note, (i - 1) // 1000 + 1, "Section", "basic", 0, f"Question {i}?", f"Answer {i}.",
            f"h{i}", f"/bench/deck{(i - 1) // 1000:03d}.md", i % 1000 + 1, None, "", 0, created, created,
            state, step, stab, diff, _ts(due) if due else None, _ts(last) if last else None,
            0 if state == 0 else 8, 0, 0, 0, 0, None,
        ))
    con.executemany(f"insert into cards values ({', '.join('?' * 30)})", cards)
    before = '{"state":2,"reps":7}'
    after = '{"state":2,"reps":8}'
    start = NOW - timedelta(days=730)
    span = 730 * 86400
    batch = []
    for n in range(n_log):
        at = start + timedelta(seconds=span * n / n_log)
        batch.append((reviewed[n % len(reviewed)], _ts(at), rng.choice((1, 3, 3, 3, 4)), 4000, before, after))
        if len(batch) == 50_000:
            con.executemany("insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?, ?, ?, ?, ?, ?)", batch)
            batch = []
    if batch:
        con.executemany("insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?, ?, ?, ?, ?, ?)", batch)
    con.commit()
    con.close()


def measure(step: Callable[[], object], n: int) -> list[float]:
    """Milliseconds of each of n calls."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def summarize(name: str, times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]
    row = {"median_ms": statistics.median(ordered), "p99_ms": p99, "max_ms": ordered[-1]}
    print(f"{name:28} {row['median_ms']:8.2f} {row['p99_ms']:8.2f} {row['max_ms']:8.2f}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=500)
    parser.add_argument("--out", type=Path, help="Also write the figures as JSON here.")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:answer block).")
    parser.add_argument("--base", type=Path, help="Reuse (copy) this built collection, building it there first if missing.")
    args = parser.parse_args()

    from studydl.domain.review import Rating
    from studydl.engine.session import ReviewSession
    from studydl.engine.settings import Settings
    from studydl.store.db import Database

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "studydl.db"
        t0 = time.perf_counter()
        if args.base is not None:
            if not args.base.exists():
                build_collection(args.base, args.cards, args.log)
            shutil.copyfile(args.base, path)
        else:
            build_collection(path, args.cards, args.log)
        print(f"built {args.cards} cards + {args.log} log rows in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        db = Database(path)
        clock_now = [NOW]

        def clock() -> datetime:
            return clock_now[0]

        t0 = time.perf_counter()
        session = ReviewSession(db, clock=clock, settings=Settings(new_per_day=100, reviews_per_day=9999))
        start_ms = (time.perf_counter() - t0) * 1000
        rng = random.Random(2)
        next_times, answer_times, both, cpu = [], [], [], []
        for _ in range(args.answers):
            c0 = time.process_time()
            t0 = time.perf_counter()
            due = session.next_card()
            t1 = time.perf_counter()
            if due is None:
                break
            session.answer(due.card.id, rng.choice((Rating.AGAIN, Rating.GOOD, Rating.GOOD, Rating.EASY)), 3000)
            t2 = time.perf_counter()
            next_times.append((t1 - t0) * 1000)
            answer_times.append((t2 - t1) * 1000)
            both.append((t2 - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            clock_now[0] += timedelta(seconds=8)
        print(f"{'studydl (ms)':28} {'median':>8} {'p99':>8} {'max':>8}")
        print(f"{'session start':28} {start_ms:8.2f}")
        figures = {
            "cards": args.cards,
            "log_rows": args.log,
            "answers": len(both),
            "session_start_ms": start_ms,
            "next_card": summarize("next_card", next_times),
            "answer (committed)": summarize("answer (committed)", answer_times),
            "next_card + answer": summarize("next_card + answer", both),
            "cpu of next_card + answer": summarize("  of which CPU (this process)", cpu),
        }
        db.dispose()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    if args.readme:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_util import write_readme_block

        lines = ["| studydl, ms | median | p99 | max |", "|---|---:|---:|---:|"]
        for key, value in figures.items():
            if isinstance(value, dict):
                lines.append(f"| {key} | {value['median_ms']:.2f} | {value['p99_ms']:.2f} | {value['max_ms']:.2f} |")
        lines.append(f"| session start (counts) | {figures['session_start_ms']:.0f} | | |")
        table = f"{args.cards:,} cards, {args.log:,} log rows, {len(both)} answers; each answer one committed transaction (synchronous=FULL).\n\n" + "\n".join(lines)
        write_readme_block("answer", table, f"python bench/answer_latency.py --cards {args.cards} --log {args.log} --answers {args.answers} --readme")


if __name__ == "__main__":
    main()
