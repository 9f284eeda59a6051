"""How every cost grows with the collection: 10,000, 100,000 and 1,000,000 cards, beside Anki where it has one.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--answers 200] [--base DIR]
        [--only ROW,ROW] [--no-anki] [--no-optimize] [--readme]

Per size N:

- sync from empty and unchanged: N generated cards in deck files (bench/sync.py's
  generator, 500 cards a file) into an empty SQLite collection, then again unchanged;
- a home of N cards with about 10N review-log rows and an Anki collection of the same
  shape (bench/scale_homes.py: simulated histories Anki can fit, built in bulk SQL; one
  deck per 1,000 cards), on which: `studydl due` as a process (spawn to exit, median of
  3); `studydl cards is:due` as a process (its output thrown away) beside Anki's
  `find_cards("is:due")`; the deck list's counts as the app loads them (`load_home_data`)
  beside Anki's `deck_due_tree()`; next card + answer (`ReviewSession`, committed;
  medians of `--answers`; Anki's `get_queued_cards` + `answer_card`); optimize on the
  whole log (`optimize_collection`, not saved, no health check) beside Anki's
  `compute_fsrs_params` (health check off); simulate 30 days (`load_workload` +
  `forecast`, reading the log for the answer times included) beside Anki's
  `simulate_fsrs_review` (which reads the log too).

Every step of every side runs in a child process of its own, so its peak memory (RSS)
is its own and is reported per step. Prints one Markdown table, sizes side by side, the
growth per 10x, the peak memory per step, and how long each phase took (building,
each step); never pass/fail on time.

`--base DIR` keeps the built homes (per size and day: DIR/<N>c-<date>/studydl.db,
bench.anki2) and the figures of each step (figures.json there), so a rerun reuses both;
`--only ROW,ROW` (sync, due, cards_due, deck_counts, answer, optimize, simulate) reruns
those steps and takes the others' figures from the base (`--only ''`: none, the table alone).
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
from datetime import UTC, date, datetime
from pathlib import Path

from scale_table import STEPS, memory_table, phases, table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))



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


def _peak_mib(children: bool = False) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024


# --- the homes -------------------------------------------------------------------------------


def home_folder(base: Path, cards: int) -> Path:
    return base / f"{cards}c-{date.today().isoformat()}"


def build(folder: Path, cards: int, with_anki: bool) -> dict:
    """Build what is missing in `folder` (studydl.db, bench.anki2, meta.json); the meta."""
    from scale_homes import build_anki, build_studydl, plan_home

    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    need_studydl = not (folder / "studydl.db").exists() or "now" not in meta
    need_anki = with_anki and (need_studydl or not (folder / "bench.anki2").exists())
    if not (need_studydl or need_anki):
        return meta
    started = time.perf_counter()
    home = plan_home(cards, now=meta.get("now") if not need_studydl else None)
    meta.setdefault("seconds", {})["plan"] = time.perf_counter() - started
    if need_studydl:
        (folder / "bench.anki2").unlink(missing_ok=True)
        need_anki = with_anki
        started = time.perf_counter()
        build_studydl(folder / "studydl.db", home)
        meta["seconds"]["build studydl"] = time.perf_counter() - started
        meta.update(now=home.now, due_today=home.due_today(), log_rows=int(len(home.log_card)))
    if need_anki:
        started = time.perf_counter()
        build_anki(folder, home)
        meta["seconds"]["build Anki"] = time.perf_counter() - started
    meta["seconds"]["peak MiB"] = _peak_mib()
    meta_path.write_text(json.dumps(meta))
    return meta


def fresh_copies(folder: Path, work: Path, meta: dict, with_anki: bool) -> None:
    """The built homes copied into `work`, their learning cards moved on by the time since the build."""
    from answer_latency import age_learning_cards

    shutil.copyfile(folder / "studydl.db", work / "studydl.db")
    anki = None
    if with_anki:
        anki = work / "bench.anki2"
        shutil.copyfile(folder / "bench.anki2", anki)
    age = time.time() - meta["now"]
    if age > 0:
        age_learning_cards(work / "studydl.db", anki, age)


# --- one step, in a child process ---------------------------------------------------------------


def studydl_step(step: str, work: Path, cards: int, answers: int) -> dict[str, float]:
    from studydl.engine.settings import Settings
    from studydl.store.db import Database

    path = work / "studydl.db"
    now = datetime.now(UTC)
    if step == "sync":
        from sync import make_decks

        from studydl.decks.sync import sync_decks

        folder = work / "decks"
        folder.mkdir()
        make_decks(folder, cards)
        db = Database(work / "sync.db")
        try:
            return {"sync_empty": _timed(lambda: sync_decks(db, [folder])), "sync_unchanged": _timed(lambda: sync_decks(db, [folder]))}
        finally:
            db.dispose()
            shutil.rmtree(folder)
            for leftover in work.glob("sync.db*"):
                leftover.unlink()
    if step in ("due", "cards_due"):
        home = work / "home"
        home.mkdir(exist_ok=True)
        cli = [sys.executable, "-m", "studydl", "--home", str(home), "--db", str(path)]
        seconds = _process([*cli, "due"], 3) if step == "due" else _process([*cli, "cards", "is:due"], 3)
        return {step: seconds, "child_peak_mib": _peak_mib(children=True)}
    if step == "answer":
        from answer_latency import StudydlReviewer

        copy = work / "answer-studydl.db"
        shutil.copyfile(path, copy)
        try:
            return {"answer": _answering(StudydlReviewer(copy), answers)}
        finally:
            copy.unlink()
    db = Database(path)
    try:
        if step == "deck_counts":
            from studydl.tui.home_data import load_home_data

            return {"deck_counts": statistics.median(_timed(lambda: load_home_data(db, now)) for _ in range(3))}
        if step == "optimize":
            from studydl.engine.optimize import optimize_collection

            settings = Settings(timezone="UTC")
            return {"optimize": _timed(lambda: optimize_collection(db, save=False, settings=settings, check_health=False))}
        if step == "simulate":
            from studydl.engine.simulate import clear_cache, forecast
            from studydl.engine.workload_cards import load_workload

            settings = Settings(timezone="UTC", new_per_day=100, reviews_per_day=9999)
            clear_cache()
            return {"simulate": _timed(lambda: forecast(load_workload(db, now, settings), 0.9, 30))}
    finally:
        db.dispose()
    raise ValueError(step)


def anki_step(step: str, work: Path, cards: int, answers: int) -> dict[str, float]:
    from anki.collection import Collection
    from anki.deck_config_pb2 import DeckConfig
    from anki.scheduler_pb2 import SimulateFsrsReviewRequest
    from answer_latency import AnkiSide
    from scale_homes import CARDS_PER_DECK

    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS

    path = work / "bench.anki2"
    if step == "answer":
        copy = work / "answer-bench.anki2"
        shutil.copyfile(path, copy)
        try:
            return {"answer": _answering(AnkiSide(copy), answers)}
        finally:
            for leftover in work.glob("answer-bench.*"):
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    col = Collection(str(path))
    try:
        if step == "cards_due":
            return {"cards_due": _timed(lambda: col.find_cards("is:due"))}
        if step == "deck_counts":
            return {"deck_counts": statistics.median(_timed(col.sched.deck_due_tree) for _ in range(3))}
        if step == "simulate":
            decks = max(1, cards // CARDS_PER_DECK)
            request = SimulateFsrsReviewRequest(
                params=list(DEFAULT_PARAMETERS), desired_retention=0.9, deck_size=0, days_to_simulate=30,
                new_limit=100 * decks, review_limit=9999, max_interval=36500, search="deck:*",
                new_cards_ignore_review_limit=True, easy_days_percentages=[1.0] * 7,
                review_order=DeckConfig.Config.ReviewCardOrder.REVIEW_CARD_ORDER_DAY, suspend_after_lapse_count=8,
                historical_retention=0.9, learning_step_count=2, relearning_step_count=1,
            )  # fmt: skip
            return {"simulate": _timed(lambda: col._backend.simulate_fsrs_review(request))}
        if step == "optimize":
            started = time.perf_counter()
            fitted = col._backend.compute_fsrs_params(
                search="", current_params=[], ignore_revlogs_before_ms=0, num_of_relearning_steps=1, health_check=False
            )
            seconds = time.perf_counter() - started
            # (no items: Anki found nothing to fit in this log, and its time says nothing)
            return {"optimize": seconds, "items": fitted.fsrs_items} if fitted.fsrs_items else {"items": 0}
    finally:
        col.close()
    raise ValueError(step)


def _answering(side, answers: int) -> float:  # noqa: ANN001
    """Median seconds of next card + answer over `answers` cards (bench/answer_latency.py's sides)."""
    side.start()
    for _ in range(answers):
        if not side.step():
            break
    side.close()
    return statistics.median(side.timings.total) / 1000


# --- main ---------------------------------------------------------------------------------------


def run_child(argv: list[str]) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"step failed: {' '.join(argv)}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["wall"] = time.perf_counter() - started
    return found


def one_size(n: int, args: argparse.Namespace, with_anki: bool, steps: list[str]) -> tuple[dict, dict]:
    """(meta, figures by step and side) for one size, the steps not rerun taken from the base."""
    keep = args.base is not None
    root = args.base if keep else Path(tempfile.mkdtemp(prefix="scale-home-"))
    folder = home_folder(root, n)
    try:
        started = time.perf_counter()
        meta = run_child(["--build", str(n), "--folder", str(folder)] + ([] if with_anki else ["--no-anki"]))
        print(f"{n:,} cards: home ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        saved = folder / "figures.json"
        figures = json.loads(saved.read_text()) if keep and saved.exists() else {}
        if not steps:
            return meta, figures
        with tempfile.TemporaryDirectory(prefix="scale-work-") as tmp:
            work = Path(tmp)
            # sync builds its own folder and store: it runs before the homes are copied. Right
            # after gigabytes of copies (at a million cards), the disk was still busy with them
            # even after os.sync(): sync measured 64-68 s there and 50 s alone.
            steps = sorted(steps, key=lambda step: step != "sync")
            copied = False
            for step in steps:
                if step != "sync" and not copied:
                    fresh_copies(folder, work, meta, with_anki)
                    copied = True
                figures[step] = {}
                for side in STEPS[step]:
                    if side == "anki" and not with_anki:
                        continue
                    os.sync()  # each step starts with the disk's write-back of earlier ones done
                    found = run_child(["--step", step, "--side", side, "--work", str(work), "--cards", str(n), "--answers", str(args.answers)])
                    figures[step][side] = found
                    print(f"{n:,} cards: {step} {side} {json.dumps(found)}", file=sys.stderr)
                    if keep:
                        saved.write_text(json.dumps(figures))
        return meta, figures
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Card counts, comma-separated (about 10x as many log rows each).")
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--base", type=Path, help="Keep the built homes and the figures here (per size and day).")
    parser.add_argument("--only", help=f"Rerun these steps only ({', '.join(STEPS)}; '': none); the others' figures come from --base.")
    parser.add_argument("--no-anki", action="store_true")
    parser.add_argument("--no-optimize", action="store_true", help="Skip optimize (the longest step) on both sides.")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:scale block).")
    for hidden in ("--build", "--cards"):
        parser.add_argument(hidden, type=int, help=argparse.SUPPRESS)
    for hidden in ("--folder", "--work"):
        parser.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--side", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    from anki_backend import anki_available, anki_version

    with_anki = not args.no_anki and anki_available()
    if args.build:
        print(json.dumps(build(args.folder, args.build, with_anki)))
        return
    if args.step:
        run = studydl_step if args.side == "studydl" else anki_step
        found = run(args.step, args.work, args.cards, args.answers)
        print(json.dumps(found | {"peak_mib": _peak_mib()}))
        return
    chosen = [s for s in args.only.split(",") if s] if args.only is not None else list(STEPS)  # --only '': none, the table from --base
    steps = [s for s in chosen if not (args.no_optimize and s == "optimize")]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s) {', '.join(sorted(unknown))}: choose from {', '.join(STEPS)}")
    if args.only is not None and args.base is None:
        parser.error("--only takes the other steps' figures from --base")
    sizes = [int(x) for x in args.sizes.split(",")]
    figures, metas = {}, {}
    load_before = os.getloadavg()[0]
    for n in sizes:
        started = time.perf_counter()
        metas[n], figures[n] = one_size(n, args, with_anki, steps)
        print(f"{n:,} cards done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    load_after = os.getloadavg()[0]
    rows = ", ".join(f"{metas[n].get('log_rows', 0):,}" for n in sizes)
    text = (
        f"Sizes {', '.join(f'{n:,}' for n in sizes)} cards with {rows} review-log rows (simulated histories,"
        f" bench/scale_homes.py), one deck per 1,000 cards; {args.answers} answers per side; studydl on SQLite"
        + (f", Anki {anki_version()}" if with_anki else "") + f". Load average {load_before:.1f} before, {load_after:.1f} after."
        f"\n\n{table(sizes, figures)}\n\n{memory_table(sizes, figures)}\n\n{phases(sizes, metas, figures)}"
    )
    print(text)
    if args.readme:
        from bench_util import write_readme_block

        command = f"python bench/scale.py --sizes {args.sizes} --answers {args.answers}"
        command += (" --no-anki" if args.no_anki else "") + (" --no-optimize" if args.no_optimize else "") + " --readme"
        write_readme_block("scale", text, command)


if __name__ == "__main__":
    main()
