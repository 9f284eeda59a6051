"""Time every demo in the catalogue at its defaults (seed 0) and write a Markdown table.

    .venv/bin/python bench/demos.py [--readme]

Writes bench/out/demos.md; with --readme also replaces the block between
`<!-- bench:demos -->` and `<!-- /bench:demos -->` in README.md. Never fails on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from studydl.demos import DemoError, list_specs, run_demo, warm_up

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


def bench_rows() -> list[str]:
    """One Markdown row per demo: first progress, result time, reached, metrics."""
    rows = []
    for spec in list_specs():
        try:
            run = run_demo(spec.id, seed=0)
            for _ in run:
                pass
            assert run.result is not None and run.wall_s is not None
            first = f"{run.first_progress_s:.3f}" if run.first_progress_s is not None else "—"
            reached = "yes" if run.result.reached else "**no**"
            if run.result.stopped:
                reached += f" ({run.result.stopped})"
            row = [spec.id, first, f"{run.wall_s:.2f}", reached, _metrics(run.result.metrics)]
        except DemoError as exc:
            row = [spec.id, "—", "—", "**failed**", str(exc).replace("|", "/")]
        rows.append("| " + " | ".join(row) + " |")
        print(rows[-1], flush=True)
    return rows


def report() -> str:
    """The whole Markdown block."""
    import torch

    cold = torch_import_seconds()
    warm = warm_up()
    lines = [
        f"Demos at default parameters, seed 0; torch {torch.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}.",
        f"`import torch` in a fresh process: {cold:.2f} s; first optimizer step "
        f"(warm-up, once per process): {warm.optimizer_s:.2f} s. Times below are after warm-up.",
        "",
        "| demo | first progress (s) | result (s) | reached | final metrics |",
        "|---|---:|---:|---|---|",
        *bench_rows(),
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
    args = parser.parse_args()
    block = report()
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
