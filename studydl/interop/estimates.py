"""Memory-state estimates for cards scheduled by SM-2 style tools (Anki without FSRS, Obsidian SR).

FSRS's stability is the interval (in days) at which recall falls to 90 %, so a
review interval the old scheduler gave at ~90 % retention is a fair estimate of
it. SM-2's ease (250 % by default, 130 % at the floor) maps onto FSRS's
difficulty 1..10 linearly: 250 % -> 5, each 24 points less -> one point harder.
"""

from __future__ import annotations

MIN_STABILITY = 0.1
DEFAULT_EASE = 250.0


def stability_from_interval(days: float) -> float:
    """Stability (days) for a card the old scheduler spaced `days` apart."""
    return max(float(days), MIN_STABILITY)


def difficulty_from_ease(ease_percent: float | None) -> float:
    """FSRS difficulty (1 easy .. 10 hard) from an SM-2 ease in percent (250 = default)."""
    ease = DEFAULT_EASE if not ease_percent else float(ease_percent)
    return round(min(10.0, max(1.0, 5.0 + (DEFAULT_EASE - ease) / 24.0)), 4)


def learning_stability(rating: int) -> float:
    """FSRS-6's default initial stability after a first answer (Again, Hard, Good, Easy)."""
    return {1: 0.212, 2: 1.2931, 3: 2.3065, 4: 8.2956}.get(rating, 2.3065)


def difficulty_from_revlog_factor(factor: int) -> float | None:
    """FSRS difficulty from a revlog row's `factor`, None when it holds none (0).

    With FSRS on, Anki writes the difficulty there, shifted into 100..1100
    ((D - 1) / 9 + 0.1, in thousandths: `FsrsMemoryState::difficulty_shifted`); an
    SM-2 ease is 1300 (130 %) or more.
    """
    if factor <= 0:
        return None
    if factor <= 1100:
        return round(min(10.0, max(1.0, (max(factor, 100) / 1000 - 0.1) * 9 + 1)), 4)
    return difficulty_from_ease(factor / 10)


def revlog_factor(difficulty: float) -> int:
    """The revlog `factor` Anki writes for an FSRS difficulty (the inverse of the above)."""
    return round(((min(10.0, max(1.0, difficulty)) - 1) / 9 + 0.1) * 1000)


def ease_from_difficulty(difficulty: float) -> int:
    """An SM-2 ease factor in thousandths (Anki's card `factor`) for an FSRS difficulty: the inverse of difficulty_from_ease."""
    return max(1300, round((DEFAULT_EASE - (difficulty - 5.0) * 24.0) * 10))
