"""Sync benchmark: a generated 10,000-card deck folder synced from empty, re-synced unchanged, and after one edit.

Usage: .venv/bin/python bench/sync.py [--cards 10000] [--runs 5] [--readme]
Prints a Markdown table (medians over runs); with --readme writes it into README.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_util import write_readme_block

from studydl.decks.sync import sync_decks
from studydl.store.db import Database

CARDS_PER_FILE = 500


def make_decks(folder: Path, cards: int) -> list[Path]:
    files = []
    for f in range(0, cards, CARDS_PER_FILE):
        lines = [f"---\ndeck: Generated {f // CARDS_PER_FILE}\n---\n"]
        for i in range(f, min(f + CARDS_PER_FILE, cards)):
            if i % 50 == 0:
                lines.append(f"# Section {i // 50}\n")
            if i % 3 == 0:
                lines.append(f"Q: What is fact number {i} about layer {i % 17}?\nA: Answer {i}, with `code_{i}`.\n")
            elif i % 3 == 1:
                lines.append(f"term {i} :: definition of term {i}\n")
            else:
                lines.append(f"Fact {i} says that {{{{value {i}}}}} matters.\n")
        path = folder / f"gen-{f // CARDS_PER_FILE:03}.md"
        path.write_text("\n".join(lines))
        files.append(path)
    return files


def one_run(cards: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decks"
        folder.mkdir()
        files = make_decks(folder, cards)
        db = Database(Path(tmp) / "bench.db")
        timings = {}
        t = time.perf_counter()
        report = sync_decks(db, [folder])
        timings["from empty"] = time.perf_counter() - t
        assert len(report.added) == cards, (len(report.added), report.errors[:3])
        t = time.perf_counter()
        report = sync_decks(db, [folder])
        timings["unchanged"] = time.perf_counter() - t
        assert not report.touched
        text = files[3].read_text().replace("definition of term 1501", "definition of the term 1501", 1)
        files[3].write_text(text)
        t = time.perf_counter()
        report = sync_decks(db, [folder])
        timings["one card edited"] = time.perf_counter() - t
        assert len(report.changed) == 1 and not report.added, report
        db.dispose()
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    runs = [one_run(args.cards) for _ in range(args.runs)]
    targets = {"from empty": "< 1 s", "unchanged": "< 50 ms", "one card edited": "-"}
    rows = ["| sync of 10,000 cards | median | min | target |", "| --- | ---: | ---: | --- |"]
    for key, target in targets.items():
        values = [r[key] for r in runs]
        rows.append(f"| {key} | {statistics.median(values) * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {target} |")
    table = "\n".join(rows)
    print(table)
    if args.readme:
        write_readme_block("sync", table, f"python bench/sync.py --cards {args.cards} --runs {args.runs} --readme")


if __name__ == "__main__":
    main()
