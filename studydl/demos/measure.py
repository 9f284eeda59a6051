"""Run a demo to its Result for a predict card, or reuse the cached Result of the same run.

A run is known by its demo id, the hash of its code (the demo module and the shared
`_*.py` helpers beside it), the seed, the parameters and the torch version: the same
key gives the same numbers, so its metrics are kept as a small JSON file in the
home's `cache/demo-results/` folder and read back instead of training again. A
changed demo or an upgraded torch is a new key; stale files are simply never read.
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
) -> Measurement:
    """The demo's final metrics for these parameters: from the cache, or by running it (then cached)."""
    from studydl.demos.catalogue import get_spec

    params = resolve_params(get_spec(demo_id, demos_dir), overrides)
    key = run_key(demo_id, params, seed, demos_dir)
    path = cache_dir / f"{demo_id}-{key}.json" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            data = json.loads(path.read_text())
            return Measurement(demo_id, params, {k: float(v) for k, v in data["metrics"].items()}, True, key)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache file: run again and rewrite it
    run = run_demo(demo_id, seed=seed, overrides=params, cancel=cancel, demos_dir=demos_dir)
    for _event in run:
        pass
    assert run.result is not None
    metrics = dict(run.result.metrics)
    if path is not None and run.result.stopped is None:
        _write(path, {"demo": demo_id, "seed": seed, "params": params, "metrics": metrics})
    return Measurement(demo_id, params, metrics, False, key, run.result.stopped)


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
