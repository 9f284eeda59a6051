"""Anki's load balancer and Easy Days (rslib `scheduler/states/load_balancer.rs`).

Within a review interval's fuzz range, the load balancer picks the day by a weighted
draw instead of fuzz's uniform one: a day's weight is `(1 / cards due)^2.15 x
(1 / interval)^3` (a day with no cards due: 1), times two modifiers:

- **Easy Days**: per weekday a Normal (1), Reduced (0.5) or Minimum (0.0001) load;
  a Reduced day counts as Minimum when its cards, doubled, exceed the average of the
  other days in the range (`easy_days_modifiers`). A day with no cards due keeps the
  full weight 1, whatever its load (Anki's rule).
- **Siblings**: with burying of siblings on, a day that has a card of the same note
  due is all but excluded (weight x 0.000001), the days around it less so (x 0.2, 0.4,
  ... 1 at 5 days away), counting siblings in every preset.

Counts are per preset (a card is balanced against the cards due in decks of its own
preset), over the next 99 days, from the store when a session's day begins (grouped
reads of an index, deck by deck), then kept up to date by each answer (`move`: off its old day, onto its
new one; Anki's own cache only adds). A card's siblings are read with the card, by
note. Intervals over 90 days are not balanced. The draw
is Anki's own: rand's `WeightedIndex` over f32 weights, sampled from the same
`StdRng::seed_from_u64(card id + review count)` that fuzz uses (its powers through the C
library's `powf`, as Anki's Rust calls it), so the same counts give the same day as Anki. Easy Days act through the load balancer, as in Anki: with it
switched off (or fuzz off) intervals are fuzzed or rounded as before.

Which cards count (Anki's `get_all_cards_due_in_range`): every card whose due day falls
in the range, suspended and buried ones too, that is a review card or an interday
learning card (due at a day start). Anki also counts a new card whose queue position
happens to be a number in that range (it keeps positions in the same column as due
days); studydl does not (docs/scheduling.md).
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from studydl.domain.days import StudyDays
from studydl.engine.fuzz import _f32, constrained_fuzz_bounds
from studydl.engine.queue_counts import NEW, REVIEW

if TYPE_CHECKING:
    from studydl.engine.setting_values import Settings
    from studydl.store.hot import HotSQL

MAX_LOAD_BALANCE_INTERVAL = 90
LOAD_BALANCE_DAYS = 99
"""Days counted ahead (Anki: 90 x 1.1, for intervals moved past 90 by balancing)."""
SIBLING_MODIFIERS = {-5: 1.0, -4: 0.8, -3: 0.6, -2: 0.4, -1: 0.2, 0: 0.000001, 1: 0.2, 2: 0.4, 3: 0.6, 4: 0.8, 5: 1.0}
MINIMUM_LOAD, REDUCED_LOAD, NORMAL_LOAD = _f32(0.0001), 0.5, 1.0


def _libm_powf():  # noqa: ANN202
    """glibc's powf, which Anki's Rust backend calls for f32 powers (exactly its rounding)."""
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    try:
        powf = ctypes.CDLL(name).powf
    except (OSError, AttributeError):
        return None
    powf.argtypes, powf.restype = (ctypes.c_float, ctypes.c_float), ctypes.c_float
    return powf


_POWF = _libm_powf()


def powf(x: float, y: float) -> float:
    """f32 `x.powf(y)`: the C library's powf where there is one, else double precision rounded to f32."""
    return float(_POWF(x, y)) if _POWF is not None else _f32(math.pow(x, y))


def load_modifier(load: float) -> float:
    """A weekday's load as Anki reads it: 1 normal, 0 minimum (as 0.0001), anything else reduced."""
    if load == 1.0:
        return NORMAL_LOAD
    if load == 0.0:
        return MINIMUM_LOAD
    return REDUCED_LOAD


def easy_days_modifiers(loads: Sequence[float], weekdays: Sequence[int], counts: Sequence[int]) -> list[float]:
    """Each candidate day's Easy Days modifier (Anki's `calculate_easy_days_modifiers`, f32)."""
    if all(load == 1.0 for load in loads):  # no Easy Days: every day normal (the usual case)
        return [NORMAL_LOAD] * len(counts)
    total_count = sum(counts)
    total_percents = 0.0
    for weekday in weekdays:
        total_percents = _f32(total_percents + load_modifier(loads[weekday]))
    out = []
    for weekday, count in zip(weekdays, counts, strict=True):
        modifier = load_modifier(loads[weekday])
        if modifier == REDUCED_LOAD:
            other_counts = float(total_count - count)
            other_percents = _f32(total_percents - REDUCED_LOAD)
            threshold = _f32(other_counts / other_percents) if other_percents else math.inf
            modifier = MINIMUM_LOAD if _f32(count / REDUCED_LOAD) > threshold else NORMAL_LOAD
        out.append(modifier)
    return out


def sibling_modifiers(sibling_days: Iterable[int], before: int, after: int) -> list[float]:
    """Each candidate day's sibling modifier (Anki's `calculate_sibling_modifiers`, f32)."""
    modifiers = [1.0] * (after - before + 1)
    for day in sibling_days:
        for step, value in SIBLING_MODIFIERS.items():
            index = day + step - before
            if 0 <= index < len(modifiers):
                modifiers[index] = _f32(modifiers[index] * _f32(value))
    return modifiers


@lru_cache(maxsize=1 << 16)
def _weight(target: int, count: int, sibling: float, easy: float) -> float:
    if count == 0:
        return 1.0
    count_weight = powf(_f32(1.0 / count), _f32(2.15))
    reciprocal = _f32(1.0 / target)
    interval_weight = _f32(reciprocal * _f32(reciprocal * reciprocal))  # powi(3): x * x^2
    return _f32(_f32(_f32(count_weight * interval_weight) * sibling) * easy)


def select_weighted_interval(candidates: Sequence[tuple[int, int, float, float]], factor: float) -> int | None:
    """(interval, cards due, sibling modifier, easy-day modifier) -> the interval rand's WeightedIndex draws.

    `factor`: the draw in [0, 1), as `fuzz.fuzz_factor` makes it from the card's seed
    (rand's WeightedIndex takes the same first u32 and scales it by the total weight).
    """
    if not candidates:
        return None
    weights = [_weight(*candidate) for candidate in candidates]
    cumulative, total = [], weights[0]
    for weight in weights[1:]:
        cumulative.append(total)
        total = _f32(total + weight)
    if total <= 0.0:
        return None
    scale = total
    max_rand = _f32(1.0 - 2.0**-23)
    while _f32(scale * max_rand) > total:  # rand's UniformFloat::new_bounded: one f32 step down
        scale = struct.unpack("<f", struct.pack("<I", struct.unpack("<I", struct.pack("<f", scale))[0] - 1))[0]
    chosen = _f32(factor * scale)
    return candidates[bisect.bisect_right(cumulative, chosen)][0]


def interval_to_weekday(interval: int, next_day_at: datetime, zone: tzinfo) -> int:
    """Monday 0 ... Sunday 6 of the day `interval` days ahead, as Anki reckons it (next day start + (interval - 1) x 86,400 s)."""
    return (next_day_at + timedelta(seconds=(interval - 1) * 86_400)).astimezone(zone).weekday()


@dataclass
class LoadBalancer:
    """Cards due on each of the next 99 study days, per preset (index 0: today)."""

    days: StudyDays
    today: int
    easy_days: dict[str, tuple[float, ...]]
    """Each preset's Easy Days loads, Monday first."""
    counts: dict[str, list[int]] = field(default_factory=dict)
    """Preset -> cards due on each day. A preset with none due when counted has no entry and is not balanced (as Anki)."""
    version: int = 0
    """Changes with every `move`: a card's buttons computed before are stale after it."""
    _weekdays: list[int] = field(default_factory=list, repr=False)
    _found: dict[tuple, int | None] = field(default_factory=dict, repr=False)
    """Intervals found since the counts last changed (a card's buttons, then its answer, ask the same)."""

    @property
    def next_day_at(self) -> datetime:
        return self.days.start_of(self.today + 1)

    def day_counted(self, state: int, due: datetime | None) -> int | None:
        """The day (from today) a card in this state and due is counted on, None if it is not counted.

        Review cards on their due day; (re)learning cards only when due at a day's start
        (an interday step, Anki's day-learning queue); new cards never.
        """
        if due is None or state == NEW:
            return None
        day = self.days.day_of(due)
        if state != REVIEW and due != self.days.start_of(day):
            return None
        offset = day - self.today
        return offset if 0 <= offset < LOAD_BALANCE_DAYS else None

    def move(self, preset: str, before: int | None, after: int | None) -> None:
        """An answered card: off the day it was counted on, onto its new one (days from today, None: none).

        The counts stay what a fresh read of the store would give: a preset with no card
        in the range has no entry (and is not balanced), one that gains a card has one.
        """
        self._found.clear()
        self.version += 1
        counts = self.counts.get(preset)
        if counts is None:
            if after is None:
                return
            counts = self.counts[preset] = [0] * LOAD_BALANCE_DAYS
        if before is not None and counts[before] > 0:
            counts[before] -= 1
        if after is not None:
            counts[after] += 1
        if not any(counts):
            del self.counts[preset]

    def find_interval(
        self, interval: float, minimum: int, maximum: int, preset: str, factor: float, siblings: Iterable[int] | None
    ) -> int | None:
        """The balanced interval in days, or None where Anki falls back to fuzz.

        `factor`: the answer's fuzz draw (the same first draw rand's WeightedIndex makes
        from the card's seed); `siblings`: the days the note's cards are counted on (the
        card's own included, as in Anki), None when siblings are not kept apart.
        """
        if int(interval) > MAX_LOAD_BALANCE_INTERVAL or minimum > MAX_LOAD_BALANCE_INTERVAL:  # `as usize`: truncated
            return None
        days = self.counts.get(preset)
        if days is None:
            return None
        key = (interval, minimum, maximum, preset, factor, None if siblings is None else tuple(siblings))
        if key not in self._found:
            self._found[key] = self._find(interval, minimum, maximum, days, self.easy_days.get(preset, (1.0,) * 7), factor, siblings)
        return self._found[key]

    def _find(
        self, interval: float, minimum: int, maximum: int, days: list[int], loads: tuple[float, ...], factor: float,
        siblings: Iterable[int] | None,
    ) -> int | None:
        before, after = constrained_fuzz_bounds(interval, minimum, maximum)
        counts = [days[d] if d < LOAD_BALANCE_DAYS else 0 for d in range(before, after + 1)]
        if not self._weekdays:  # each day's weekday, once (Anki reckons it from the next day start)
            next_day_at = self.next_day_at
            self._weekdays = [interval_to_weekday(d, next_day_at, self.days.zone) for d in range(LOAD_BALANCE_DAYS + 8)]
        weekdays = self._weekdays[before : after + 1]
        easy = easy_days_modifiers(loads, weekdays, counts)
        sibling = sibling_modifiers(set(siblings or ()), before, after)
        candidates = [(before + i, counts[i], sibling[i], easy[i]) for i in range(after - before + 1)]
        return select_weighted_interval(candidates, factor)


@dataclass(frozen=True)
class Balance:
    """What the load balancer needs for one card: the counts, the card's preset, its siblings' days."""

    balancer: LoadBalancer
    preset: str
    siblings: tuple[int, ...] | None

    def find(self, interval: float, minimum: int, maximum: int, factor: float) -> int | None:
        return self.balancer.find_interval(interval, minimum, maximum, self.preset, factor, self.siblings)


def load_balancer(con: HotSQL, settings: Settings, now: datetime, names: dict[int, str]) -> LoadBalancer | None:
    """The counts of the next 99 days from the store (grouped reads of an index); None with the balancer or fuzz off."""
    if not (settings.load_balancer and settings.fuzz):
        return None
    days = settings.study_days()
    today = days.day_of(now)
    bounds = [days.start_of(today + k) for k in range(LOAD_BALANCE_DAYS + 1)]
    stored = [con.to_db(b) for b in bounds]
    balancer = LoadBalancer(days, today, {p: settings.options_of(p).easy_days for p in settings.preset_names()})
    # Per deck and suspended flag, so each read walks the covering ix_cards_deck_state in
    # (state, due) order and groups as it goes (one read over all decks sorts every row).
    query = (
        "SELECT state, due, count(*) FROM cards WHERE deck_id = ? AND retired = FALSE AND suspended = ?"
        " AND state IN (1, 2, 3) AND due >= ? AND due < ? GROUP BY state, due"
    )
    for deck_id, name in names.items():
        counts = None
        for suspended in (False, True):
            for state, due, n in con.execute(query, (deck_id, suspended, stored[0], stored[-1])):
                day = bisect.bisect_right(stored, due) - 1
                if state != REVIEW and due != stored[day]:
                    continue  # an intraday learning step
                if counts is None:
                    counts = balancer.counts.setdefault(settings.preset_of(name), [0] * LOAD_BALANCE_DAYS)
                counts[day] += n
    return balancer


def sibling_days(balancer: LoadBalancer, note_cards: Iterable[tuple]) -> tuple[int, ...]:
    """The days a note's cards (the card itself included) are counted on.

    `note_cards`: `card_sql.card_with_note`'s cards of the note (id, deck, section, state, due, buried, retired, suspended).
    """
    found = []
    for _id, _deck, _section, state, due, _buried, retired, _suspended in note_cards:
        if not retired:
            day = balancer.day_counted(state, due)
            if day is not None:
                found.append(day)
    return tuple(found)


def card_balance(balancer: LoadBalancer | None, settings: Settings, note_cards: Iterable[tuple]) -> Balance | None:
    """The load balancer's view for one card scheduled with `settings` (its deck's); None when off.

    Siblings are kept apart only when the preset buries siblings (Anki passes the note
    only with "bury review siblings" on); `note_cards` are the note's cards (`card_sql.card_with_note`).
    """
    if balancer is None:
        return None
    siblings = sibling_days(balancer, note_cards) if settings.bury_siblings else None
    return Balance(balancer, settings.preset, siblings)
