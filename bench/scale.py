"""How every cost grows with the collection: 10,000, 100,000 (and 1,000,000) cards, beside Anki where it has one.

    .venv/bin/python bench/scale.py [--sizes 10000,100000] [--answers 200] [--base DIR]
        [--no-anki] [--no-optimize] [--readme]

Per size N, in a fresh child process (so its peak memory is its own):

- sync from empty and unchanged: N generated cards in deck files (bench/sync.py's
  generator, 500 cards a file) into an empty SQLite collection, then again unchanged;
- a collection of N cards with 10N review-log rows and an Anki collection of the same
  shape (bench/answer_latency.py's builders; one deck per 1,000 cards), on which:
  `studydl due` as a process (spawn to exit, median of 3); `studydl cards is:due` as a
  process (its output thrown away) beside Anki's `find_cards("is:due")`; the deck list's
  counts as the app loads them (`load_home_data`) beside Anki's `deck_due_tree()`;
  next card + answer (`ReviewSession`, committed; medians of `--answers`, studydl's
  answers first, then Anki's `get_queued_cards` + `answer_card`); optimize on the whole
  log (`optimize_collection`, not saved) beside Anki's `compute_fsrs_params`; simulate 30
  days (`forecast`) beside Anki's `simulate_fsrs_review`;
- memory: the child's peak RSS after studydl's steps (before Anki's backend is loaded).

Prints one Markdown table, sizes side by side, and the ratio of growth per 10x; never
pass/fail on time. `--base DIR` keeps the built collections (per size and day).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

ROWS = [
    ("sync from empty (s)", "sync_empty"),
    ("sync unchanged (s)", "sync_unchanged"),
    ("`studydl due`, process (s)", "due"),
    ("`studydl cards is:due`, process (s) · Anki find_cards", "cards_due"),
    ("deck list counts (s) · Anki deck_due_tree", "deck_counts"),
    ("next card + answer, median (s)", "answer"),
    ("optimize on the whole log (s) · Anki compute_fsrs_params", "optimize"),
    ("simulate 30 days (s) · Anki simulate_fsrs_review", "simulate"),
    ("peak memory (MiB)", "memory_mib"),
]


def _timed(call) -> float:  # noqa: ANN001
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _process(argv: list[str], runs: int) -> float:
    env = dict(os.environ, TZ="UTC")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def one_size(cards: int, answers: int, base: Path | None, with_anki: bool, optimize: bool) -> dict[str, dict[str, float]]:
    """Every figure for one size: {"studydl": {...}, "anki": {...}}."""
    from answer_latency import CARDS_PER_DECK, AnkiSide, StudydlReviewer, prepare
    from sync import make_decks

    from studydl.decks.sync import sync_decks
    from studydl.engine.settings import Settings
    from studydl.engine.simulate import clear_cache, forecast
    from studydl.engine.workload_cards import load_workload
    from studydl.store.db import Database
    from studydl.tui.home_data import load_home_data

    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "decks"
        folder.mkdir()
        make_decks(folder, cards)
        db = Database(work / "sync.db")
        ours["sync_empty"] = _timed(lambda: sync_decks(db, [folder]))
        ours["sync_unchanged"] = _timed(lambda: sync_decks(db, [folder]))
        db.dispose()
        shutil.rmtree(folder)

        studydl_db, anki_file, _ = prepare(base, work, cards, cards * 10, with_anki)
        home = work / "home"
        home.mkdir()
        cli = [sys.executable, "-m", "studydl", "--home", str(home), "--db", str(studydl_db)]
        ours["due"] = _process([*cli, "due"], 3)
        ours["cards_due"] = _process([*cli, "cards", "is:due"], 1)
        db = Database(studydl_db)
        now = datetime.now(UTC)
        ours["deck_counts"] = statistics.median(_timed(lambda: load_home_data(db, now)) for _ in range(3))
        settings = Settings(timezone="UTC", new_per_day=100, reviews_per_day=9999)
        clear_cache()
        ours["simulate"] = _timed(lambda: forecast(load_workload(db, now, settings), 0.9, 30))
        if optimize:
            from studydl.engine.optimize import optimize_collection

            ours["optimize"] = _timed(lambda: optimize_collection(db, save=False, settings=Settings(timezone="UTC")))
        db.dispose()
        ours["answer"] = _answering(StudydlReviewer(studydl_db), answers)
        ours["memory_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        if anki_file is not None:
            theirs = _anki_side(anki_file, answers, max(1, cards // CARDS_PER_DECK), optimize, AnkiSide)
    return {"studydl": ours, "anki": theirs}


def _anki_side(path: Path, answers: int, decks: int, optimize: bool, side_class) -> dict[str, float]:  # noqa: ANN001
    from anki.collection import Collection
    from anki.deck_config_pb2 import DeckConfig
    from anki.scheduler_pb2 import SimulateFsrsReviewRequest

    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS

    out: dict[str, float] = {}
    col = Collection(str(path))
    try:
        out["cards_due"] = _timed(lambda: col.find_cards("is:due"))
        out["deck_counts"] = statistics.median(_timed(col.sched.deck_due_tree) for _ in range(3))
        request = SimulateFsrsReviewRequest(
            params=list(DEFAULT_PARAMETERS), desired_retention=0.9, deck_size=0, days_to_simulate=30,
            new_limit=100 * decks, review_limit=9999, max_interval=36500, search="deck:*",
            new_cards_ignore_review_limit=True, easy_days_percentages=[1.0] * 7,
            review_order=DeckConfig.Config.ReviewCardOrder.REVIEW_CARD_ORDER_DAY, suspend_after_lapse_count=8,
            historical_retention=0.9, learning_step_count=2, relearning_step_count=1,
        )  # fmt: skip
        out["simulate"] = _timed(lambda: col._backend.simulate_fsrs_review(request))
        if optimize:
            started = time.perf_counter()
            fitted = col._backend.compute_fsrs_params(
                search="", current_params=[], ignore_revlogs_before_ms=0, num_of_relearning_steps=1, health_check=False
            )
            if fitted.fsrs_items:  # (none: Anki found nothing to fit in this log, and its time says nothing)
                out["optimize"] = time.perf_counter() - started
    finally:
        col.close()
    out["answer"] = _answering(side_class(path), answers)
    return out


def _answering(side, answers: int) -> float:  # noqa: ANN001
    """Median seconds of next card + answer over `answers` cards (bench/answer_latency.py's sides)."""
    side.start()
    for _ in range(answers):
        if not side.step():
            break
    side.close()
    return statistics.median(side.timings.total) / 1000


def _cell(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(sizes: list[int], figures: dict[int, dict[str, dict[str, float]]]) -> str:
    head = "| cost | " + " | ".join(f"{n:,} studydl | {n:,} Anki" for n in sizes)
    if len(sizes) > 1:
        head += f" | studydl {sizes[-1] // sizes[-2]}x cards → |"
    else:
        head += " |"
    cols = 2 * len(sizes) + (1 if len(sizes) > 1 else 0)
    lines = [head, "|---|" + "---:|" * cols]
    for label, key in ROWS:
        cells = []
        for n in sizes:
            cells += [_cell(figures[n]["studydl"].get(key)), _cell(figures[n]["anki"].get(key))]
        if len(sizes) > 1:
            a, b = figures[sizes[-2]]["studydl"].get(key), figures[sizes[-1]]["studydl"].get(key)
            cells.append(f"{b / a:.1f}x" if a and b else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="Card counts, comma-separated (10x as many log rows each).")
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--base", type=Path, help="Keep the built collections here (per size and day).")
    parser.add_argument("--no-anki", action="store_true")
    parser.add_argument("--no-optimize", action="store_true", help="Skip optimize (the longest step) on both sides.")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:scale block).")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child: one size, JSON out
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    from anki_backend import anki_available, anki_version

    with_anki = not args.no_anki and anki_available()
    if args.one:
        figures = one_size(args.one, args.answers, args.base, with_anki, not args.no_optimize)
        print(json.dumps(figures))
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    figures = {}
    load_before = os.getloadavg()[0]
    for n in sizes:
        argv = [sys.executable, __file__, "--one", str(n), "--answers", str(args.answers)]
        argv += ["--base", str(args.base)] if args.base else []
        argv += ["--no-anki"] if args.no_anki else []
        argv += ["--no-optimize"] if args.no_optimize else []
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        figures[n] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{n:,} cards done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    load_after = os.getloadavg()[0]
    text = (
        f"Sizes {', '.join(f'{n:,}' for n in sizes)} cards, 10x as many review-log rows each, one deck per 1,000 cards;"
        f" {args.answers} answers per side; studydl on SQLite" + (f", Anki {anki_version()}" if with_anki else "") + "."
        f" Load average {load_before:.1f} before, {load_after:.1f} after.\n\n{table(sizes, figures)}"
    )
    print(text)
    if args.readme:
        from bench_util import write_readme_block

        command = f"python bench/scale.py --sizes {args.sizes} --answers {args.answers}"
        command += (" --no-anki" if args.no_anki else "") + (" --no-optimize" if args.no_optimize else "") + " --readme"
        write_readme_block("scale", text, command)


if __name__ == "__main__":
    main()
