"""Sync benchmark: a generated 10,000-card deck folder synced from empty, re-synced unchanged, and after one edit.

Usage: .venv/bin/python bench/sync.py [--cards 10000] [--runs 5] [--base DIR] [--readme]
Prints a Markdown table (medians over runs); with --readme writes it into README.md.
`--base DIR` keeps the generated folder there and reuses it (a 1,000,000-card folder is
2,000 files, 55 MB: written once); each run syncs it into a new, empty store.
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


def make_decks(folder: Path, cards: int, per_file: int = CARDS_PER_FILE) -> list[Path]:
    """`cards` generated cards of three forms (Q/A, `::`, cloze) in files of `per_file`, a section every 50."""
    files = []
    for f in range(0, cards, per_file):
        lines = [f"---\ndeck: Generated {f // per_file}\n---\n"]
        for i in range(f, min(f + per_file, cards)):
            if i % 50 == 0:
                lines.append(f"# Section {i // 50}\n")
            if i % 3 == 0:
                lines.append(f"Q: What is fact number {i} about layer {i % 17}?\nA: Answer {i}, with `code_{i}`.\n")
            elif i % 3 == 1:
                lines.append(f"term {i} :: definition of term {i}\n")
            else:
                lines.append(f"Fact {i} says that {{{{value {i}}}}} matters.\n")
        path = folder / f"gen-{f // per_file:03}.md"
        path.write_text("\n".join(lines))
        files.append(path)
    return files


def deck_folder(tmp: Path, cards: int, base: Path | None) -> tuple[Path, list[Path]]:
    """The generated folder: in `tmp`, or kept in `base` (written once per size)."""
    folder = (base / f"decks-{cards}") if base else tmp / "decks"
    done = folder / ".complete"
    if done.exists():
        return folder, sorted(folder.glob("gen-*.md"))
    folder.mkdir(parents=True, exist_ok=True)
    files = make_decks(folder, cards)
    done.touch()
    return folder, files


def one_run(cards: int, base: Path | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        folder, files = deck_folder(Path(tmp), cards, base)
        original = files[3].read_text()
        db = Database(Path(tmp) / "bench.db")
        timings = {}
        t = time.perf_counter()
        report = sync_decks(db, [folder])
        timings["from empty"] = time.perf_counter() - t
        assert len(report.added) == cards, (len(report.added), report.errors[:3])
        del report  # freed here, not inside the next timing (a million cards' report takes a while to free)
        t = time.perf_counter()
        report = sync_decks(db, [folder])
        timings["unchanged"] = time.perf_counter() - t
        assert not report.touched
        files[3].write_text(original.replace("definition of term 1501", "definition of the term 1501", 1))
        try:
            t = time.perf_counter()
            report = sync_decks(db, [folder])
            timings["one card edited"] = time.perf_counter() - t
        finally:
            files[3].write_text(original)
        assert len(report.changed) == 1 and not report.added, report
        db.dispose()
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--base", type=Path, help="Keep the generated deck folder here (and reuse it).")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    if args.base:
        args.base.mkdir(parents=True, exist_ok=True)
    runs = [one_run(args.cards, args.base) for _ in range(args.runs)]
    targets = {"from empty": "< 1 s", "unchanged": "< 50 ms", "one card edited": "-"}
    if args.cards >= 1_000_000:
        targets["from empty"] = "< 60 s"
    rows = [f"| sync of {args.cards:,} cards | median | min | target |", "| --- | ---: | ---: | --- |"]
    for key, target in targets.items():
        values = [r[key] for r in runs]
        rows.append(f"| {key} | {statistics.median(values) * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {target} |")
    table = "\n".join(rows)
    print(table)
    if args.readme:
        write_readme_block("sync", table, f"python bench/sync.py --cards {args.cards} --runs {args.runs} --readme")


if __name__ == "__main__":
    main()
