"""`studydl due` as a whole process: spawn to exit, at 10,000 cards, beside the bare interpreter.

    .venv/bin/python bench/due.py [--cards 10000] [--runs 15] [--readme]

Builds the same home as bench/startup.py (N one-line cards in 10 decks, synced once),
then alternates runs of `python -m studydl --home H due`, of the interpreter doing
nothing (`python -c pass`) and of `python -m studydl --version` (the command group
alone), timing each from just before the spawn to its exit. Prints medians, whether
the `due` run imported SQLAlchemy, and the load average; never pass/fail on time.
Target: `due` within 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MS = 300


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def heavy_imports(argv: list[str], env: dict[str, str]) -> str:
    """Which heavy packages the command imports (from `-X importtime`)."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True, check=True)
    loaded = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    heavy = sorted(loaded & {"sqlalchemy", "alembic", "textual", "torch", "markdown_it", "yaml", "fsrs_rs_python"})
    return ", ".join(heavy) or "none"


def main() -> None:
    from startup import build_home

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        home = build_home(Path(tmp) / "home", args.cards)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        commands = {
            "due": [sys.executable, "-m", "studydl", "--home", str(home), "due"],
            "version": [sys.executable, "-m", "studydl", "--version"],
            "python": [sys.executable, "-c", "pass"],
        }
        timed(commands["due"], env)  # a first run settles the files in the page cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # alternate, so load on the machine hits all alike
            for name, argv in commands.items():
                times[name].append(timed(argv, env))
        heavy = heavy_imports(commands["due"], env)

    def median_ms(name: str) -> float:
        return statistics.median(times[name]) * 1000

    due = median_ms("due")
    table = "\n".join(
        [
            "| process | median | heavy packages imported |",
            "| --- | ---: | --- |",
            f"| `studydl due`, {args.cards:,} cards | {due:.0f} ms | {heavy} |",
            f"| `studydl --version` (the command group alone) | {median_ms('version'):.0f} ms | |",
            f"| `python -c pass` (the interpreter) | {median_ms('python'):.0f} ms | |",
            "",
            f"{args.runs} alternating runs each, from spawn to exit. Target: `due` within {TARGET_MS} ms"
            f" ({'met' if due <= TARGET_MS else 'missed'}). Load average {load_before:.1f} before,"
            f" {os.getloadavg()[0]:.1f} after.",
        ]
    )
    print(table)
    if args.readme:
        from bench_util import write_readme_block

        write_readme_block("due", table, f"python bench/due.py --cards {args.cards} --runs {args.runs} --readme")


if __name__ == "__main__":
    main()
