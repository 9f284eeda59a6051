"""Peak memory (max RSS) of the studydl app on a 100,000-card home, with and without a demo run.

    .venv/bin/python bench/memory.py [--cards 100000] [--demo xor-mlp] [--base DIR] [--readme]

Builds a home whose decks folder holds N one-line cards in 10 deck files, synced once
(bench/startup.py's `build_home`, in a child process; `--base DIR` keeps it for the next
run). Each
case then runs in a fresh interpreter: the real StudyApp from `make_app`, under Textual's
headless driver (100x30), with `STUDYDL_EXIT_AFTER_PAINT` set so it exits once the home
screen shows its counts after the start-up sync. In the demo cases the same process then
runs the demo to its Result through `studydl.demos.runner.run_to_end` (seed 0, default
parameters), with the app's objects still alive. Each child reports
`resource.getrusage(RUSAGE_SELF).ru_maxrss`: the peak RSS of the process so far, after
the app and again after the demo (and /proc's VmHWM, which must agree: ru_maxrss also
counts the parent's peak at the fork, so this script keeps itself small). An empty home (the bundled decks only) is the
reference. Prints a table; never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _status_kib(field: str) -> int:
    """A figure from /proc/self/status (VmRSS: now, VmHWM: peak since exec), in KiB; 0 off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(home: Path, demo: str | None) -> None:
    """Run the app headless until its counts show, then the demo; print the figures as JSON."""
    from studydl.home import Home
    from studydl.tui.launch import make_app

    started = time.perf_counter()
    app = make_app(Home(home))
    app.run(headless=True, size=(100, 30))
    out: dict[str, object] = {
        "app_s": time.perf_counter() - started,
        "app_peak_kib": _peak_kib(),
        "app_hwm_kib": _status_kib("VmHWM"),
        "app_rss_kib": _status_kib("VmRSS"),
        "return_code": app.return_code,
    }
    if demo:
        from studydl.demos.runner import run_to_end

        started = time.perf_counter()
        outcome = run_to_end(demo, seed=0)
        out |= {
            "demo_s": time.perf_counter() - started,
            "demo_stopped": outcome.result.stopped,
            "peak_kib": _peak_kib(),
            "hwm_kib": _status_kib("VmHWM"),
            "rss_kib": _status_kib("VmRSS"),
        }
    else:
        out["peak_kib"], out["hwm_kib"] = out["app_peak_kib"], out["app_hwm_kib"]
    print(json.dumps(out))


def run_case(home: Path, demo: str | None) -> dict:
    """One case in a fresh interpreter; its JSON figures."""
    with tempfile.NamedTemporaryFile(suffix=".stamp", delete=False) as f:
        stamp = Path(f.name)
    env = {**os.environ, "STUDYDL_HOME": str(home), "STUDYDL_EXIT_AFTER_PAINT": str(stamp), "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, __file__, "--child", str(home)] + (["--demo", demo] if demo else [])
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
    finally:
        events = stamp.read_text() if stamp.exists() else ""
        stamp.unlink(missing_ok=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"case failed ({' '.join(argv[2:])}):\n{done.stderr[-3000:]}")
    figures = json.loads(lines[-1])
    figures["reached_ready"] = "ready" in events
    return figures


def build_home(root: Path, cards: int) -> None:
    """A home with `cards` cards in deck files (none: the bundled decks only), synced once."""
    from startup import build_home as build_deck_home

    from studydl.decks.sync import sync_decks
    from studydl.home import Home

    if cards:
        build_deck_home(root, cards)
        return
    home = Home(root).ensure()
    db = home.open_db()
    sync_decks(db, home.deck_roots(), prune_missing=True)
    db.dispose()


def build_or_reuse(base: Path | None, tmp: Path, cards: int) -> tuple[Path, Path]:
    """(empty home, home with `cards` cards), built once per `base` folder.

    Built in a child process: a child's ru_maxrss starts from its parent's peak (Linux
    carries the high-water mark over fork and exec), so this process must stay small.
    """
    folder = base if base is not None else tmp
    empty, big = folder / "home-empty", folder / f"home-{cards}"
    for home, n in ((big, cards), (empty, 0)):
        if not (home / "studydl.db").exists():
            started = time.perf_counter()
            argv = [sys.executable, __file__, "--build-home", str(home), "--cards", str(n)]
            subprocess.run(argv, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            print(f"built and synced a {n:,}-card home in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return empty, big


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--demo", action="append", help="Demo id to run after the app (repeatable); default xor-mlp.")
    parser.add_argument("--base", type=Path, help="Keep the built homes here and reuse them.")
    parser.add_argument("--readme", action="store_true", help="Write the table into README.md (bench:memory block).")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build-home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    demos = args.demo or ["xor-mlp"]
    if args.child is not None:
        child(args.child, args.demo[0] if args.demo else None)
        return
    if args.build_home is not None:
        build_home(args.build_home, args.cards)
        return

    with tempfile.TemporaryDirectory() as tmp:
        empty, big = build_or_reuse(args.base, Path(tmp), args.cards)
        cases = [("`studydl`, empty home (bundled decks)", empty, None), (f"`studydl`, {args.cards:,} cards", big, None)]
        cases += [(f"`studydl`, {args.cards:,} cards, then demo `{d}`", big, d) for d in demos]
        rows = []
        for label, home, demo in cases:
            figures = run_case(home, demo)
            rows.append((label, figures))
            print(f"{label}: {json.dumps(figures)}", file=sys.stderr)

    lines = [
        "| case | peak RSS | peak RSS when the counts showed | RSS when the counts showed | app run (s) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, f in rows:
        demo_note = f" (demo {f['demo_s']:.1f} s)" if "demo_s" in f else ""
        ready = "" if f["reached_ready"] else " (counts never showed)"
        lines.append(
            f"| {label}{ready} | {_mib(f['peak_kib'])} | {_mib(f['app_peak_kib'])} | {_mib(f['app_rss_kib'])}"
            f" | {f['app_s']:.1f}{demo_note} |"
        )
    table = "\n".join(lines)
    disagree = [label for label, f in rows if f["hwm_kib"] and abs(f["peak_kib"] - f["hwm_kib"]) > 0.05 * f["hwm_kib"]]
    if disagree:
        table += f"\n\nru_maxrss and VmHWM differ by over 5 % for: {', '.join(disagree)}."
    table += (
        "\n\nOne fresh process per case: the real app under Textual's headless driver until the home screen shows its"
        " counts after the start-up sync, then (demo cases) the demo to its Result in the same process;"
        f" `ru_maxrss` of the process. Load average at the end: {os.getloadavg()[0]:.1f}."
    )
    print(table)
    if args.readme:
        from bench_util import write_readme_block

        demo_args = "".join(f" --demo {d}" for d in demos)
        write_readme_block("memory", table, f"python bench/memory.py --cards {args.cards}{demo_args} --readme")


if __name__ == "__main__":
    main()
