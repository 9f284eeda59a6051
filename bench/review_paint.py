"""From a rating key to the next card on screen, in the real app: 100,000 cards, beside a bare Textual app.

    .venv/bin/python bench/review_paint.py [--cards 100000] [--log 1000000] [--answers 300]
        [--base DIR] [--readme]

Builds a collection the way bench/answer_latency.py does (schema through studydl, rows
through sqlite3; one deck per 1,000 cards, a fifth of them new, daily limits 100 new and
9,999 reviews per deck), opens the real app on it headless (`StudyApp.run_test`, the
Pilot that the tests use, 100x30), starts a review of every deck and then, card after
card, presses space (answer shown; not timed) and a rating key (Again, Good, Good, Easy
from `random.Random(2)`), timing from just before the rating key is sent to the first
frame that shows the next card: the answer written in the engine worker, the next card
picked in the same transaction and posted before its commit (the commit's fsync runs while
the screen is updated; the next engine call waits for it), the screen updated and a frame
composed and encoded for a terminal (a headless
app composes frames but writes nothing; this bench encodes each one, as a terminal run
would). A pause of 50 ms comes before each rating key, as a learner reads the answer
first (pressed at once, the key would wait for Textual's next frame slot behind the
reveal's own frame). The anchor is a bare Textual app in the same process whose key handler only
swaps a label's text: the cost of a key and a frame in Textual itself.

Prints the median, p90, p99 (nearest rank) and max per side and the load average; never
pass/fail on time. Targets (issue 24): median within 8 ms, p99 within 16 ms (one frame at 60 Hz). `--base DIR` keeps the
built collection in DIR and times a fresh copy of it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SIZE = (100, 30)
TARGET_MEDIAN_MS, TARGET_P99_MS = 8.0, 16.0  # issue 24: p99 within one 60 Hz frame
MIX = ("1", "3", "3", "4")
THINK_S = 0.05
"""The pause between the answer shown and the rating key (a learner takes longer): the key
then never waits for Textual's next frame slot (60 per second) behind the reveal's frame."""


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class FrameClock:
    """Wraps an app's `_display`: encodes each frame as a terminal would, and notes when the
    first frame after `arm()` is out once `ready()` says the screen shows what was waited for."""

    def __init__(self, app: Any, ready: Any) -> None:
        from rich.console import Console

        self.ready = ready
        self.armed_at: float | None = None
        self.painted = asyncio.Event()
        self.elapsed_ms = 0.0
        self._console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=SIZE[0], height=SIZE[1])
        self._display = app._display
        app._display = self._on_display

    def arm(self) -> None:
        self.painted.clear()
        self.armed_at = time.perf_counter()

    def _on_display(self, screen: Any, renderable: Any) -> None:
        self._display(screen, renderable)
        if renderable is None:
            return
        if hasattr(renderable, "render_segments"):
            renderable.render_segments(self._console)  # the escape sequences a terminal would be sent
        if self.armed_at is not None and self.ready():
            self.elapsed_ms = (time.perf_counter() - self.armed_at) * 1000
            self.armed_at = None
            self.painted.set()


async def wait_painted(pilot: Any, clock: FrameClock, timeout: float = 10.0) -> float:
    deadline = time.perf_counter() + timeout
    while not clock.painted.is_set():
        if time.perf_counter() > deadline:
            raise TimeoutError("no frame showed the next card")
        await pilot.pause(0)
    return clock.elapsed_ms


def build_home(base: Path, cards: int, log_rows: int) -> Path:
    """A home whose database is the answer-latency collection (built once per size under `base`)."""
    from answer_latency import build_collection

    from studydl.engine.settings import save_changes
    from studydl.home import Home
    from studydl.store.db import Database

    built = base / f"review-paint-{cards}-{log_rows}"
    if not built.exists():
        partial = base / f".partial-{built.name}"
        shutil.rmtree(partial, ignore_errors=True)
        home = Home(partial).ensure()
        build_collection(home.db_path, cards, log_rows)
        db = Database(home.db_path)
        save_changes(db, {"new_per_day": 100, "reviews_per_day": 9999})
        db.dispose()
        partial.rename(built)  # whole or not at all: a failed build is never reused
    return built


async def time_studydl(home_dir: Path, answers: int) -> tuple[list[float], dict[str, int]]:
    from studydl.home import Home
    from studydl.tui.launch import make_app
    from studydl.tui.screens.review import ReviewScreen

    # No deck folders: the collection's decks have no files, and a sync must not retire them.
    app = make_app(Home(home_dir), deck_roots=[], watch=False)
    rng = random.Random(2)
    times: list[float] = []
    kinds: dict[str, int] = {}
    async with app.run_test(size=SIZE) as pilot:
        while app.db is None:
            await pilot.pause(0.05)
        await pilot.press("a")
        while not isinstance(app.screen, ReviewScreen):
            await pilot.pause(0.01)
        screen = app.screen
        while screen.due is None or screen.busy:
            await pilot.pause(0.01)
        shown = {"id": screen.due.card.id}
        clock = FrameClock(app, lambda: screen.due is not None and not screen.busy and screen.due.card.id != shown["id"])
        for _ in range(answers):
            await pilot.press("space")
            while not screen.revealed:
                await pilot.pause(0)
            await pilot.pause(THINK_S)  # a learner reads the answer before rating it
            kind = {0: "new", 2: "review"}.get(screen.due.card.state, "learning")
            kinds[kind] = kinds.get(kind, 0) + 1
            shown["id"] = screen.due.card.id
            clock.arm()
            await pilot.press(rng.choice(MIX))
            times.append(await wait_painted(pilot, clock))
        app.exit()
    return times, kinds


async def time_bare(answers: int) -> list[float]:
    """A bare Textual app: a rating key swaps one label's text, nothing else."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.card = 0

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Question 0?", id="card")
            yield Footer()

        def on_key(self, event: Any) -> None:
            if event.key in MIX:
                self.card += 1
                self.query_one("#card", Static).update(f"Question {self.card}?")

    app = Bare()
    rng = random.Random(2)
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        shown = {"card": 0}
        clock = FrameClock(app, lambda: app.card != shown["card"])
        for _ in range(answers):
            await pilot.pause(THINK_S)
            shown["card"] = app.card
            clock.arm()
            await pilot.press(rng.choice(MIX))
            times.append(await wait_painted(pilot, clock))
    return times


def row(name: str, values: list[float]) -> str:
    return (
        f"| {name} | {statistics.median(values):.1f} | {nearest_rank(values, 0.9):.1f} | "
        f"{nearest_rank(values, 0.99):.1f} | {max(values):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--base", type=Path, help="keep the built collection here")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        base = args.base or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        built = build_home(base, args.cards, args.log)
        print(f"collection ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        home = Path(tmp) / "home"
        shutil.copytree(built, home)
        ours, kinds = asyncio.run(time_studydl(home, args.answers))
        bare = asyncio.run(time_bare(args.answers))
    median, p99 = statistics.median(ours), nearest_rank(ours, 0.99)
    table = "\n".join(
        [
            f"{args.cards:,} cards in {args.cards // 1000} decks, {args.log:,} review-log rows; {args.answers} answers in the"
            f" real app (headless, {SIZE[0]}x{SIZE[1]}), each frame encoded for a terminal. Cards answered: "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            + ".",
            "",
            "| ms from rating key to the next card's frame | median | p90 | p99 | max |",
            "|---|---:|---:|---:|---:|",
            row("studydl review screen", ours),
            row("bare Textual app, one label swapped", bare),
            "",
            f"Targets: median {median:.1f} ms (within {TARGET_MEDIAN_MS:.0f} ms: {'met' if median <= TARGET_MEDIAN_MS else 'missed'}),"
            f" p99 {p99:.1f} ms (within {TARGET_P99_MS:.0f} ms: {'met' if p99 <= TARGET_P99_MS else 'missed'})."
            f" Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after.",
        ]
    )
    print(table)
    if args.readme:
        from bench_util import write_readme_block

        write_readme_block(
            "review-paint",
            table,
            f"python bench/review_paint.py --cards {args.cards} --log {args.log} --answers {args.answers} --readme",
        )


if __name__ == "__main__":
    main()
