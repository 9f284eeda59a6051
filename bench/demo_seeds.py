"""Run demos at many seeds and say in how many their teaching point holds (`reached`).

    .venv/bin/python bench/demo_seeds.py [--only ID ...] [--seeds 0-7,100-107] [--set ID:key=value]
        [--demos-dir DIR] [--tag NAME] [--readme]

Per demo and seed: `reached`, whether the run was cut (budget or cancel: no verdict), its wall
time and its metrics; per demo a line `ID reached a/n` and every metric's median and range.
Writes bench/out/demo_seeds[-TAG].md (and .json with every run). No run is cut by the demo's
wall-clock budget (a loaded machine changes the times, never the verdicts); a cancelled run
would be counted apart, not as a miss.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from bench_util import write_readme_block

from studydl.demos import catalogue, list_specs
from studydl.demos.params import resolve_params
from studydl.demos.runner import DemoRun

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "demo_seeds.md"
DEFAULT_SEEDS = "0-7,100-107"
NO_BUDGET_S = 1e6
"""The sweep asks whether the point holds, not how fast: no run is cut by its budget."""


def parse_seeds(text: str) -> list[int]:
    """`0-7,100-107` -> [0, ..., 7, 100, ..., 107]."""
    seeds: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds.extend(range(int(lo), int(hi or lo) + 1))
    return seeds


def sweep(
    demo_id: str, seeds: list[int], overrides: dict[str, str], demos_dir: Path | None = None
) -> list[dict]:
    """One record per seed."""
    runs = []
    for seed in seeds:
        spec = catalogue.get_spec(demo_id, demos_dir)
        run = DemoRun(
            spec, seed, resolve_params(spec, overrides), NO_BUDGET_S, demos_dir=demos_dir
        )
        for _ in run:
            pass
        result, wall_s = run.result, run.wall_s
        assert result is not None and wall_s is not None
        runs.append(
            {
                "seed": seed,
                "reached": bool(result.reached),
                "stopped": result.stopped,
                "wall_s": round(wall_s, 3),
                "metrics": dict(result.metrics),
            }
        )
        mark = "ok" if result.reached else ("CUT " + str(result.stopped) if result.stopped else "MISS")
        print(f"  {demo_id} seed {seed}: {mark} ({wall_s:.2f} s)", flush=True)
    return runs


def summary_lines(demo_id: str, runs: list[dict], groups: list[list[int]]) -> list[str]:
    """A reached-count per seed group and every metric's median [min, max]."""
    counts = []
    for group in groups:
        inside = [r for r in runs if r["seed"] in group]
        done = [r for r in inside if not r["stopped"]]
        counts.append(
            f"seeds {group[0]}-{group[-1]}: {sum(r['reached'] for r in done)}/{len(inside)}"
            + (f" (cut {len(inside) - len(done)})" if len(done) < len(inside) else "")
        )
    walls = [r["wall_s"] for r in runs]
    lines = [f"### {demo_id}: " + "; ".join(counts) + f"; wall median {statistics.median(walls):.2f} s, max {max(walls):.2f} s"]
    missed = [r["seed"] for r in runs if not r["reached"]]
    if missed:
        lines.append(f"not reached at seeds {missed}")
    names = sorted({k for r in runs for k in r["metrics"]})
    for name in names:
        values = [r["metrics"][name] for r in runs if name in r["metrics"]]
        lines.append(
            f"- {name}: median {statistics.median(values):.4g} [{min(values):.4g}, {max(values):.4g}]"
        )
    return lines


def table(every: dict[str, list[dict]], groups: list[list[int]]) -> str:
    """One Markdown row per demo: in how many seeds of each group its point holds."""
    names = [f"seeds {g[0]}-{g[-1]}" for g in groups]
    lines = ["| demo | " + " | ".join(names) + " | median run (s) |", "|---|" + "---:|" * (len(groups) + 1)]
    for demo_id, runs in every.items():
        counts = []
        for group in groups:
            inside = [r for r in runs if r["seed"] in group]
            counts.append(f"{sum(r['reached'] and not r['stopped'] for r in inside)}/{len(inside)}")
        wall = statistics.median(r["wall_s"] for r in runs)
        lines.append(f"| {demo_id} | " + " | ".join(counts) + f" | {wall:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="just these demo ids")
    parser.add_argument("--seeds", default=DEFAULT_SEEDS, help="e.g. 0-7,100-107")
    parser.add_argument("--set", nargs="*", default=[], help="ID:key=value overrides")
    parser.add_argument("--demos-dir", type=Path, help="another demos folder (e.g. main's, exported)")
    parser.add_argument("--tag", default="", help="suffix of the output files")
    parser.add_argument("--readme", action="store_true", help="write the verdicts into README.md")
    args = parser.parse_args()
    if args.readme and (args.only or args.set or args.demos_dir or args.seeds != DEFAULT_SEEDS):
        parser.error("--readme writes every demo at its defaults and the default seeds")
    groups = [parse_seeds(part) for part in args.seeds.split(",")]
    seeds = [s for g in groups for s in g]
    overrides: dict[str, dict[str, str]] = {}
    for item in args.set:
        demo_id, _, kv = item.partition(":")
        key, _, value = kv.partition("=")
        overrides.setdefault(demo_id, {})[key] = value
    every: dict[str, list[dict]] = {}
    lines: list[str] = []
    for spec in list_specs(args.demos_dir):
        if args.only and spec.id not in args.only:
            continue
        every[spec.id] = sweep(spec.id, seeds, overrides.get(spec.id, {}), args.demos_dir)
        block = summary_lines(spec.id, every[spec.id], groups)
        print("\n".join(block), flush=True)
        lines += [*block, ""]
    lines = [table(every, groups), *lines]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    stem = "demo_seeds" + (f"-{args.tag}" if args.tag else "")
    (OUT.parent / f"{stem}.md").write_text("\n".join(lines))
    (OUT.parent / f"{stem}.json").write_text(json.dumps(every, indent=1))
    print(f"wrote bench/out/{stem}.md and .json")
    if args.readme:
        write_readme_block("demo-seeds", table(every, groups), "python bench/demo_seeds.py --readme")
        print("updated README.md")


if __name__ == "__main__":
    main()
