"""Run one demo as a stream of events, under a seed, a budget and a cancel flag.

`run_demo` checks the id and parameters at once (raising `UnknownDemo` or
`BadParameter`) and returns a `DemoRun`; iterating it warms torch up, starts the
clock and relays the demo's events. The last event is always one `Result`,
stamped with `stopped='cancelled' | 'budget'` when the run was cut short, and then
with `reached=None`: a point that was not measured has no verdict. A demo that
raises surfaces as `DemoFailed`.

The wall-clock budget is a safety stop for a learner waiting at a front end (the
app, `demo run`): `run_demo` applies the spec's (or `STUDYDL_DEMO_BUDGET`'s).
`run_to_end` (tests, `demo run --seeds`, `check --evidence`) has none by default:
the demo's own step counts decide where it ends, so a loaded machine gives the
same numbers as a quiet one, only later.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from studydl.demos import catalogue, torch_env
from studydl.demos.errors import BadParameter, DemoFailed
from studydl.demos.params import resolve_params
from studydl.domain.demos import (
    DemoContext,
    DemoSpec,
    Event,
    Frame,
    ParamValue,
    Progress,
    Result,
)

STOP_GRACE_S = 0.5
"""After a stop, how long a demo may keep yielding (to send its Result) before it is closed."""
UNBOUNDED = math.inf
"""`budget_s=UNBOUNDED`: no wall-clock budget, the demo's own steps decide its end."""
BUDGET_ENV = "STUDYDL_DEMO_BUDGET"
"""Seconds that replace every demo's own budget in front ends (a slow machine: more)."""


@dataclass(frozen=True)
class RunOutcome:
    """Everything one finished run produced, for tests, the bench and `--json`."""

    spec: DemoSpec
    seed: int
    params: dict[str, ParamValue]
    result: Result
    events: list[Event]
    wall_s: float
    """Seconds from the demo's start (after warm-up) to its Result."""
    first_progress_s: float | None
    """Seconds from the demo's start to its first Progress, None if it sent none."""


@dataclass
class DemoRun:
    """One configured run: an iterator of its events, ending with one Result."""

    spec: DemoSpec
    seed: int
    params: dict[str, ParamValue]
    budget_s: float
    cancel_event: threading.Event = field(default_factory=threading.Event)
    demos_dir: Path | None = None
    result: Result | None = None
    wall_s: float | None = None
    first_progress_s: float | None = None
    _events_gen: Generator[Event, None, None] | None = field(default=None, repr=False)

    def cancel(self) -> None:
        """Ask the demo to stop; its Result will say `stopped='cancelled'`."""
        self.cancel_event.set()

    def __iter__(self) -> DemoRun:
        return self

    def __next__(self) -> Event:
        if self._events_gen is None:
            self._events_gen = self._events()
        return next(self._events_gen)

    def close(self) -> None:
        """Stop early without a Result (e.g. the front end went away); closes the demo."""
        if self._events_gen is not None:
            self._events_gen.close()

    def _events(self) -> Generator[Event, None, None]:
        module = catalogue.load(self.spec.id, self.demos_dir)
        torch_env.warm_up()
        threads = torch_env.configure_threads()
        torch_env.seed_everything(self.seed)

        start = time.perf_counter()
        deadline = start + self.budget_s
        stop_reason: list[str] = []

        def should_stop() -> bool:
            if not stop_reason:
                if self.cancel_event.is_set():
                    stop_reason.append("cancelled")
                elif time.perf_counter() >= deadline:
                    stop_reason.append("budget")
            return bool(stop_reason)

        ctx = DemoContext(
            params=dict(self.params),
            seed=self.seed,
            should_stop=should_stop,
            time_left=lambda: max(0.0, deadline - time.perf_counter()),
            threads=threads,
        )
        metrics: dict[str, float] = {}
        stopped_at: float | None = None
        demo = self._start(module, ctx)
        try:
            while True:
                event = self._next(demo)
                now = time.perf_counter()
                if event is None:
                    result = self._missing_result(stop_reason, metrics)
                    break
                if isinstance(event, Result):
                    result = replace(event, stopped=stop_reason[0], reached=None) if stop_reason else event
                    break
                if isinstance(event, Progress):
                    metrics.update(event.metrics)
                    if self.first_progress_s is None:
                        self.first_progress_s = now - start
                yield event
                if stopped_at is None and should_stop():
                    stopped_at = time.perf_counter()
                if stopped_at is not None and time.perf_counter() - stopped_at > STOP_GRACE_S:
                    result = Result(metrics, reached=None, stopped=stop_reason[0])
                    break
        finally:
            demo.close()
        self.wall_s = time.perf_counter() - start
        self.result = result
        yield result

    def _start(self, module: object, ctx: DemoContext) -> Iterator[object]:
        try:
            return iter(module.run(ctx))  # type: ignore[attr-defined]
        except Exception as exc:
            raise self._failed(exc) from exc

    def _next(self, demo: Iterator[object]) -> Event | None:
        """The demo's next event, None when it returned; its exceptions become DemoFailed."""
        try:
            event = next(demo)
        except StopIteration:
            return None
        except Exception as exc:
            raise self._failed(exc) from exc
        if not isinstance(event, Progress | Frame | Result):
            raise DemoFailed(self.spec.id, f"yielded {type(event).__name__}, not an event")
        return event

    def _missing_result(self, stop_reason: list[str], metrics: dict[str, float]) -> Result:
        if not stop_reason:
            raise DemoFailed(self.spec.id, "finished without yielding a Result")
        return Result(metrics, reached=None, stopped=stop_reason[0])

    def _failed(self, exc: Exception) -> DemoFailed:
        message = str(exc) or "(no message)"
        return DemoFailed(self.spec.id, f"{type(exc).__name__}: {message}")


def run_demo(
    demo_id: str,
    *,
    seed: int = 0,
    overrides: Mapping[str, ParamValue] | None = None,
    cancel: threading.Event | None = None,
    budget_s: float | None = None,
    demos_dir: Path | None = None,
) -> DemoRun:
    """Check the id and parameters now; iterate the returned run to get its events.

    `budget_s`: None gives the front end's budget (the spec's, or `STUDYDL_DEMO_BUDGET`'s);
    a number is capped by it; `UNBOUNDED` runs without a wall-clock budget.
    """
    spec = catalogue.get_spec(demo_id, demos_dir)
    params = resolve_params(spec, overrides)
    cap = front_end_budget(spec)
    return DemoRun(
        spec=spec,
        seed=seed,
        params=params,
        budget_s=budget_s if budget_s == UNBOUNDED else cap if budget_s is None else min(budget_s, cap),
        cancel_event=cancel if cancel is not None else threading.Event(),
        demos_dir=demos_dir,
    )


def front_end_budget(spec: DemoSpec) -> float:
    """The wall-clock budget a front end gives the demo: `STUDYDL_DEMO_BUDGET` if set, else the spec's."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return spec.budget_s
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise BadParameter(f"{BUDGET_ENV}={raw!r}: give the seconds a demo may run, a number above 0")
    return value


def run_to_end(
    demo_id: str,
    seed: int = 0,
    overrides: Mapping[str, ParamValue] | None = None,
    *,
    budget_s: float | None = UNBOUNDED,
    demos_dir: Path | None = None,
) -> RunOutcome:
    """Run a demo to its Result and keep every event; by default with no wall-clock budget
    (`budget_s=None`: the front end's, as `run_demo`)."""
    run = run_demo(demo_id, seed=seed, overrides=overrides, budget_s=budget_s, demos_dir=demos_dir)
    events = list(run)
    assert run.result is not None and run.wall_s is not None
    return RunOutcome(
        spec=run.spec,
        seed=seed,
        params=run.params,
        result=run.result,
        events=events,
        wall_s=run.wall_s,
        first_progress_s=run.first_progress_s,
    )
