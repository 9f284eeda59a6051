"""One demo over several seeds: every metric's spread, and in how many seeds the point holds.

Headless: `run_seeds` measures each seed with no wall-clock budget (the demo's own steps
end it, so a loaded machine gives the same numbers), in this process or in worker
processes, and returns a `SeedsReport`; `demo run --seeds` only prints it (or its
`to_json()`). A claim that holds at one seed only is a claim about that seed.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from studydl.demos.catalogue import get_spec
from studydl.demos.errors import BadParameter
from studydl.demos.params import resolve_params
from studydl.demos.pool import Job, measure_all
from studydl.demos.verdict import describe
from studydl.domain.demos import ParamValue

MAX_SEEDS = 10_000
_RANGE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")


def parse_seeds(text: str, first: int = 0) -> list[int]:
    """`8`: eight seeds from `first`; `3,7,11`: those seeds; `8..15`: 8 through 15. BadParameter otherwise."""
    text = text.strip()
    try:
        if match := _RANGE.match(text):
            low, high = int(match.group(1)), int(match.group(2))
            seeds = list(range(low, high + 1)) if low <= high and high - low < MAX_SEEDS else []
        elif "," in text:
            seeds = [int(part) for part in text.split(",")]
        else:
            count = int(text)
            seeds = list(range(first, first + count)) if 0 < count <= MAX_SEEDS else []
    except ValueError:
        seeds = []
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise BadParameter(
            f"--seeds {text!r}: give a count (8: from --seed on), a list (3,7,11) or a range (8..15) "
            f"of different seeds >= 0, at most {MAX_SEEDS}"
        )
    return seeds


@dataclass(frozen=True)
class SeedRun:
    """One seed's final metrics and verdict."""

    seed: int
    metrics: dict[str, float]
    reached: bool | None
    stopped: str | None
    wall_s: float | None

    @property
    def verdict(self) -> str:
        return describe(self.reached, self.stopped)


@dataclass(frozen=True)
class Spread:
    """One metric over the seeds: median and range of its finite values."""

    metric: str
    median: float | None
    low: float | None
    high: float | None
    finite: int
    """Seeds whose value is a finite number (the others: missing, infinite or NaN)."""


@dataclass(frozen=True)
class SeedsReport:
    demo_id: str
    params: dict[str, ParamValue]
    runs: tuple[SeedRun, ...]
    declared: tuple[str, ...] = ()
    """The demo's declared metrics, in its order (listed first)."""

    @property
    def holds(self) -> int:
        """Seeds where the point was measured and holds."""
        return sum(1 for run in self.runs if run.stopped is None and run.reached is True)

    @property
    def fails(self) -> int:
        return sum(1 for run in self.runs if run.stopped is None and run.reached is False)

    @property
    def no_verdict(self) -> int:
        return len(self.runs) - self.holds - self.fails

    def metric_names(self) -> list[str]:
        seen = dict.fromkeys(name for name in self.declared if any(name in r.metrics for r in self.runs))
        for run in self.runs:
            seen.update(dict.fromkeys(run.metrics))
        return list(seen)

    def spreads(self) -> list[Spread]:
        out = []
        for name in self.metric_names():
            values = sorted(v for r in self.runs if (v := r.metrics.get(name)) is not None and math.isfinite(v))
            if values:
                out.append(Spread(name, statistics.median(values), values[0], values[-1], len(values)))
            else:
                out.append(Spread(name, None, None, None, 0))
        return out

    def to_json(self) -> dict[str, object]:
        """The report as one JSON document (non-finite numbers as null)."""
        return {
            "id": self.demo_id,
            "params": self.params,
            "seeds": [run.seed for run in self.runs],
            "reached": {"holds": self.holds, "fails": self.fails, "no_verdict": self.no_verdict, "of": len(self.runs)},
            "metrics": {
                s.metric: {"median": s.median, "min": s.low, "max": s.high, "finite": s.finite} for s in self.spreads()
            },
            "runs": [
                {
                    "seed": run.seed,
                    "reached": None if run.stopped else run.reached,
                    "verdict": run.verdict,
                    "stopped": run.stopped,
                    "metrics": {k: v if math.isfinite(v) else None for k, v in run.metrics.items()},
                    "wall_seconds": run.wall_s,
                }
                for run in self.runs
            ],
        }


def run_seeds(
    demo_id: str,
    seeds: Sequence[int],
    overrides: Mapping[str, ParamValue] | None = None,
    *,
    jobs: int = 1,
    demos_dir: Path | None = None,
    on_run: Callable[[SeedRun], None] | None = None,
) -> SeedsReport:
    """Run the demo at each seed (no wall-clock budget), in up to `jobs` processes; `on_run` hears each as it ends."""
    spec = get_spec(demo_id, demos_dir)
    params = resolve_params(spec, overrides)
    runs: dict[int, SeedRun] = {}
    work = [Job.of(demo_id, params, seed, demos_dir=demos_dir) for seed in seeds]
    for job, measured in measure_all(work, jobs):
        run = SeedRun(job.seed, measured.metrics, measured.reached, measured.stopped, measured.wall_s)
        runs[job.seed] = run
        if on_run is not None:
            on_run(run)
    declared = tuple(m.name for m in spec.metrics)
    return SeedsReport(demo_id, params, tuple(runs[seed] for seed in seeds), declared)
