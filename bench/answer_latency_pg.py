"""Answer latency on PostgreSQL over loopback beside SQLite: one collection, next card + answer, 500 answers each.

    .venv/bin/python bench/answer_latency_pg.py [--cards 100000] [--log 1000000] [--answers 500]
        [--blocks 5] [--base DIR] [--url URL] [--readme]

Builds the collection bench/answer_latency.py builds (100k cards in 100 decks, 1M
review-log rows, as a SQLite file), copies it into PostgreSQL with the code behind
`studydl copy-to` (studydl.store.copy) and runs ANALYZE (as autovacuum would soon
after), then answers both copies, one card at a time, as the app does
(`ReviewSession.next_card` + `answer`, each answer one committed transaction), in
alternating blocks in this one process, with the same rating mix from the same seed.

The server is a throwaway cluster (tests/pg_server.py: initdb in a temporary folder,
PostgreSQL 15's defaults, fsync on) on 127.0.0.1 over TCP, on the same disk as the
SQLite file: both commits are durable when they return (SQLite synchronous=FULL;
PostgreSQL synchronous_commit=on, which studydl sets for its sessions). `--url` uses
a server of your own instead (an empty database or schema; it is filled, not cleared).
Prints median, p99 (nearest rank) and max per step, the process CPU per answer (the
server's own CPU is not in it), the ratio of the medians, and the copy's time. Never
pass/fail on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from answer_latency import StudydlReviewer, Timings, prepare, run, stats  # noqa: E402

from tests.pg_proxy import RoundTripProxy  # noqa: E402

ROWS = [("next card", "next_card"), ("answer, committed", "answer"), ("next card + answer", "total"), ("CPU of next card + answer", "cpu")]

class Side(StudydlReviewer):
    """studydl's reviewer on one database, under the name the table gives it."""

    def __init__(self, name: str, where: str | Path, proxy: RoundTripProxy | None = None) -> None:
        super().__init__(where)  # type: ignore[arg-type]  # a file or a URL: Database takes either
        self.name = name
        self.proxy = proxy
        self.trips: dict[str, list[int]] = {"next_card": [], "answer": []}

    def start(self) -> None:
        super().start()
        if self.proxy is None:
            return
        for step in self.trips:  # each call counted by the relay the connection goes through
            setattr(self.session, step, self._counted(step, getattr(self.session, step)))

    def _counted(self, step: str, call):  # noqa: ANN001, ANN202
        proxy, out = self.proxy, self.trips[step]
        assert proxy is not None

        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            before = proxy.count()
            result = call(*args, **kwargs)
            out.append(proxy.count() - before)
            return result

        return counted

def trips_line(side: Side, latency_ms: float) -> str:
    """Round trips per step, as the relay in front of the server counted them."""
    parts = []
    for label, key in (("next card", "next_card"), ("answer", "answer")):
        counts = side.trips[key]
        if counts:
            parts.append(f"{label} median {statistics.median(counts):.0f} (max {max(counts)})")
    total = [a + b for a, b in zip(side.trips["next_card"], side.trips["answer"], strict=False)]
    if not total:
        return ""
    median = statistics.median(total)
    return (
        f"Round trips to PostgreSQL, counted by a relay in front of the server (tests/pg_proxy.py): {'; '.join(parts)};"
        f" next card + answer median {median:.0f}, so about {median * 20:.0f} ms of waiting per card at 20 ms of network"
        f" latency" + (f" (this run added {latency_ms:g} ms per round trip)." if latency_ms else ".")
    )

def table(sides: dict[str, Timings]) -> str:
    names = list(sides)
    head = "| ms per answer | " + " | ".join(f"{n} median | {n} p99 | {n} max" for n in names) + " | PostgreSQL ÷ SQLite (medians) |"
    lines = [head, "|---|" + "---:|" * (3 * len(names) + 1)]
    for label, key in ROWS:
        cells = []
        for n in names:
            s = stats(getattr(sides[n], key))
            cells += [f"{s['median_ms']:.2f}", f"{s['p99_ms']:.2f}", f"{s['max_ms']:.2f}"]
        ratio = statistics.median(getattr(sides["PostgreSQL"], key)) / statistics.median(getattr(sides["SQLite"], key))
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio:.1f}x |")
    start = [c for n in names for c in (f"{sides[n].start_ms:.0f}", "", "")]
    ratio = sides["PostgreSQL"].start_ms / sides["SQLite"].start_ms
    lines.append("| session start (counts, first queue) | " + " | ".join(start) + f" | {ratio:.1f}x |")
    return "\n".join(lines)

def copy_to_server(sqlite_file: Path, url: str) -> tuple[float, dict[str, int]]:
    """The collection into the server (store.copy), then ANALYZE; (seconds, rows per table)."""
    from sqlalchemy import text

    from studydl.store.copy import copy_collection
    from studydl.store.db import Database

    source, target = Database(sqlite_file), Database(url)
    try:
        t0 = time.perf_counter()
        report = copy_collection(source, target)
        seconds = time.perf_counter() - t0
        with target.engine.connect() as con:
            con.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        source.dispose()
        target.dispose()
    return seconds, report.rows

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=500, help="Answers per side.")
    parser.add_argument("--blocks", type=int, default=5, help="Alternating blocks the answers are split into.")
    parser.add_argument("--base", type=Path, help="Keep the built SQLite collection here (per size and day).")
    parser.add_argument("--url", help="A PostgreSQL server of your own (an empty database or schema) instead of a throwaway one.")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="Network latency the relay adds per round trip (half each way).")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:answer-pg block).")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        from tests.pg_server import PgServer, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise SystemExit("PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql), or pass --url")
        server = PgServer(bin_dir, durable=True).start()
        url = server.url(direct=True)
    load_before = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_file, _, due_today = prepare(args.base, Path(tmp), args.cards, args.log, with_anki=False)
            copy_s, rows = copy_to_server(sqlite_file, url)
            print(f"copied {rows['cards']:,} cards and {rows['review_log']:,} log rows into PostgreSQL in {copy_s:.1f} s", file=sys.stderr)
            host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 5432
            proxy = RoundTripProxy((host, port), delay_s=args.latency_ms / 2000)
            pg = Side("PostgreSQL", proxy.url(url), proxy)
            sides = [Side("SQLite", sqlite_file), pg]
            os.sync()
            try:
                run(sides, args.answers, args.blocks)  # type: ignore[arg-type]
            finally:
                for side in sides:
                    side.close()
                proxy.close()
    finally:
        if server is not None:
            server.close()
    load_after = os.getloadavg()[0]
    timings = {side.name: side.timings for side in sides}
    setup = (
        f"{args.cards:,} cards in {max(1, args.cards // 1000)} decks, {args.log:,} review-log rows, {due_today:,} reviews"
        f" due today; {len(timings['SQLite'].total)} answers per side in {args.blocks} alternating blocks in one process."
        " SQLite: the file, synchronous=FULL. PostgreSQL 15 on 127.0.0.1 over TCP (fsync on, synchronous_commit=on), same disk,"
        f" through a relay in this process that counts round trips and adds {args.latency_ms:g} ms to each."
    )
    mix = "; ".join(
        f"{n}: due at start {dict(t.counts_at_start)}, answered {dict(sorted(t.kinds.items()))}" for n, t in timings.items()
    )
    notes = (
        f"Copying the collection into the server (`studydl copy-to`'s code) took {copy_s:.1f} s. The CPU row is this"
        f" process's (the server's is not in it). Load average {load_before:.1f} before, {load_after:.1f} after.\n\n{trips_line(pg, args.latency_ms)}\n\nQueues: {mix}."
    )
    text = f"{setup}\n\n{table(timings)}\n\n{notes}"
    print(text)
    if args.readme:
        from bench_util import write_readme_block

        command = f"python bench/answer_latency_pg.py --cards {args.cards} --log {args.log} --answers {args.answers} --blocks {args.blocks} --latency-ms {args.latency_ms:g} --readme"
        write_readme_block("answer-pg", text, command)

if __name__ == "__main__":
    main()
