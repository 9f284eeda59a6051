"""The workload simulator, studydl beside Anki: one collection built twice, both simulators, one process.

    .venv/bin/python bench/simulate.py [--cards 2000,10000] [--days 30,365] [--runs 3] [--no-anki] [--readme]

For each size, bench/twin_collections.py builds one collection twice, card for card: a
studydl store and an Anki 26.9.3 collection (15 % new, 3 % learning, the rest review
cards with FSRS memory states, 3 % of them a few days overdue; a review log of the
cards' histories with a learner's times; one deck per 1,000 cards, 100 new cards a day
per deck, no review limit in effect; Anki's load balancer off, as studydl's simulator
has none). Then times, in alternating runs:

- studydl: `forecast(load_workload(...), 0.9, days)`, what `studydl simulate` does once
  started: read the cards and the log, simulate (the mean of its runs: as many as keep
  the work near 2 million card-days, so one run for 10,000 cards over a year);
- Anki: `simulate_fsrs_review` through its backend (the deck options' forecast: read the
  cards and the revlog, fsrs-rs's simulation once, all decks under one limit of 100 new
  cards a day per deck).

Both sides' mean answers and minutes a day are printed: the same collection, so they
should agree (tests/engine/test_simulate_anki.py holds them to 5 %). Also times the
stats screen's comparison (7 desired retentions over 365 days, reading the cards
included) and, beside it, Anki's own comparison (`simulate_fsrs_workload`: 30
retentions over 365 days, on all cores). Never pass/fail on time. Local time is UTC.
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
CARDS_PER_DECK = 1000
HISTORY = (
    "Before (issue 24, 2026-12-06, quiet machine): fsrs-rs's simulator reached through optimal_retention,"
    " seeds x4 per deck: 10,000 cards 4.70 s over 30 days and 3.31 s over 365 against Anki's 0.09 / 0.19 s;"
    " the stats screen's comparison 19.9 s."
)
SETTINGS_KW = {"timezone": "UTC", "new_per_day": NEW_PER_DAY, "reviews_per_day": REVIEWS_PER_DAY}


def build(folder: Path, cards: int, with_anki: bool) -> tuple[Path, Path | None]:
    from twin_collections import build_anki, build_studydl, local_day_cutoff, plan_cards

    plan = plan_cards(cards, seed=3, decks=max(1, cards // CARDS_PER_DECK))
    now = time.time()
    theirs, day_cutoff = None, local_day_cutoff(now)
    if with_anki:
        theirs, day_cutoff = build_anki(folder / f"anki-{cards}", plan, NEW_PER_DAY, REVIEWS_PER_DAY, now)
    return build_studydl(folder / f"studydl-{cards}.db", plan, day_cutoff, now), theirs


def time_studydl(path: Path, days: int) -> tuple[float, float, float, int]:
    """(seconds, mean answers a day, mean minutes a day, runs averaged)."""
    from studydl.engine.settings import Settings
    from studydl.engine.simulate import clear_cache, forecast
    from studydl.engine.workload_cards import load_workload
    from studydl.store.db import Database

    clear_cache()  # every run simulates afresh
    db = Database(path)
    try:
        started = time.perf_counter()
        result = forecast(load_workload(db, datetime.now(UTC), Settings(**SETTINGS_KW)), 0.9, days)
        seconds = time.perf_counter() - started
        assert result is not None
        return seconds, result.mean_reviews, result.mean_minutes, result.runs
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
        workload = load_workload(db, datetime.now(UTC), Settings(**SETTINGS_KW))
        list(workload_by_retention(workload, sweep_retentions(0.9), SWEEP_DAYS))
        return time.perf_counter() - started
    finally:
        db.dispose()


def _request(days: int, decks: int):  # noqa: ANN202 - SimulateFsrsReviewRequest
    from anki.deck_config_pb2 import DeckConfig
    from anki.scheduler_pb2 import SimulateFsrsReviewRequest

    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS

    return SimulateFsrsReviewRequest(
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
        review_order=DeckConfig.Config.ReviewCardOrder.REVIEW_CARD_ORDER_DAY,
        suspend_after_lapse_count=8,
        historical_retention=0.9,
        learning_step_count=2,
        relearning_step_count=1,
    )


def time_anki(path: Path, days: int, decks: int) -> tuple[float, float, float]:
    """(seconds, mean answers a day, mean minutes a day) of Anki's simulator on the whole collection."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        request = _request(days, decks)
        started = time.perf_counter()
        response = col._backend.simulate_fsrs_review(request)
        seconds = time.perf_counter() - started
        answers = sum(response.daily_review_count) + sum(response.daily_new_count)
        return seconds, answers / days, sum(response.daily_time_cost) / 60.0 / days
    finally:
        col.close()


def time_anki_sweep(path: Path, decks: int) -> float:
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        started = time.perf_counter()
        col._backend.simulate_fsrs_workload(_request(365, decks))
        return time.perf_counter() - started
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
        f"Median of {args.runs} alternating runs; desired retention 90 %; a day: the mean over the days forecast"
        " (answers: reviews plus new cards).",
        "",
        "| cards (decks) | days | studydl `simulate` | runs | answers / minutes a day | "
        "Anki `simulate_fsrs_review` (1 run) | answers / minutes a day | studydl / Anki |",
        "|---|---|---|---|---|---|---|---|",
    ]
    sweeps = []
    with tempfile.TemporaryDirectory(prefix="studydl-simulate-bench-") as tmp:
        for cards in sizes:
            decks = max(1, cards // CARDS_PER_DECK)
            ours_path, anki_path = build(Path(tmp), cards, with_anki)
            for days in spans:
                ours, theirs = [], []
                mine = anki = (0.0, 0.0)
                runs = 0
                for run in range(args.runs):
                    order = ("studydl", "anki") if run % 2 == 0 else ("anki", "studydl")
                    for side in order:
                        if side == "studydl":
                            seconds, answers, minutes, runs = time_studydl(ours_path, days)
                            ours.append(seconds)
                            mine = (answers, minutes)
                        elif anki_path is not None:
                            seconds, answers, minutes = time_anki(anki_path, days, decks)
                            theirs.append(seconds)
                            anki = (answers, minutes)
                ratio = f"{statistics.median(ours) / statistics.median(theirs):.1f}x" if theirs else "n/a"
                anki_cells = f"{statistics.median(theirs):.2f} s | {anki[0]:.0f} / {anki[1]:.1f}" if theirs else "n/a | n/a"
                lines.append(
                    f"| {cards:,} ({decks}) | {days} | {statistics.median(ours):.2f} s | {runs} | "
                    f"{mine[0]:.0f} / {mine[1]:.1f} | {anki_cells} | {ratio} |"
                )
                print(lines[-1], flush=True)
            ours_sweep = statistics.median(time_sweep(ours_path) for _ in range(args.runs))
            theirs_sweep = statistics.median(time_anki_sweep(anki_path, decks) for _ in range(args.runs)) if anki_path else None
            sweeps.append((cards, ours_sweep, theirs_sweep))
    lines.append("")
    lines.append(
        "The stats screen's comparison (7 desired retentions, 365 days, reading the cards and the log included; "
        "median of the runs): "
        + ", ".join(
            f"{ours:.2f} s for {cards:,} cards" + (f" (Anki's, 30 retentions on all cores: {theirs:.2f} s)" if theirs else "")
            for cards, ours, theirs in sweeps
        )
        + "."
    )
    lines.append(f"\n{HISTORY}")
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
