"""The workload simulator, studydl beside Anki: one collection shape, both simulators, one process.

    .venv/bin/python bench/simulate.py [--cards 2000,10000] [--days 30,365] [--runs 3] [--no-anki] [--readme]

For each size, builds a studydl collection (bench/answer_latency.py's `build_collection`:
20 % new, 5 % learning, 75 % review cards with FSRS memory states, intervals of 1-300
days, one deck per 1,000 cards, 100 new / 9,999 reviews a day per deck, a review log)
and an Anki 26.9.3 collection of the same shape (bench/anki_backend.py, the same decks
and limits). Then times, in alternating runs:

- studydl: `forecast(load_workload(...), 0.9, days)`, what `studydl simulate` does: read
  the cards and the log, then fsrs-rs's simulator per deck, the mean of its runs;
- Anki: `simulate_fsrs_review` through its backend (the deck options' simulator: read
  the cards, fsrs-rs's simulator once, all decks together under one limit of 100 new
  a day per deck).

The two do not do the same amount of simulating: Anki runs fsrs-rs's simulation once
(one seed); studydl averages fsrs-rs's runs (180 seeds up to 30 days, fewer beyond, 16
for a year, each four times: see engine/simulate.py), deck by deck. The table says how
many runs each side averaged. Also times the stats screen's comparison (7 retentions
over 365 days). Never pass/fail on time. Local time is UTC for both sides.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NEW_PER_DAY, REVIEWS_PER_DAY = 100, 9999


def build(folder: Path, cards: int, with_anki: bool) -> tuple[Path, Path | None]:
    from answer_latency import CARDS_PER_DECK, build_collection

    ours = folder / f"studydl-{cards}.db"
    build_collection(ours, cards, cards * 5)
    theirs = None
    if with_anki:
        from anki_backend import build_anki_collection

        theirs = build_anki_collection(
            folder / f"anki-{cards}",
            cards,
            cards * 5,
            due_today=cards // 20,
            decks=max(1, cards // CARDS_PER_DECK),
            new_per_day=NEW_PER_DAY,
            reviews_per_day=REVIEWS_PER_DAY,
        )
    return ours, theirs


def time_studydl(path: Path, days: int) -> tuple[float, float, int]:
    """(seconds, mean answers a day, runs averaged per deck)."""
    from studydl.engine.settings import Settings
    from studydl.engine.simulate import clear_cache, forecast
    from studydl.engine.workload_cards import load_workload
    from studydl.store.db import Database

    clear_cache()  # every run simulates afresh
    db = Database(path)
    try:
        started = time.perf_counter()
        settings = Settings(timezone="UTC", new_per_day=NEW_PER_DAY, reviews_per_day=REVIEWS_PER_DAY)
        result = forecast(load_workload(db, datetime.now(UTC), settings), 0.9, days)
        assert result is not None
        return time.perf_counter() - started, result.mean_reviews, result.runs
    finally:
        db.dispose()


def time_sweep(path: Path) -> float:
    from studydl.engine.settings import Settings
    from studydl.engine.simulate import (
        SWEEP_DAYS,
        clear_cache,
        sweep_retentions,
        workload_by_retention,
    )
    from studydl.engine.workload_cards import load_workload
    from studydl.store.db import Database

    clear_cache()
    db = Database(path)
    try:
        started = time.perf_counter()
        settings = Settings(timezone="UTC", new_per_day=NEW_PER_DAY, reviews_per_day=REVIEWS_PER_DAY)
        workload = load_workload(db, datetime.now(UTC), settings)
        list(workload_by_retention(workload, sweep_retentions(0.9), SWEEP_DAYS))
        return time.perf_counter() - started
    finally:
        db.dispose()


def time_anki(path: Path, days: int, decks: int) -> tuple[float, float]:
    """(seconds, mean answers a day) of Anki's simulator on the whole collection."""
    from anki.collection import Collection
    from anki.scheduler_pb2 import SimulateFsrsReviewRequest

    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS

    col = Collection(str(path))
    try:
        request = SimulateFsrsReviewRequest(
            params=list(DEFAULT_PARAMETERS),
            desired_retention=0.9,
            deck_size=0,
            days_to_simulate=days,
            new_limit=NEW_PER_DAY * decks,
            review_limit=REVIEWS_PER_DAY,
            max_interval=36500,
            search="deck:Bench",
            new_cards_ignore_review_limit=True,
            easy_days_percentages=[1.0] * 7,
            historical_retention=0.9,
            learning_step_count=2,
            relearning_step_count=1,
        )
        started = time.perf_counter()
        response = col._backend.simulate_fsrs_review(request)
        seconds = time.perf_counter() - started
        answers = sum(response.daily_review_count) + sum(response.daily_new_count)
        return seconds, answers / days
    finally:
        col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", default="2000,10000", help="Collection sizes, comma-separated.")
    parser.add_argument("--days", default="30,365", help="Days to forecast, comma-separated.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-anki", action="store_true")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:simulate block).")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    from anki_backend import anki_available

    with_anki = not args.no_anki and anki_available()
    sizes = [int(x) for x in args.cards.split(",")]
    spans = [int(x) for x in args.days.split(",")]
    lines = [
        f"Median of {args.runs} alternating runs. Forecast: desired retention 90%; "
        "answers a day: the mean over the days forecast (reviews plus new cards).",
        "",
        "| cards (decks) | days | studydl `simulate` | fsrs-rs runs per deck (its seeds ×4) | answers a day | "
        "Anki `simulate_fsrs_review` (1 run) | answers a day |",
        "|---|---|---|---|---|---|---|",
    ]
    sweeps = []
    with tempfile.TemporaryDirectory(prefix="studydl-simulate-bench-") as tmp:
        for cards in sizes:
            decks = max(1, cards // 1000)
            ours_path, anki_path = build(Path(tmp), cards, with_anki)
            for days in spans:
                ours, theirs = [], []
                ours_answers = theirs_answers = 0.0
                runs = 0
                for run in range(args.runs):
                    order = ("studydl", "anki") if run % 2 == 0 else ("anki", "studydl")
                    for side in order:
                        if side == "studydl":
                            seconds, ours_answers, runs = time_studydl(ours_path, days)
                            ours.append(seconds)
                        elif anki_path is not None:
                            seconds, theirs_answers = time_anki(anki_path, days, decks)
                            theirs.append(seconds)
                anki_cells = (
                    f"{statistics.median(theirs):.2f} s | {theirs_answers:.0f}" if theirs else "n/a | n/a"
                )
                lines.append(
                    f"| {cards:,} ({decks}) | {days} | {statistics.median(ours):.2f} s | {runs} | "
                    f"{ours_answers:.0f} | {anki_cells} |"
                )
                print(lines[-1], flush=True)
            sweeps.append((cards, time_sweep(ours_path)))
    lines.append("")
    lines.append(
        "The stats screen's comparison (7 desired retentions, 365 days, in a background worker): "
        + ", ".join(f"{seconds:.1f} s for {cards:,} cards" for cards, seconds in sweeps)
        + "."
    )
    lines.append(f"\ntorch imported: {'yes' if 'torch' in sys.modules else 'no'}")
    table = "\n".join(lines)
    print(table)
    if args.readme:
        from bench_util import write_readme_block

        write_readme_block(
            "simulate", table, f"python bench/simulate.py --cards {args.cards} --days {args.days} --runs {args.runs} --readme"
        )


if __name__ == "__main__":
    main()
