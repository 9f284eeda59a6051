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
