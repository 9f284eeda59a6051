"""Learning and relearning steps as Anki counts them (rslib `scheduler/states/steps.rs`).

Anki keeps `remaining_steps` on a card; we store the index of the current step
(`index = len(steps) - remaining`), which is the same thing while the steps are
unchanged. Delays are whole seconds (minutes x 60, truncated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY_SECS = 86_400


def _secs(minutes: float) -> int:
    return int(minutes * 60.0)


def _round_in_days(secs: int) -> int:
    """Delays over a day are whole days."""
    return math.floor(secs / DAY_SECS + 0.5) * DAY_SECS if secs > DAY_SECS else secs


@dataclass(frozen=True)
class LearningSteps:
    minutes: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.minutes)

    def is_empty(self) -> bool:
        return not self.minutes

    def index(self, remaining: int) -> int:
        total = len(self.minutes)
        return max(0, min(total - remaining % 1000, total - 1))

    def remaining(self, index: int | None) -> int:
        """Anki's `remaining_steps` for a stored step index."""
        return len(self.minutes) - (index or 0)

    def step_index(self, remaining: int) -> int:
        """The stored step index for Anki's `remaining_steps`."""
        return max(0, len(self.minutes) - remaining)

    def _at(self, index: int) -> int | None:
        return _secs(self.minutes[index]) if 0 <= index < len(self.minutes) else None

    def again_delay(self) -> int | None:
        return self._at(0)

    def hard_delay(self, remaining: int) -> int | None:
        index = self.index(remaining)
        current = self._at(index)
        if current is None:
            current = self._at(0)
        if current is None:
            return None
        if index != 0:
            return current
        following = self._at(1)
        if following is not None:
            return _round_in_days((current + following) // 2)
        return _round_in_days(min(current * 3 // 2, current + DAY_SECS))

    def good_delay(self, remaining: int) -> int | None:
        return self._at(self.index(remaining) + 1)

    def remaining_for_good(self, remaining: int) -> int:
        return max(0, len(self.minutes) - (self.index(remaining) + 1))

    def remaining_for_failed(self) -> int:
        return len(self.minutes)
