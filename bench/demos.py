"""Time every demo in the catalogue at its defaults (seed 0) and write a Markdown table.

    .venv/bin/python bench/demos.py [--readme] [--only ID ...] [--repeat N]

Per demo: first frame and time to its teaching point (its Result, when reached) in the
runner after warm-up, and the first frame in the app as a learner gets it: the real app
(headless, through Pilot) on a home whose deck has one card naming the demo; the review
opens, its background warm-up (torch import, first optimizer step, demo screen modules)
finishes while the learner reads the card, then `d` is pressed and the clock runs until
the demo screen's first frame panel is laid out. The cold case presses `d` as soon as the
card shows in a fresh process, before the warm-up is done. Each figure is the median of
--repeat trials (3).

Writes bench/out/demos.md; with --readme also replaces the block between
`<!-- bench:demos -->` and `<!-- /bench:demos -->` in README.md. Never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from studydl.demos import DemoError, list_specs, run_demo, warm_up
from studydl.demos.verdict import verdict_words
from studydl.domain.demos import Frame

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "demos.md"
MARKERS = ("<!-- bench:demos -->", "<!-- /bench:demos -->")
REPEAT = 3
"""Trials per demo; the table shows their medians (a shared machine's noise is one-sided)."""


def torch_import_seconds() -> float:
    """`import torch` in a fresh interpreter."""
    code = "import time; t = time.perf_counter(); import torch; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def _metrics(metrics: dict[str, float], limit: int = 4) -> str:
    shown = [f"{k}={v:.3g}" for k, v in list(metrics.items())[:limit]]
    return ", ".join(shown) + (", …" if len(metrics) > limit else "")


DECK = """\
---
deck: Bench
---

# {title}

demo: {demo_id}

Q: What does the {demo_id} demo show?
A: {teaches}
"""


def _home(demo_id: str, root: Path, template: Path) -> object:
    """A home with one deck of one card that launches `demo_id`, on a copy of a migrated database."""
    from studydl.demos import get_spec
    from studydl.home import Home

    spec = get_spec(demo_id)
    home = Home(root / demo_id).ensure()
    shutil.copy(template, home.db_path)
    (home.decks_dir / "bench.md").write_text(
        DECK.format(title=spec.title, demo_id=demo_id, teaches=spec.teaches), encoding="utf-8"
    )
    return home


async def _until(condition, what: str, timeout: float = 60.0) -> None:  # noqa: ANN001
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"the app did not get there in {timeout:g} s: {what}")
        await asyncio.sleep(0.002)


READING_S = 0.5
"""How long the review must have been idle before `d`: a learner reads the card first."""


def _quiet_for(app, seconds: float):  # noqa: ANN001, ANN202
    """A condition: no worker running and the review ready for keys, for `seconds` on end."""
    since: list[float] = []

    def quiet() -> bool:
        idle = not any(not w.is_finished for w in app.workers) and not getattr(app.screen, "busy", False)
        if not idle:
            since.clear()
            return False
        if not since:
            since.append(time.perf_counter())
        return time.perf_counter() - since[0] >= seconds

    return quiet


def _warmed() -> bool:
    """The review's background warm-up has finished (torch, first step, demo screen modules)."""
    return not any(t.name == "demo-warmup" and t.is_alive() for t in threading.enumerate()) and (
        "studydl.tui.screens.demo" in sys.modules
    )


async def _review_first_frame(home, warm: bool) -> float:  # noqa: ANN001
    """Seconds from pressing `d` on the card in a review to the demo's first frame panel on screen."""
    from textual import events

    from studydl.tui.launch import make_app
    from studydl.tui.screens.review import ReviewScreen

    app = make_app(home, deck_roots=[home.decks_dir], watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(lambda: app.db is not None, "database open")
        await _until(_quiet_for(app, 0.3), "the deck sync done")  # it reloads an open review's card
        app.action_review("Bench")
        await _until(
            lambda: isinstance(app.screen, ReviewScreen) and app.screen.due is not None and not app.screen.busy,
            "the card shown, the review ready for keys",
        )
        if warm:
            await _until(_warmed, "warm-up done")
            # The learner has read the card: the review has been idle a moment (a key pressed
            # while it reloads the card after the deck sync is ignored, for a person as for this).
            await _until(_quiet_for(app, READING_S), "the review idle")
        from studydl.tui.screens.demo import DemoScreen
        from studydl.tui.widgets.demo_view import FramePanel

        started = time.perf_counter()
        # Sent as Pilot.press sends it (through the driver, as a terminal's key arrives), without
        # Pilot's wait for the process to go idle: a training demo keeps it busy to the end.
        key = events.Key("d", "d")
        key.set_sender(app)
        app._driver.send_message(key)  # noqa: SLF001

        def laid_out() -> bool:  # mounted and given room: it paints in this refresh
            panels = app.screen.query(FramePanel) if isinstance(app.screen, DemoScreen) else []
            return bool(panels) and panels.first().region.height > 0

        await _until(laid_out, "first frame laid out")
        shown = time.perf_counter() - started
        screen = app.screen
        await pilot.press("escape")
        await asyncio.to_thread(screen.finished_event.wait, 30)
    return shown


def app_first_frame(demo_id: str, root: Path, template: Path, warm: bool = True) -> float:
    return asyncio.run(_review_first_frame(_home(demo_id, root, template), warm))


def template_db(root: Path) -> Path:
    """A migrated, empty database made once; each home gets a copy."""
    from studydl.home import Home

    home = Home(root / "template").ensure()
    home.open_db().dispose()
    return home.db_path


def cold_app_first_frame(demo_id: str) -> float:
    """The same in a fresh process, `d` pressed at once: the warm-up has only just started."""
    code = (
        f"import sys, tempfile; from pathlib import Path; sys.path.insert(0, {str(ROOT / 'bench')!r}); import demos; "
        "root = Path(tempfile.mkdtemp()); "
        f"print(demos.app_first_frame({demo_id!r}, root, demos.template_db(root), warm=False))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the cold case failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _runner(demo_id: str) -> tuple[float | None, float, object]:
    """One run in the runner: (seconds to its first frame, seconds to its Result, the Result)."""
    run = run_demo(demo_id, seed=0)
    first_frame: float | None = None
    start = time.perf_counter()
    for event in run:
        if first_frame is None and isinstance(event, Frame):
            first_frame = time.perf_counter() - start
    assert run.result is not None and run.wall_s is not None
    return first_frame, run.wall_s, run.result


def bench_rows(only: list[str] | None = None, repeat: int = REPEAT) -> list[str]:
    """One Markdown row per demo, medians of `repeat` trials: first frame (runner, app), time to
    point, final metrics."""
    rows = []
    root = Path(tempfile.mkdtemp(prefix="studydl-bench-"))
    template = template_db(root)
    for spec in list_specs():
        if only and spec.id not in only:
            continue
        try:
            # The app first: in this process the first review's background warm-up is what
            # imports torch, as for a learner; the runner then finds it warm.
            in_app = statistics.median(app_first_frame(spec.id, root, template) for _ in range(repeat))
            trials = [_runner(spec.id) for _ in range(repeat)]
            result = trials[-1][2]
            firsts = [f for f, _, _ in trials if f is not None]
            point = f"{statistics.median(w for _, w, _ in trials):.2f}"
            if not result.reached or result.stopped:  # stopped at its budget: no verdict
                point = f"**{verdict_words(result)}**"
            frame = f"{statistics.median(firsts):.3f}" if firsts else "—"
            row = [spec.id, frame, f"{in_app:.2f}", point, _metrics(result.metrics)]
        except DemoError as exc:
            row = [spec.id, "—", "—", "**failed**", str(exc).replace("|", "/")]
        rows.append("| " + " | ".join(row) + " |")
        print(rows[-1], flush=True)
    return rows


def report(only: list[str] | None = None, repeat: int = REPEAT) -> str:
    """The whole Markdown block."""
    load_start = os.getloadavg()[0]
    cold = torch_import_seconds()
    cold_app = cold_app_first_frame("xor-mlp")
    rows = bench_rows(only, repeat)
    warm = warm_up()  # done by the first review's background thread: its figures
    import torch  # only now: the first review is what imports it in this process
    load_end = os.getloadavg()[0]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with `python bench/demos.py --readme`: demos at default "
        f"parameters, seed 0; torch {torch.__version__}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"load average {load_start:.1f} at the start, {load_end:.1f} at the end.",
        f"`import torch` in a fresh process: {cold:.2f} s; in the review's background warm-up: "
        f"{warm.import_s:.2f} s, then {warm.optimizer_s:.2f} s for the first optimizer step. "
        "*First frame in the app*: the real app (headless, through Pilot), a review of a deck whose "
        "card names the demo, `d` pressed once that warm-up is done (the learner reads the card "
        "meanwhile), until the demo screen's first frame panel is laid out. Pressed at once in a "
        f"fresh process, before the warm-up is done, `xor-mlp`'s first frame takes {cold_app:.2f} s. "
        "*Time to point*: from the demo's start (torch loaded) to its Result, teaching point reached. "
        f"Each figure is the median of {repeat} trials.",
        "",
        "| demo | first frame, runner (s) | first frame in the app (s) | time to point (s) | final metrics |",
        "|---|---:|---:|---:|---|",
        *rows,
    ]
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str) -> str | None:
    """`text` with the marked block replaced, or None when the markers are missing."""
    start, end = (re.escape(m) for m in MARKERS)
    pattern = re.compile(f"{start}.*?{end}", re.DOTALL)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: f"{MARKERS[0]}\n{block}{MARKERS[1]}", text, count=1)


def main() -> None:
    """Run the bench, write bench/out/demos.md and optionally the README block."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="update the block in README.md")
    parser.add_argument("--only", nargs="*", help="just these demo ids (not with --readme)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="trials per demo (medians shown)")
    args = parser.parse_args()
    if args.readme and args.only:
        parser.error("--readme writes the whole table: leave out --only")
    block = report(args.only, max(1, args.repeat))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(block)
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    if args.readme:
        readme = ROOT / "README.md"
        updated = replace_block(readme.read_text(), block) if readme.exists() else None
        if updated is None:
            print(f"README.md has no {MARKERS[0]} … {MARKERS[1]} block; left alone")
        else:
            readme.write_text(updated)
            print("updated README.md")


if __name__ == "__main__":
    main()
