"""Notice edits to deck files while the app is open: watchfiles, or mtime polling without it."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

POLL_SECONDS = 1.0


def _is_deck(path: Path) -> bool:
    """A Markdown file that is not hidden (an editor's `.x.md.swp` or `.#x.md` is not a deck)."""
    return path.suffix == ".md" and not path.name.startswith((".", "#"))


def _snapshot(roots: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    state: dict[Path, tuple[int, int]] = {}
    for root in roots:
        for path in root.rglob("*.md") if root.is_dir() else ():
            try:
                st = path.stat()
            except OSError:
                continue
            state[path] = (st.st_mtime_ns, st.st_size)
    return state


def poll_changes(roots: list[Path], stop: threading.Event, interval: float = POLL_SECONDS) -> Iterator[set[Path]]:
    """Yield the deck files added, changed or removed since the call (then since the last look)."""
    return _poll(roots, stop, interval, _snapshot(roots))


def _poll(roots: list[Path], stop: threading.Event, interval: float, before: dict[Path, tuple[int, int]]) -> Iterator[set[Path]]:
    while not stop.wait(interval):
        after = _snapshot(roots)
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        before = after
        if changed:
            yield changed


def watch_changes(roots: Iterable[Path], stop: threading.Event) -> Iterator[set[Path]]:
    """Yield sets of changed deck files until `stop` is set (checked at least every 50 ms)."""
    folders = [root for root in roots if root.is_dir()]
    if not folders:
        return
    try:
        from watchfiles import watch
    except ImportError:
        yield from poll_changes(folders, stop)
        return
    for changes in watch(
        *folders,
        stop_event=stop,
        watch_filter=lambda _change, path: _is_deck(Path(path)),
        debounce=300,
        step=50,
        raise_interrupt=False,
    ):
        yield {Path(path) for _change, path in changes}
