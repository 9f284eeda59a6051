"""Parse the changed deck files of one sync, on more than one core when they are many.

A first sync of a large folder spends half its time parsing, file by file, each on its
own: so with N cores, N-1 worker processes each parse a share of the files while this
process parses its own. A worker is a fresh interpreter started with `subprocess` (not
multiprocessing: it would import the caller's main script again, and a fork from the
app's threads is unsafe), fed its share pickled on stdin, answering the decks pickled on
stdout: the same objects a parse here makes. Starting one costs an interpreter and the
parser's imports (~0.3 s), so a small sync parses here alone, as before. A worker that
fails (cannot start, dies) costs only time: its share is parsed here.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studydl.domain.cards import ParsedDeck

POOL_MIN_BYTES = 4 * 1024 * 1024
"""Below this much deck text (about 80,000 short cards), a worker costs more than it saves."""

_SERVE = (
    "import sys; root = sys.argv[1]; root in sys.path or sys.path.insert(0, root)\n"
    "from studydl.decks.parse_pool import serve; serve()"
)
"""A worker's program: this studydl (its folder first on the path unless the path has it already:
a folder on the path as an installed package's site-packages is never put before the standard library)."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_many(
    files: list[tuple[Path, bytes]],
    known_demos: Collection[str] | None = None,
    *,
    min_bytes: int = POOL_MIN_BYTES,
    cores: int | None = None,
) -> list[ParsedDeck]:
    """`parse_bytes` of each (path, bytes), in order; shared with worker processes when there
    are at least `min_bytes` of them and more than one core (`cores`, else those usable)."""
    demos = known_demos  # (the demo catalogue: a Mapping whose specs load when asked for, pickled as it is)
    shares = min(cores or usable_cores(), len(files))
    if shares < 2 or sum(len(data) for _, data in files) < min_bytes:
        return _parse_all(files, demos)
    order = sorted(range(len(files)), key=lambda i: -len(files[i][1]))
    parts = [order[k::shares] for k in range(shares)]  # the largest files dealt out first: even shares
    workers = [_start([files[i] for i in part], demos) for part in parts[1:]]
    out: list[ParsedDeck | None] = [None] * len(files)
    try:
        for i, deck in zip(parts[0], _parse_all([files[i] for i in parts[0]], demos), strict=True):
            out[i] = deck
        for part, worker in zip(parts[1:], workers, strict=True):
            decks = _result(worker, len(part))
            if decks is None:
                decks = _parse_all([files[i] for i in part], demos)
            for i, deck in zip(part, decks, strict=True):
                out[i] = deck
    finally:
        for worker in workers:  # none left behind, whatever happened here
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait()
    return out  # type: ignore[return-value]


def _parse_all(files: list[tuple[Path, bytes]], demos: Collection[str] | None) -> list[ParsedDeck]:
    from studydl.decks.parser import parse_bytes

    return [parse_bytes(path, data, demos) for path, data in files]


def _start(files: list[tuple[Path, bytes]], demos: Collection[str] | None) -> subprocess.Popen | None:
    """A worker parsing `files`, its input written (None if it could not start)."""
    root = str(Path(__file__).resolve().parents[1].parent)  # the folder holding this studydl package
    try:
        worker = subprocess.Popen(
            [sys.executable, "-c", _SERVE, root], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )  # (stderr: a worker's failure is only a slower parse here, never text on the learner's screen)
    except OSError:
        return None
    try:
        with worker.stdin:  # type: ignore[union-attr]
            pickle.dump((files, demos), worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # it died before reading its share, or the catalogue does not pickle
        worker.kill()
        worker.wait()
        return None
    return worker


def _result(worker: subprocess.Popen | None, count: int) -> list[ParsedDeck] | None:
    """The worker's decks, or None if it failed."""
    if worker is None:
        return None
    try:
        with worker.stdout:  # type: ignore[union-attr]
            decks = pickle.load(worker.stdout)
    except (OSError, EOFError, pickle.UnpicklingError):
        decks = None
    if worker.wait() != 0 or not isinstance(decks, list) or len(decks) != count:
        return None
    return decks


def serve() -> None:
    """A worker's life: read (files, demos) on stdin, write their decks on stdout."""
    import gc

    gc.disable()  # a short life making objects it keeps (see decks.sync.collector_paused)
    files, demos = pickle.load(sys.stdin.buffer)
    pickle.dump(_parse_all(files, demos), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
