"""Every demo trained once per test session, its events kept for the tests that draw them.

A real run (real torch, the demo's default parameters, seed 0) is recorded the first time
a test asks for it, by a child process on pinned kernels (PINNED_KERNELS; one per test process, torch
imported once), and shared between pytest-xdist workers through a pickle under a file
lock. The demo screen's snapshots replay it through the screen's own worker, exactly as a
live run's events arrive; the CLI test prints its frames. Training happens once per demo,
not once per size and test.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from studydl.demos import list_specs, run_demo
from studydl.demos.runner import DemoRun, run_to_end
from studydl.domain.demos import Event, Frame, Result

REPO = Path(__file__).resolve().parents[2]
DEMO_IDS = [spec.id for spec in list_specs()]
OVERRIDES: dict[str, dict[str, object]] = {"attention-cost": {"repeats": 0}}
"""Recorded with other than its defaults: a demo that shows measured wall time would draw a
different picture on every run, so it is recorded untimed (counted FLOPs and bytes only)."""


@dataclass
class ReplayRun(DemoRun):
    """A DemoRun whose events come from a recording instead of a training loop."""

    recorded: tuple[Event, ...] = ()

    def _events(self) -> Generator[Event, None, None]:
        for event in self.recorded:
            if isinstance(event, Result):
                self.result, self.wall_s = event, 0.0
            yield event


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session shares (the base of their temp dirs)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "demo-recordings"
    folder.mkdir(exist_ok=True)
    return folder


PINNED_KERNELS = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}
"""The recordings' torch kernels: the paths every x86-64 processor runs alike.

The snapshots compare a recording's exact numbers, and torch's CPU kernels pick their code
path from the processor: MKL takes another path on AMD than on Intel, ATen and oneDNN use
the widest vector instructions there are. A machine change (Intel to AMD EPYC, 2026-12-06)
moved six demo snapshots by a rounding. A recording is made in a process of its own with
these set before torch loads (MKL's Intel-and-compatible branch, ATen's scalar kernels,
oneDNN's SSE4.1); the other tests, and the app, run on the machine's fastest path (the
pinned one made demos 1.0-1.7x slower)."""

_SERVE = "import sys; sys.path.insert(0, sys.argv[1])\nfrom tests.demos.recorded import serve; serve()"
_recorder: subprocess.Popen | None = None
"""This process's recorder: one child on the pinned kernels, torch imported once, for all its recordings."""


def record(demo_id: str, folder: Path) -> tuple[Event, ...]:
    """Every event of one run of `demo_id` at its defaults (or OVERRIDES), seed 0, ending with its Result."""
    path = folder / f"{demo_id}.pickle"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            recorder = _recording_child()
            recorder.stdin.write(f"{demo_id}\t{path}\n")  # type: ignore[union-attr]
            recorder.stdin.flush()  # type: ignore[union-attr]
            reply = recorder.stdout.readline().strip()  # type: ignore[union-attr]
            assert reply == "ok", f"recording {demo_id} failed: {reply or 'the recorder died (its error is above)'}"
        return pickle.loads(path.read_bytes())


def _recording_child() -> subprocess.Popen:
    global _recorder
    if _recorder is None or _recorder.poll() is not None:
        env = {**os.environ, **PINNED_KERNELS}
        _recorder = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(REPO)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
        )  # (it ends when this process does: its stdin closes)
    return _recorder


def serve() -> None:
    """The recorder: for each `demo_id<TAB>path` line, run the demo here and write its events to path; answer
    `ok` (or the error) on a line. Anything else the run prints goes to stderr."""
    replies, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        demo_id, path = line.rstrip("\n").split("\t")
        try:
            record_here(demo_id, path)
            replies.write("ok\n")
        except Exception as exc:  # noqa: BLE001 - told to the test, which fails with it
            replies.write(f"{type(exc).__name__}: {exc}\n".replace("\n", " ").strip() + "\n")
        replies.flush()


def record_here(demo_id: str, path: str) -> None:
    """Run the demo in this process and write its events to `path`."""
    outcome = run_to_end(demo_id, seed=0, overrides=OVERRIDES.get(demo_id))
    part = Path(path + ".part")
    part.write_bytes(pickle.dumps((*outcome.events, outcome.result)))
    part.replace(path)


def final_frames(events: tuple[Event, ...]) -> list[Frame]:
    """The newest frame of each key, in order of first appearance (what a front end ends on)."""
    frames: dict[str, Frame] = {}
    for event in events:
        if isinstance(event, Frame):
            frames[event.key] = event
    return list(frames.values())


def replayer(recorded: tuple[Event, ...]) -> Callable[..., ReplayRun]:
    """A stand-in for `run_demo` that checks the id and parameters as usual, then replays `recorded`."""

    def start(demo_id: str, **kwargs: object) -> ReplayRun:
        run = run_demo(demo_id, **kwargs)  # type: ignore[arg-type]
        fields = {name: getattr(run, name) for name in ("spec", "seed", "params", "budget_s", "cancel_event")}
        return ReplayRun(**fields, recorded=recorded)

    return start
