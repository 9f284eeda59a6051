"""Fitting personal FSRS parameters: studydl beside Anki, on one history, in one process.

    .venv/bin/python bench/optimize.py [--reviews 38000] [--runs 3] [--readme]

Simulates a year of study (studydl's scheduler; a learner whose memory follows FSRS with
parameters other than the defaults, so a fit has something to find) until the log holds
`--reviews` answers (38,000: the history issue 12 quotes), writes it into a studydl
database and, with the same cards and answers, into an Anki 26.9.3 collection's revlog.
Then times, in alternating runs:

- studydl: `optimize_collection(db, save=False)`: read the log, build the items (study
  days), fsrs-rs's fit, log-loss and RMSE(bins) of the current and the fitted parameters;
- Anki: `compute_fsrs_params` through its backend, which does the same work (read the
  revlog, build the items, fit, evaluate current vs fitted).

Prints the median of each, their ratio (target: studydl within 10x of Anki), both sides'
log-loss / RMSE(bins) for the default parameters on this log (they should agree: the
same items through the same fsrs-rs), and whether torch was imported (it must not be).
Never pass/fail on time. Local time is UTC for both sides (no DST in the day counts).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studydl.domain.review import CardState, Rating  # noqa: E402
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsModel  # noqa: E402
from studydl.engine.scheduler import CardScheduler, Memory  # noqa: E402
from studydl.engine.settings import Settings  # noqa: E402

DAY = 86_400
END = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
SPAN_DAYS = 365
NEW_PER_DAY = 20
TRUE_PARAMETERS = tuple(
    x * f for x, f in zip(DEFAULT_PARAMETERS, [0.6, 0.7, 0.8, 0.9] + [1.0] * 17, strict=True)
)
"""The simulated learner's memory: first stabilities lower than FSRS's defaults."""
SETTINGS = Settings(timezone="UTC", fuzz=True)


def simulate(target: int, seed: int = 12) -> list[tuple[int, datetime, int, str, str]]:
    """(card, time, rating, state before, state after) rows: cards introduced 20 a day, answered when due."""
    rng = random.Random(seed)
    scheduler = CardScheduler(SETTINGS)
    truth = FsrsModel(TRUE_PARAMETERS)
    start = END - timedelta(days=SPAN_DAYS)
    rows: list[tuple[int, datetime, int, str, str]] = []
    card = 0
    while len(rows) < target:
        card += 1
        day = (card - 1) // NEW_PER_DAY
        if day >= SPAN_DAYS - 1:
            break
        when = start + timedelta(days=day, hours=rng.uniform(7, 21))
        memory, true_memory = Memory(), None
        while when < END and len(rows) < target:
            elapsed = scheduler.elapsed_days(memory, when)
            if true_memory is None or elapsed == 0:
                recall = 0.85  # learning steps and same-day answers
            else:
                recall = truth.retrievability(true_memory.stability, elapsed)
            if rng.random() > recall:
                rating = Rating.AGAIN
            else:
                rating = rng.choices((Rating.HARD, Rating.GOOD, Rating.EASY), weights=(1, 8, 1))[0]
            true_memory = truth.next_states(true_memory, elapsed).by_rating(int(rating)).memory
            after, _ = scheduler.review(card, memory, rating, when)
            rows.append((card, when, int(rating), memory.to_json(), after.to_json()))
            memory = after
            assert memory.due is not None
            if memory.state == CardState.REVIEW:  # a session later that day
                when = memory.due + timedelta(hours=rng.uniform(7, 21))
            else:
                when = memory.due + timedelta(seconds=rng.uniform(0, 600))
    return rows


def build_studydl(folder: Path, cards: int, rows: list) -> Path:
    """A studydl database: the cards synced from a real deck file, the log through sqlite3."""
    from studydl.decks.sync import sync_decks
    from studydl.store.db import Database

    deck = folder / "decks" / "bench.md"
    deck.parent.mkdir(parents=True, exist_ok=True)
    deck.write_text("---\ndeck: Bench\n---\n\n" + "\n\n".join(f"Q: Question {i}?\nA: Answer {i}." for i in range(cards)))
    db = Database(folder / "studydl.db")
    assert sync_decks(db, [deck]).ok
    db.dispose()
    con = sqlite3.connect(folder / "studydl.db")
    ids = [r[0] for r in con.execute("select id from cards order by id")]
    con.executemany(
        "insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?,?,?,?,?,?)",
        [
            (ids[c - 1], at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds"), r, 4000, b, a)
            for c, at, r, b, a in rows
        ],
    )
    con.commit()
    con.close()
    return folder / "studydl.db"


def build_anki(folder: Path, cards: int, rows: list) -> Path:
    """An Anki collection with the same cards and the same answers in its revlog."""
    import json

    from anki.collection import AddNoteRequest, Collection

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.anki2"
    col = Collection(str(path))
    col.set_config("fsrs", True)
    deck_id = col.decks.id("Bench")
    basic = col.models.by_name("Basic")
    requests = []
    for i in range(cards):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"Question {i}?", f"Answer {i}."
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    ids = col.db.list("select id from cards order by id")
    col.close()
    kinds = {0: 0, 1: 0, 2: 1, 3: 2}  # our state before -> Anki's revlog type (learn, review, relearn)
    revlog, used = [], set()
    for c, at, rating, before, after in rows:
        ms = int(at.timestamp() * 1000)
        while ms in used:
            ms += 1
        used.add(ms)
        state_before, state_after = json.loads(before)["state"], json.loads(after)
        due = datetime.fromisoformat(state_after["due"])
        ivl = (due - at).days if state_after["state"] == 2 else -int((due - at).total_seconds())
        revlog.append((ms, ids[c - 1], -1, rating, ivl, 0, 0, 4000, kinds[state_before]))
    con = sqlite3.connect(path)
    con.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)
    con.execute("update cards set type = 2, queue = 2, ivl = 1, due = 0 where id in (select cid from revlog)")
    con.commit()
    con.close()
    return path


def time_studydl(path: Path) -> tuple[float, tuple[float, float] | None]:
    from studydl.engine.optimize import optimize_collection
    from studydl.store.db import Database

    db = Database(path)
    try:
        started = time.perf_counter()
        result = optimize_collection(db, save=False, settings=SETTINGS)
        return time.perf_counter() - started, result.before
    finally:
        db.dispose()


def time_anki(path: Path) -> tuple[float, tuple[float, float]]:
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        started = time.perf_counter()
        col._backend.compute_fsrs_params(
            search="", current_params=[], ignore_revlogs_before_ms=0, num_of_relearning_steps=1, health_check=False
        )
        seconds = time.perf_counter() - started
        evaluation = col._backend.evaluate_params_legacy(params=list(DEFAULT_PARAMETERS), search="", ignore_revlogs_before_ms=0)
        return seconds, (evaluation.log_loss, evaluation.rmse_bins)
    finally:
        col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=38_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:optimize block).")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"  # Anki's backend reads the local zone; studydl's settings say UTC too
    time.tzset()

    rows = simulate(args.reviews)
    cards = max(c for c, *_ in rows)
    with tempfile.TemporaryDirectory(prefix="studydl-optimize-bench-") as tmp:
        ours_path = build_studydl(Path(tmp) / "studydl", cards, rows)
        try:
            anki_path = build_anki(Path(tmp) / "anki", cards, rows)
        except ImportError:
            anki_path = None
        ours, theirs = [], []
        ours_eval = theirs_eval = None
        for run in range(args.runs):
            order = ("studydl", "anki") if run % 2 == 0 else ("anki", "studydl")
            for side in order:
                if side == "studydl":
                    seconds, ours_eval = time_studydl(ours_path)
                    ours.append(seconds)
                elif anki_path is not None:
                    seconds, theirs_eval = time_anki(anki_path)
                    theirs.append(seconds)
    torch_loaded = "torch" in sys.modules
    lines = [
        f"One simulated history: {len(rows):,} answers of {cards:,} cards over {SPAN_DAYS} days; "
        f"median of {args.runs} alternating runs.",
        "",
        "| | fit (read log, items, fit, evaluate) | log-loss / RMSE(bins), default parameters |",
        "|---|---|---|",
    ]
    ours_cell = f"{ours_eval[0]:.4f} / {ours_eval[1]:.4f}" if ours_eval else "n/a"
    lines.append(f"| studydl (fsrs-rs-python) | {statistics.median(ours):.2f} s | {ours_cell} |")
    if theirs:
        lines.append(
            f"| Anki 26.9.3 (`compute_fsrs_params`) | {statistics.median(theirs):.2f} s | "
            f"{theirs_eval[0]:.4f} / {theirs_eval[1]:.4f} |"
        )
        lines.append(f"| ratio | {statistics.median(ours) / statistics.median(theirs):.1f}x (target: within 10x) | |")
    lines += ["", f"torch imported: {'yes' if torch_loaded else 'no'}"]
    table = "\n".join(lines)
    print(table)
    if args.readme:
        from bench_util import write_readme_block

        write_readme_block("optimize", table, f"python bench/optimize.py --reviews {args.reviews} --runs {args.runs} --readme")


if __name__ == "__main__":
    main()
