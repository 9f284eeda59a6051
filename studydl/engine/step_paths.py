"""The (re)learning steps as a table of paths: every way a card can go through them, with its probability.

fsrs-rs's `memory_state_short_term` walks a card through its same-day steps one
button at a time: from the last button, the next is drawn from that button's row of
the step transitions; the card leaves on Easy, once it has passed as many steps as
there are (one fewer after a first Good or Easy; an Again starts the count again), or
after five answers. Which buttons come does not depend on the card's memory, only on
the buttons before, so the ways through are a fixed tree: at most 4^5 leaves. Listing
them once lets the simulator draw a card's whole way with one random number, and
apply the FSRS updates along it, instead of drawing answer by answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_STEPS = 5
"""Same-day answers a (re)learning card gets at most (fsrs-rs's MAX_STEPS)."""


@dataclass(frozen=True)
class StepPaths:
    """Every way through the steps from one first button (array rows: paths)."""

    prob: np.ndarray
    """Each path's probability (they add up to 1)."""
    ratings: np.ndarray
    """Paths x MAX_STEPS: the buttons after the first, 0 past a path's end."""
    length: np.ndarray
    seconds: np.ndarray
    """The steps' seconds (the first answer's not included)."""

    def pick(self, u: np.ndarray) -> np.ndarray:
        """A path for each uniform draw in [0, 1)."""
        return pick(np.cumsum(self.prob), u)


def pick(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The index each uniform draw in [0, 1) falls to, by cumulative probabilities (the last about 1)."""
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)


def step_paths(transitions: Sequence[Sequence[float]], costs: Sequence[float], steps: int, first: int) -> StepPaths:
    """The paths from button `first` (1-4) through `steps` steps, by rows of transition weights (Again, Hard, Good)."""
    table = np.asarray(transitions, dtype=np.float64)
    table = table / table.sum(axis=1, keepdims=True)
    cost = np.asarray(costs, dtype=np.float64)
    needed = max(0, steps - 1) if first > 2 else steps
    # The frontier: paths still in the steps (they branch four ways) and those done.
    prob = np.ones(1)
    last = np.array([first])
    passed = np.zeros(1, dtype=np.int64)
    ratings = np.zeros((1, MAX_STEPS), dtype=np.int64)
    seconds = np.zeros(1)
    done: list[tuple[np.ndarray, ...]] = []
    for step in range(MAX_STEPS + 1):
        going = (passed < needed) & (last < 4) & (step < MAX_STEPS)
        done.append((prob[~going], ratings[~going], np.full(int((~going).sum()), step), seconds[~going]))
        if not going.any():
            break
        prob, last, passed, ratings, seconds = (a[going] for a in (prob, last, passed, ratings, seconds))
        branches = len(prob)
        nxt = np.tile(np.arange(1, 5), branches)
        prob = np.repeat(prob, 4) * table[np.repeat(last, 4) - 1, nxt - 1]
        passed = np.repeat(passed, 4)
        passed = np.where(nxt > 2, passed + 1, np.where(nxt == 1, 0, passed))
        ratings = np.repeat(ratings, 4, axis=0)
        ratings[:, step] = nxt
        seconds = np.repeat(seconds, 4) + cost[nxt - 1]
        last = nxt
    probs, paths, lengths, costs_ = (np.concatenate(column) for column in zip(*done, strict=True))
    return StepPaths(probs / probs.sum(), paths, lengths, costs_)
