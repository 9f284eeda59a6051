"""Syncing answers with the shared log: a push of 10,000 answers, their pull on another device, and a sync with nothing to do.

    .venv/bin/python bench/sync_events.py [--cards 2000] [--answers 10000] [--runs 3] [--noop-runs 9] [--readme]

Two devices (homes of their own, each with its own SQLite store) on the same deck of
`--cards` cards. The laptop answers `--answers` times with the real review session
(`ReviewSession.answer`, each answer its own committed transaction; ratings from a
fixed seed, days apart on a hand-moved clock), offline. Then, per run, on a fresh
schema of a throwaway PostgreSQL server (tests/pg_server.py: PostgreSQL 15's
defaults, fsync on, 127.0.0.1 over TCP) and fresh copies of both stores:

- push: the laptop's first sync (`studydl.replica.sync.sync_answers`): every answer
  gets its event id, is pushed in batches, and marked as pushed;
- pull: the desktop's first sync: every answer pulled, added to its review log, and
  every card answered replayed from the merged log;
- no-op: either device syncing again with nothing new (the median of `--noop-runs`).

Times are wall time of the whole sync, connection included. Never pass/fail on time.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studydl.decks.sync import sync_decks  # noqa: E402
from studydl.engine.session import ReviewSession  # noqa: E402
from studydl.home import Home  # noqa: E402
from studydl.replica.sync import BATCH, SyncReport, sync_answers  # noqa: E402

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RATINGS = (1, 2, 3, 3, 3, 3, 4)


def deck(cards: int) -> str:
    body = "\n\n".join(f"Q: What is bench fact {i}?\nA: Answer {i}." for i in range(cards))
    return f"---\ndeck: Bench\n---\n# Bench\n\n{body}\n"


def device(root: Path, url: str, cards: int) -> Home:
    """A home on the shared log with the bench deck synced (the bundled decks left out)."""
    home = Home(root, db_url=url).ensure()
    (home.decks_dir / "bench.md").write_text(deck(cards), encoding="utf-8")
    db = home.open_db()
    try:
        report = sync_decks(db, [home.decks_dir], roots=home.named_roots())
        assert report.ok, report.errors
    finally:
        db.dispose()
    return home


def answer_offline(home: Home, answers: int) -> float:
    """`answers` answers, round-robin over the deck's cards, a day apart per round; seconds taken."""
    now = [START]
    db = home.open_db()
    try:
        with db.raw_read() as con:
            ids = [row[0] for row in con.execute("SELECT id FROM cards ORDER BY id")]
        session = ReviewSession(db, clock=lambda: now[0])
        draw = random.Random(0)
        t0 = time.perf_counter()
        for n in range(answers):
            if n % len(ids) == 0:
                now[0] = START + timedelta(days=3 * (n // len(ids)))
            now[0] += timedelta(seconds=5)
            session.answer(ids[n % len(ids)], draw.choice(RATINGS), duration_ms=4000)
        return time.perf_counter() - t0
    finally:
        db.dispose()


def timed_sync(home: Home) -> tuple[float, SyncReport]:
    db = home.open_db()
    try:
        t0 = time.perf_counter()
        report = sync_answers(db, home.shared_log)
        seconds = time.perf_counter() - t0
    finally:
        db.dispose()
    if report.error is not None:
        raise SystemExit(f"sync failed: {report.error}")
    return seconds, report


def fresh_copy(pristine: Path, root: Path, url: str) -> Home:
    """A home on `url` whose store is a copy of `pristine`'s (never synced: a new device each run)."""
    shutil.copytree(pristine, root)
    return Home(root, db_url=url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="Push + pull runs, each on a fresh schema and fresh stores.")
    parser.add_argument("--noop-runs", type=int, default=9)
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:sync-events block).")
    args = parser.parse_args()

    from tests.pg_server import PgServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql)")
    load_before = os.getloadavg()[0]
    push, pull, noop = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        server = PgServer(bin_dir, durable=True).start()
        try:
            laptop = device(base / "laptop", "", args.cards)
            answering_s = answer_offline(laptop, args.answers)
            desktop = device(base / "desktop", "", args.cards)
            print(f"{args.answers:,} answers given offline in {answering_s:.1f} s", file=sys.stderr)
            for run in range(args.runs):
                url = server.new_shared_log()
                mine = fresh_copy(laptop.root, base / f"laptop-{run}", url)
                theirs = fresh_copy(desktop.root, base / f"desktop-{run}", url)
                seconds, report = timed_sync(mine)
                assert report.pushed >= args.answers and report.waiting == 0, report
                push.append((seconds, report.pushed))
                seconds, report = timed_sync(theirs)
                assert report.merged.answers == args.answers, report
                pull.append((seconds, report.pulled, report.merged.cards))
                for _ in range(args.noop_runs):
                    for home in (mine, theirs):
                        seconds, report = timed_sync(home)
                        assert report.pushed == report.pulled == 0, report
                        noop.append(seconds)
                print(f"run {run + 1}: push {push[-1][0]:.2f} s, pull {pull[-1][0]:.2f} s", file=sys.stderr)
        finally:
            server.close()
    load_after = os.getloadavg()[0]
    pushed, pulled, replayed = push[0][1], pull[0][1], pull[0][2]
    rows = [
        ("push: the laptop's first sync", [s for s, _ in push], f"{pushed:,} events" + (f" ({args.answers:,} answers, the rest settings)" if pushed > args.answers else " (the answers)")),
        ("pull: the desktop's first sync", [s for s, _, _ in pull], f"{pulled:,} events, {args.answers:,} answers added; cards replayed {replayed:,} times (once per batch of {BATCH:,} that touched them)"),
        ("sync with nothing to do", noop, f"median of {len(noop)} (both devices, after each run)"),
    ]
    lines = ["| sync | median s | min s | max s | what moved |", "|---|---:|---:|---:|---|"]
    for label, times, moved in rows:
        lines.append(f"| {label} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} | {moved} |")
    setup = (
        f"Two devices with their own SQLite stores on one {args.cards:,}-card deck; the laptop gave {args.answers:,} answers"
        f" offline (the review session's own `answer`, {answering_s:.1f} s in all). {args.runs} runs, each on a fresh schema"
        " of a throwaway PostgreSQL 15 on 127.0.0.1 over TCP (fsync on) and fresh copies of both stores;"
        " times are a whole `sync_answers` (what `studydl sync` runs after the decks), connection included."
    )
    text = f"{setup}\n\n" + "\n".join(lines) + f"\n\nLoad average {load_before:.1f} before, {load_after:.1f} after."
    print(text)
    if args.readme:
        from bench_util import write_readme_block

        command = (
            f"python bench/sync_events.py --cards {args.cards} --answers {args.answers} --runs {args.runs}"
            f" --noop-runs {args.noop_runs} --readme"
        )
        write_readme_block("sync-events", text, command)


if __name__ == "__main__":
    main()
