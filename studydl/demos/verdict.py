"""What a run's Result says about the demo's point, in the words every front end shows.

A run that stopped early (its time budget, a cancel) measured nothing final: it has no
verdict, and saying "not reached" would read as if the point had been shown false.
"""

from __future__ import annotations

from studydl.domain.demos import Result

STOPPED = {
    "budget": "stopped at its time budget: no verdict",
    "cancelled": "cancelled: no verdict",
}
REACHED = "point reached"
NOT_REACHED = "point not reached"


def verdict(result: Result) -> bool | None:
    """True / False: the point was measured and holds or not; None: the run stopped, no verdict."""
    return None if result.stopped else result.reached


def verdict_words(result: Result) -> str:
    """`point reached`, `point not reached`, or why there is no verdict."""
    return describe(result.reached, result.stopped)


def describe(reached: bool | None, stopped: str | None) -> str:
    """The words for a verdict kept apart from its Result (a seed's run, a cache entry)."""
    if stopped:
        return STOPPED.get(stopped, f"stopped ({stopped}): no verdict")
    return REACHED if reached else NOT_REACHED
