"""A test-only demo that trains past its own 0.05 s budget, written into a demos folder."""

from __future__ import annotations

from pathlib import Path

SLOW = '''
import time

from studydl.domain.demos import DemoSpec, Progress, Result

SPEC = DemoSpec(
    id="slow", title="Slow", teaches="Runs past its budget.", budget_s=0.05,
    metrics=(("steps", "steps taken", "steps"),),
)


def run(ctx):
    end, step = time.perf_counter() + 0.3, 0
    while time.perf_counter() < end:
        if ctx.should_stop():
            return
        step += 1
        yield Progress(step, None, {"steps": float(step)})
    yield Result({"steps": float(step)}, reached=True, summary="done")
'''


def slow_demos(folder: Path) -> Path:
    """`folder` holding the `slow` demo (0.3 s of work against a 0.05 s budget)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "slow.py").write_text(SLOW, encoding="utf-8")
    return folder
