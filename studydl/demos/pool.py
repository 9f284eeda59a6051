"""Measure many runs with no wall-clock budget, in this process or in worker processes.

`demo run --seeds` and `check --evidence` hand over a list of `Job`s; each is measured
by `measure` (with the home's result cache when the job names one) and comes back
with its `Measurement` as it finishes. With more than one worker, each is a fresh
process ("spawn": nothing of the caller's threads or torch state is inherited) that
warms torch up once and keeps to one thread, so two workers use the 2 cores.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from studydl.demos.measure import Measurement, measure
from studydl.demos.runner import UNBOUNDED
from studydl.domain.demos import ParamValue


@dataclass(frozen=True)
class Job:
    """One run to measure: a demo at parameters and a seed (hashable: the same run is one job)."""

    demo_id: str
    params: tuple[tuple[str, ParamValue], ...]
    seed: int = 0
    cache_dir: Path | None = None
    """The home's demo-result cache: a run measured before is read back, not trained again."""
    demos_dir: Path | None = None

    @classmethod
    def of(
        cls,
        demo_id: str,
        params: Mapping[str, ParamValue],
        seed: int,
        cache_dir: Path | None = None,
        demos_dir: Path | None = None,
    ) -> Job:
        return cls(demo_id, tuple(sorted(params.items())), seed, cache_dir, demos_dir)


def measure_job(job: Job) -> Measurement:
    """Measure one job to its end (no wall-clock budget); a worker process's entry point."""
    return measure(
        job.demo_id, dict(job.params), seed=job.seed, cache_dir=job.cache_dir, demos_dir=job.demos_dir, budget_s=UNBOUNDED
    )


def measure_all(jobs: Sequence[Job], workers: int = 1) -> Iterator[tuple[Job, Measurement]]:
    """Every job with its Measurement, as each finishes; a DemoError of any job is raised."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, measure_job(job)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        pending: dict[Future[Measurement], Job] = {pool.submit(measure_job, job): job for job in jobs}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    yield job, future.result()
        finally:
            for future in pending:
                future.cancel()
