"""The garbage collector while the app starts: off until the first frame, rare until the deck counts.

Importing Textual and building the deck list allocate a few hundred thousand objects that
all live on. Collecting as usual meanwhile, CPython walked them ~80 times before the first
frame (a sixth of the time to it) and again, in gen1 and gen2 passes of 100-200 ms at
load, between that frame and the deck counts. So a real start (`launch.open_app`, not a
test's app) holds collection off until the first paint, then freezes what exists by then
out of the collector's reach (as `StudyApp.settle_heap` does later) and collects young
objects only every 100,000 allocations until the counts are shown; then the thresholds
are the usual ones again. Whatever cyclic garbage there is stays bounded by that figure.
"""

from __future__ import annotations

import gc

START_UP_THRESHOLD = 100_000
"""Net allocations between two collections of the young generation until the counts show (CPython's default: 700)."""

_usual: tuple[int, int, int] | None = None
"""The thresholds to go back to, while the start-up one is in force."""


def hold() -> None:
    """Opening the app: no collection until its first frame is painted."""
    gc.disable()


def first_frame_painted() -> None:
    """Freeze what the first frame needed and collect rarely until `release` (nothing if not held)."""
    global _usual
    if gc.isenabled():
        return
    gc.freeze()
    _usual = gc.get_threshold()
    gc.set_threshold(START_UP_THRESHOLD, *_usual[1:])
    gc.enable()


def release() -> None:
    """The deck counts are shown (or start-up failed, or the app ended): the usual thresholds, collection on."""
    global _usual
    if _usual is not None:
        gc.set_threshold(*_usual)
        _usual = None
        gc.enable()
