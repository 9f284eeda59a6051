"""Rescheduling review cards with Easy Days and the load balancer (rslib `scheduler/fsrs/rescheduler.rs`).

Existing due dates stay as they are when options change; they move only when the
learner reschedules (`studydl optimize --reschedule`, Anki's "Reschedule cards on
change"). Then, with the load balancer on, each review card's new interval is drawn
within its fuzz range as Anki's rescheduler draws it: counted from the card's last
review, never into the past (a card already overdue for its whole range keeps fuzz's
interval), weighted by the review cards due on each day in decks of its preset (and,
for today, the reviews already done today), with the preset's Easy Days, no sibling
term; the counts follow each card moved.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from studydl.engine.fuzz import constrained_fuzz_bounds
from studydl.engine.load_balancer import easy_days_modifiers, select_weighted_interval
from studydl.engine.queue_counts import REVIEW

if TYPE_CHECKING:
    from studydl.engine.setting_values import Settings
    from studydl.store.hot import HotSQL


class Rescheduler:
    """Review cards due per preset and study day, and today's reviews, as Anki's rescheduler counts them."""

    def __init__(self, con: HotSQL, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.days = settings.study_days()
        self.today = self.days.day_of(now)
        self.next_day_at = self.days.start_of(self.today + 1)
        names = dict(con.execute("SELECT id, name FROM decks").fetchall())
        self.due: dict[str, Counter[int]] = {}
        rows = con.execute(
            f"SELECT deck_id, due, count(*) FROM cards WHERE state = {REVIEW} AND suspended = FALSE AND retired = FALSE"
            " AND due IS NOT NULL GROUP BY deck_id, due"
        )
        for deck_id, due, n in rows:
            preset = settings.preset_of(names.get(deck_id, ""))
            self.due.setdefault(preset, Counter())[self.days.day_of(con.from_db(due))] += n
        self.reviewed: Counter[str] = Counter()
        done = con.execute(
            "SELECT cards.deck_id, count(*) FROM review_log JOIN cards ON cards.id = review_log.card_id"
            " WHERE review_log.reviewed_at >= ? AND review_log.kind = 'scheduled' GROUP BY cards.deck_id",
            (con.to_db(self.days.start_of(self.today)),),
        )
        for deck_id, n in done:
            self.reviewed[settings.preset_of(names.get(deck_id, ""))] += n

    def _count(self, preset: str, day: int) -> int:
        counts = self.due.get(preset, Counter())
        if day > self.today:
            return counts[day]
        # today's workload: the backlog, the cards due today and the reviews done today
        return sum(n for d, n in counts.items() if d <= self.today) + self.reviewed[preset]

    def find_interval(
        self, interval: float, minimum: int, maximum: int, days_elapsed: int, preset: str, factor: float
    ) -> int | None:
        """The interval (from the last review) Anki's rescheduler draws, or None to keep fuzz's."""
        before, after = constrained_fuzz_bounds(interval, minimum, maximum)
        if after < days_elapsed:
            return None
        before = max(before, days_elapsed)
        intervals = range(before, after + 1)
        counts = [self._count(preset, self.today + ivl - days_elapsed) for ivl in intervals]
        start = self.next_day_at - timedelta(days=days_elapsed)
        weekdays = [
            (start + timedelta(seconds=(ivl - 1) * 86_400)).astimezone(self.days.zone).weekday() for ivl in intervals
        ]
        easy = easy_days_modifiers(self.settings.options_of(preset).easy_days, weekdays, counts)
        candidates = [(ivl, counts[i], 1.0, easy[i]) for i, ivl in enumerate(intervals)]
        return select_weighted_interval(candidates, factor)

    def moved(self, preset: str, before: int | None, after: int) -> None:
        """A card's due day changed from `before` to `after` (study days)."""
        counts = self.due.setdefault(preset, Counter())
        if before is not None and counts[before] > 0:
            counts[before] -= 1
        counts[after] += 1
