"""Anki's review sort orders (rslib `storage/card/mod.rs`, `review_order_sql`), as sort keys.

The reviews due today are sorted once when the day's queue is built (as Anki sorts its
review queue when it builds it), then handed out in that order. Every order ends with
a random tie-break, fixed for the day (Anki hashes the card id with its modification
time; studydl the card id with the study day), so the same day gives the same order:

- `due`: the due day, then random (Anki's default, "Due date, then random");
- `due-deck`, `deck-due`: due day and deck (decks in name order, as Anki's deck list);
- `interval-asc`, `interval-desc`: the interval the card was given;
- `difficult-first`, `easy-first`: FSRS difficulty, high or low first (Anki's ease
  orders with FSRS on);
- `retrievability-asc`, `retrievability-desc`: FSRS's recall probability now (the
  time since the last review in days, the card's preset's decay);
- `overdueness`: Anki's relative overdueness, the most overdue for its desired
  retention first: `-(R^(-1/decay) - 1) / (DR^(-1/decay) - 1)`, ascending;
- `random`; `added`, `reverse-added`: the order the cards were made (card id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

_M32 = 0xFFFFFFFF


def day_hash(card_id: int, day: int) -> int:
    """A random-looking but fixed tie-break for one card on one study day."""
    x = (card_id * 0x9E3779B1 + day * 0x85EBCA77) & _M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _M32
    x ^= x >> 15
    return x


@dataclass(frozen=True)
class DueReview:
    """A review card due today, with what the orders sort by."""

    id: int
    deck_id: int
    due_day: int
    interval: int
    stability: float | None
    difficulty: float | None
    last_review: datetime | None


@dataclass(frozen=True)
class Curve:
    """A preset's forgetting curve and desired retention (for the retrievability orders)."""

    decay: float
    desired_retention: float

    def retrievability(self, stability: float, days: float) -> float:
        factor = 0.9 ** (-1.0 / self.decay) - 1.0
        return (1.0 + factor * max(0.0, days) / stability) ** -self.decay

    def relative_overdueness(self, stability: float, days: float) -> float:
        """Anki's `extract_fsrs_relative_retrievability`: lower is more overdue for the card's retention."""
        recall = max(self.retrievability(stability, days), 0.0001)
        wanted = max(self.desired_retention, 0.0001)
        return -(recall ** (-1.0 / self.decay) - 1.0) / (wanted ** (-1.0 / self.decay) - 1.0)


def sort_reviews(
    cards: list[DueReview], order: str, today: int, now: datetime, deck_rank: dict[int, int], curve: Callable[[int], Curve]
) -> list[DueReview]:
    """`cards` in review order `order` (see the module docstring); `curve(deck_id)` gives a card's preset's curve."""

    def days_since(card: DueReview) -> float:
        return (now - card.last_review).total_seconds() / 86_400 if card.last_review is not None else 0.0

    def recall(card: DueReview) -> float:
        if card.stability is None:
            return 1.0
        return curve(card.deck_id).retrievability(card.stability, days_since(card))

    def overdue(card: DueReview) -> float:
        if card.stability is None:
            return -(days_since(card) + 0.001) / max(card.interval, 1)
        return curve(card.deck_id).relative_overdueness(card.stability, days_since(card))

    keys: dict[str, Callable[[DueReview], tuple]] = {
        "due": lambda c: (c.due_day,),
        "due-deck": lambda c: (c.due_day, deck_rank.get(c.deck_id, 0)),
        "deck-due": lambda c: (deck_rank.get(c.deck_id, 0), c.due_day),
        "interval-asc": lambda c: (c.interval,),
        "interval-desc": lambda c: (-c.interval,),
        "difficult-first": lambda c: (-(c.difficulty or 0.0),),
        "easy-first": lambda c: (c.difficulty or 0.0,),
        "retrievability-asc": lambda c: (recall(c),),
        "retrievability-desc": lambda c: (-recall(c),),
        "overdueness": lambda c: (overdue(c),),
        "random": lambda c: (),
        "added": lambda c: (c.id,),
        "reverse-added": lambda c: (-c.id,),
    }
    key = keys.get(order, keys["due"])
    return sorted(cards, key=lambda c: (*key(c), day_hash(c.id, today)))
