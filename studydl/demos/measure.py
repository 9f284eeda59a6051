"""Run a demo to its Result for a predict card, or reuse the cached Result of the same run.

A run is known by its demo id, the hash of its code (the demo module and the shared
`_*.py` helpers beside it), the seed, the parameters and the torch version: the same
key gives the same numbers, so its metrics are kept as a small JSON file in the
home's `cache/demo-results/` folder and read back instead of training again. A
changed demo or an upgraded torch is a new key; stale files are simply never read.
An entry that is damaged, foreign (another run's) or not what measure writes is
ignored, and the run's own entry written over it: a cache never raises.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from studydl.demos.catalogue import module_name
from studydl.demos.params import resolve_params
from studydl.demos.runner import run_demo
from studydl.domain.demos import ParamValue
from studydl.private_files import make_private_dirs
from studydl.resources import bundled_demos_dir

CACHE_FOLDER = Path("cache") / "demo-results"
MAX_ENTRY_BYTES = 1 << 20
"""A cache entry is a few hundred bytes; anything above this is not ours and is not read."""


@dataclass(frozen=True)
class Measurement:
    """The metrics of one run, whether they came from the cache, and the run's key."""

    demo_id: str
    params: dict[str, ParamValue]
    metrics: dict[str, float]
    cached: bool
    key: str
    stopped: str | None = None
    """Why the run ended early (`budget`, `cancelled`); its metrics are then not cached."""
    reached: bool | None = None
    """The demo's verdict on its point; None when the run stopped early."""
    wall_s: float | None = None
    """Seconds the run took; None when it came from the cache."""



def code_hash(demo_id: str, demos_dir: Path | None = None) -> str:
    """Hash of the demo module and the shared helper modules it may import."""
    folder = (demos_dir or bundled_demos_dir()).resolve()
    digest = hashlib.sha256()
    for path in [folder / f"{module_name(demo_id)}.py", *sorted(folder.glob("_*.py"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _torch_version() -> str:
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "none"


def run_key(demo_id: str, params: Mapping[str, ParamValue], seed: int, demos_dir: Path | None = None) -> str:
    """The cache key of a run: demo id, code hash, seed, parameters (all of them) and torch's version."""
    raw = json.dumps(
        {"demo": demo_id, "code": code_hash(demo_id, demos_dir), "seed": seed, "params": dict(params), "torch": _torch_version()},
        sort_keys=True,
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def measure(
    demo_id: str,
    overrides: Mapping[str, ParamValue],
    *,
    seed: int,
    cache_dir: Path | None,
    cancel: threading.Event | None = None,
    demos_dir: Path | None = None,
    budget_s: float | None = None,
) -> Measurement:
    """The demo's final metrics for these parameters: from the cache, or by running it (then cached).

    `budget_s` as `run_demo`'s: None is a front end's budget (a learner waits), `UNBOUNDED`
    none (a check that needs the number).
    """
    from studydl.demos.catalogue import get_spec

    params = resolve_params(get_spec(demo_id, demos_dir), overrides)
    key = run_key(demo_id, params, seed, demos_dir)
    path = cache_dir / f"{demo_id}-{key}.json" if cache_dir is not None else None
    if path is not None:
        entry = _read(path, {"demo": demo_id, "seed": seed, "params": params})
        if entry is not None:
            metrics, reached = entry
            return Measurement(demo_id, params, metrics, True, key, reached=reached)
    run = run_demo(demo_id, seed=seed, overrides=params, cancel=cancel, budget_s=budget_s, demos_dir=demos_dir)
    for _event in run:
        pass
    assert run.result is not None
    result = run.result
    metrics = dict(result.metrics)
    if path is not None and result.stopped is None:
        _write(path, {"demo": demo_id, "seed": seed, "params": params, "metrics": metrics, "reached": result.reached})
    return Measurement(demo_id, params, metrics, False, key, result.stopped, result.reached, run.wall_s)


def _read(path: Path, expected: dict) -> tuple[dict[str, float], bool | None] | None:
    """The metrics and verdict of an entry written for exactly this run, else None (a miss)."""
    try:
        if path.stat().st_size > MAX_ENTRY_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in expected.items()):
        return None
    metrics, reached = data.get("metrics"), data.get("reached", "missing")
    if not isinstance(metrics, dict) or not (reached is None or isinstance(reached, bool)):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()):
        return None
    return {str(k): float(v) for k, v in metrics.items()}, reached


def _write(path: Path, data: dict) -> None:
    """Atomically: a reader never sees half a file."""
    try:
        make_private_dirs(path.parent)  # the learner's alone, as the whole home (files: mkstemp's 0600)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, allow_nan=True)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache is no error: the next review runs the demo again
