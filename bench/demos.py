"""Time every demo in the catalogue at its defaults (seed 0) and write a Markdown table.

    .venv/bin/python bench/demos.py [--readme] [--only ID ...]

Per demo: first frame and time to its teaching point (its Result, when reached) in the
runner after warm-up, and the first frame in the app: a headless Textual app opens the demo
screen (as `d` on a card does, torch already warmed by the review) and the clock runs until
the first frame panel is on screen. One cold case shows what the warm-up saves.

Writes bench/out/demos.md; with --readme also replaces the block between
`<!-- bench:demos -->` and `<!-- /bench:demos -->` in README.md. Never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from studydl.demos import DemoError, list_specs, run_demo, warm_up
from studydl.domain.demos import Frame

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "demos.md"
MARKERS = ("<!-- bench:demos -->", "<!-- /bench:demos -->")


def torch_import_seconds() -> float:
    """`import torch` in a fresh interpreter."""
    code = "import time; t = time.perf_counter(); import torch; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def _metrics(metrics: dict[str, float], limit: int = 4) -> str:
    shown = [f"{k}={v:.3g}" for k, v in list(metrics.items())[:limit]]
    return ", ".join(shown) + (", …" if len(metrics) > limit else "")


async def _app_first_frame(demo_id: str) -> float:
    """Seconds from opening the demo screen to its first frame panel on screen (headless app)."""
    from textual.app import App

    from studydl.tui.screens.demo import DemoScreen
    from studydl.tui.widgets.demo_view import FramePanel

    screen = DemoScreen(demo_id)
    app = App()
    async with app.run_test(size=(100, 30)) as pilot:
        started = time.perf_counter()
        app.push_screen(screen)
        def laid_out() -> bool:  # mounted and given room: it paints in this refresh
            panels = screen.query(FramePanel)
            return bool(panels) and panels.first().region.height > 0

        while not laid_out() and time.perf_counter() - started < 60:
            await asyncio.sleep(0.002)
        shown = time.perf_counter() - started
        await pilot.press("escape")
        await asyncio.to_thread(screen.finished_event.wait, 30)
    return shown


def app_first_frame(demo_id: str) -> float:
    return asyncio.run(_app_first_frame(demo_id))


def cold_app_first_frame(demo_id: str) -> float:
    """The same in a fresh process with nothing warmed: what pressing `d` cost before."""
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import demos; print(demos.app_first_frame({demo_id!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def bench_rows(only: list[str] | None = None) -> list[str]:
    """One Markdown row per demo: first frame (runner, app), time to point, reached, metrics."""
    rows = []
    for spec in list_specs():
        if only and spec.id not in only:
            continue
        try:
            run = run_demo(spec.id, seed=0)
            first_frame: float | None = None
            start = time.perf_counter()
            for event in run:
                if first_frame is None and isinstance(event, Frame):
                    first_frame = time.perf_counter() - start
            assert run.result is not None and run.wall_s is not None
            point = f"{run.wall_s:.2f}" if run.result.reached else "**not reached**"
            if run.result.stopped:
                point += f" ({run.result.stopped})"
            frame = f"{first_frame:.3f}" if first_frame is not None else "—"
            in_app = f"{app_first_frame(spec.id):.2f}"
            row = [spec.id, frame, in_app, point, _metrics(run.result.metrics)]
        except DemoError as exc:
            row = [spec.id, "—", "—", "**failed**", str(exc).replace("|", "/")]
        rows.append("| " + " | ".join(row) + " |")
        print(rows[-1], flush=True)
    return rows


def report(only: list[str] | None = None) -> str:
    """The whole Markdown block."""
    import torch

    cold = torch_import_seconds()
    cold_app = cold_app_first_frame("xor-mlp")
    warm = warm_up()
    import studydl.tui.screens.demo  # noqa: F401  (the review's warm-up imports it too)

    rows = bench_rows(only)
    load = os.getloadavg()[0]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with `python bench/demos.py --readme`: demos at default "
        f"parameters, seed 0; torch {torch.__version__}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"load average {load:.1f}.",
        f"`import torch` in a fresh process: {cold:.2f} s; first optimizer step (warm-up, once per "
        f"process): {warm.optimizer_s:.2f} s. A review of a deck with demo cards does both in the "
        f"background, so `d` finds torch warm: *first frame in the app* below is that case. "
        f"Cold (a fresh process, nothing warmed), `xor-mlp`'s first frame in the app takes {cold_app:.2f} s.",
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
    args = parser.parse_args()
    if args.readme and args.only:
        parser.error("--readme writes the whole table: leave out --only")
    block = report(args.only)
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
