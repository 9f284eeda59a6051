"""FSRS's workload simulation (fsrs-rs `simulate`, the one Anki's forecast runs), every card of a day at once.

fsrs-rs's simulator takes one card at a time from a priority queue; this takes, day
by day, every card due that day together, in numpy, with the same model:

- a review card due today is recalled with probability R (FSRS's forgetting curve
  after the days since its last review); recalled, it gets Hard, Good or Easy in the
  learner's proportions (`review_rating_prob`), forgotten, Again, then the relearning
  steps; its stability and difficulty move by FSRS's equations (`FsrsArrays`);
- a new card gets its first button from `first_rating_prob`, then walks the learning
  steps: fsrs-rs's `memory_state_short_term`, at most five same-day answers, each
  button drawn from the step transitions given the one before, until the card has
  passed as many steps as there are (one fewer after a first Good or Easy) or Easy.
  Every way through the steps is listed once (`step_paths`) with its probability, so
  a card's whole first day (or relearning after a lapse) is one draw;
- every answer costs the learner's seconds for its state and button;
- the next interval is FSRS's for the card's desired retention, rounded, 1 day to the
  maximum interval; no fuzz;
- each deck's limits: new cards up to the new-card limit a day (independent of the
  review limit, as the queue has it), reviews up to the review limit, the earliest
  scheduled first; a review left over waits for the next day (its recall then lower);
- a card that reaches the leech lapse count is suspended when it next comes due;
- "remembered" on a day is the sum of every learned card's R that day.

Cards that fsrs-rs's loop would take in some order are taken here all at once, which
changes nothing but the order of random draws: where limits decide which cards wait,
the order is the queue's (scheduled due day, then card), as in fsrs-rs.

Randomness is counter-based: a draw is a hash of (run, card, day, draw site), so a
card's fate on a day is the same whichever other retentions or cards are simulated
beside it. The same workload gives the same forecast, a retention gives the same
figures alone or in a sweep, and the sweep's retentions share their draws (their
differences are the retentions', not the dice's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from studydl.engine.answer_profile import LEARNING, RELEARNING, REVIEW
from studydl.engine.fsrs_model import FsrsArrays
from studydl.engine.step_paths import MAX_STEPS, StepPaths, pick, step_paths
from studydl.engine.workload_cards import Workload

NEVER = np.int32(1 << 30)
"""The due day of a card not waiting for a review (not introduced yet, or suspended)."""
SEED = 42
_LEARN, _REVIEW, _RELEARN = 0, 1, 2
"""Draw sites: the hash input that tells a card's draws of one day apart."""


@dataclass(frozen=True)
class Totals:
    """Per retention and day (arrays retentions x days): means over the runs."""

    reviews: np.ndarray
    new: np.ndarray
    seconds: np.ndarray
    remembered: np.ndarray
    runs: int


_S30, _S27, _S31 = (np.uint64(n) for n in (30, 27, 31))
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S32, _LOW32 = np.uint64(32), np.uint64(0xFFFFFFFF)
_GOLDEN = 0x9E3779B97F4A7C15
_TO_UNIT = 1.0 / (1 << 32)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: 64 well-mixed bits from any 64 (uint64 in, uint64 out, wrapping)."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def _cumulative(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Each row of weights as cumulative probabilities (fsrs-rs's WeightedIndex normalises them)."""
    table = np.cumsum(np.asarray(rows, dtype=np.float64), axis=-1)
    return table / table[..., -1:]


class Simulation:
    """The arrays of one simulation: replicas (retention x run) of every card slot, side by side.

    Slot `i` of replica `r` is element `r * slots + i`: the deck's studied cards first,
    then, per deck, the new cards it can introduce within the days (`new_room`). Step it
    a day at a time: `review(day)`, then `learn(day, ...)`, then `remember(day)`.
    """

    def __init__(self, workload: Workload, retentions: Sequence[float], days: int, runs: int) -> None:
        self.fsrs = FsrsArrays(workload.parameters)
        self.days, self.runs = days, runs
        profile = workload.profile
        self.passed = _cumulative(profile.review_rating_prob)
        self.costs = np.asarray(profile.state_rating_costs, dtype=np.float64)
        self._learning(profile.first_rating_prob, profile.learning_step_transitions, workload.learning_steps)
        self.relearn = step_paths(profile.relearning_step_transitions, self.costs[RELEARNING], workload.relearning_steps, 1)
        decks = workload.decks
        self.max_interval = _per_deck([d.rules.maximum_interval for d in decks], max(1, workload.maximum_interval))
        """The maximum interval: one for all decks, or each deck's (an array by deck)."""
        leech = [workload.suspend_after_lapses if d.rules.suspend_after_lapses is False else d.rules.suspend_after_lapses for d in decks]
        self.max_lapses = leech[0] if len(set(leech)) <= 1 and decks else np.array([NEVER if n is None else n for n in leech])
        """Lapses that suspend a card: None (never) or one count for all decks, or each deck's (an array by deck)."""
        if not decks:
            self.max_lapses = workload.suspend_after_lapses

        self.groups = len(decks)
        self.new_limit = np.array([deck.new_limit for deck in decks], dtype=np.int64)
        self.review_limit = np.array([deck.review_limit for deck in decks], dtype=np.int64)
        self.introduced = np.array([deck.introduced_today for deck in decks], dtype=np.int64)
        waiting = np.array([deck.new_cards if deck.new_limit > 0 else 0 for deck in decks], dtype=np.int64)
        self.new_room = np.minimum(waiting, np.maximum(0, self.new_limit * days - self.introduced))
        """New cards that can be introduced within the days, per deck: their slots."""
        studied = [deck.studied for deck in decks]
        counts = [len(cards) for cards in studied]
        self.new_base = sum(counts) + np.concatenate(([0], np.cumsum(self.new_room)[:-1])).astype(np.int64)
        self.slots = sum(counts) + int(self.new_room.sum())
        self.deck_of = np.concatenate(
            [np.repeat(np.arange(self.groups), counts), np.repeat(np.arange(self.groups), self.new_room)]
        ).astype(np.int64)

        self.replicas = len(retentions) * runs
        tile = self.replicas

        def column(name: str, fill: float, dtype: type) -> np.ndarray:
            own = np.concatenate([getattr(cards, name) for cards in studied]) if studied else np.zeros(0)
            one = np.concatenate([own.astype(dtype), np.full(self.slots - len(own), fill, dtype=dtype)])
            return np.tile(one, tile)

        # Single precision, as fsrs-rs computes; days as 32-bit integers: about 40 bytes a card and replica.
        self.s = column("stability", 1.0, np.float32)
        self.d = column("difficulty", 5.0, np.float32)
        self.last = column("last_day", -np.inf, np.float32)
        """The day of the last review; -inf for a card not learned (its R is then 0)."""
        self.rate = (self.fsrs.factor / self.s).astype(np.float32)
        """factor / stability, kept for the daily sum of R over every card (single precision, as fsrs-rs)."""
        self.exponent = np.float32(self.fsrs.exponent)
        self.buffer = np.empty(len(self.s), dtype=np.float32)
        self.due = column("due_day", NEVER, np.int32)
        self.lapses = column("lapses", 0, np.int32)
        scheduled = np.concatenate([cards.last_day + cards.interval for cards in studied]) if studied else np.zeros(0)
        self.scheduled = np.tile(np.concatenate([scheduled, np.full(self.slots - len(scheduled), NEVER)]).astype(np.int32), tile)
        if self.max_lapses is not None:
            self.due[self.lapses >= self._lapse_limit(np.arange(len(self.due)))] = NEVER
        self.retention = np.repeat(np.asarray(retentions, dtype=np.float64), runs)
        own = [deck.rules.retention for deck in decks]
        self.own_retention = None
        """Per replica and deck, where some deck keeps a desired retention of its own (another preset's)."""
        if any(r is not None for r in own):
            table = np.repeat(self.retention[:, None], self.groups, axis=1)
            for g, r in enumerate(own):
                if r is not None:
                    table[:, g] = r
            self.own_retention = table
        self.limit = np.tile(self.review_limit, self.replicas)
        self.learned = np.zeros((self.replicas, self.groups), dtype=np.int64)
        self.keys = _mix(np.arange(self.slots, dtype=np.uint64) ^ np.uint64(SEED << 56))
        """Each card slot's hash key; a replica adds its run's (not its retention's: retentions share draws)."""
        run_keys = _mix(np.arange(1, runs + 1, dtype=np.uint64) << np.uint64(40))
        self.replica_keys = run_keys[np.arange(self.replicas) % runs]

        shape = (self.replicas, days)
        self.reviews = np.zeros(shape)
        self.new = np.zeros(shape)
        self.seconds = np.zeros(shape)
        self.remembered = np.zeros(shape)

    def uniforms(self, index: np.ndarray, day: int, site: int) -> tuple[np.ndarray, np.ndarray]:
        """Two uniform draws in [0, 1) per card slot of `index`, for this day and site (32 bits each)."""
        salt = np.uint64(((day << 8) | site) * _GOLDEN % (1 << 64))
        replica = index // self.slots
        bits = _mix(self.keys[index - replica * self.slots] ^ self.replica_keys[replica] ^ salt)
        return (bits >> _S32) * _TO_UNIT, (bits & _LOW32) * _TO_UNIT

    def _learning(self, first: Sequence[float], transitions: Sequence[Sequence[float]], steps: int) -> None:
        """Every way a new card's first day can go: its probability, and the stability, difficulty and seconds it ends with.

        A first button (the learner's proportions), then one of the step paths from it; a
        new card's memory depends only on its buttons, so each way ends in one state.
        """
        weights = np.asarray(first, dtype=np.float64) / sum(first)
        prob, s, d, seconds = [], [], [], []
        for rating in (1, 2, 3, 4):
            paths = step_paths(transitions, self.costs[LEARNING], steps, rating)
            init_s, init_d = self.fsrs.initial(np.full(len(paths.prob), rating))
            end_s, end_d = self._walk(paths, np.arange(len(paths.prob)), init_s.copy(), init_d.copy())
            prob.append(weights[rating - 1] * paths.prob)
            s.append(end_s)
            d.append(end_d)
            seconds.append(self.costs[LEARNING][rating - 1] + paths.seconds)
        self.learn_cumulative = np.cumsum(np.concatenate(prob))
        self.learn_s, self.learn_d, self.learn_seconds = (np.concatenate(x) for x in (s, d, seconds))

    def _walk(self, paths: StepPaths, chosen: np.ndarray, s: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Stability and difficulty after the same-day answers of path `chosen[i]` (FSRS's short-term updates)."""
        length = paths.length[chosen]
        for step in range(min(MAX_STEPS, int(length.max(initial=0)))):
            on = np.flatnonzero(length > step)
            rating = paths.ratings[chosen[on], step]
            s[on] = self.fsrs.short_term(s[on], rating)
            d[on] = self.fsrs.next_difficulty(d[on], rating)
        return s, d

    def _relearn(self, index: np.ndarray, day: int) -> np.ndarray:
        """The relearning steps after a lapse, on the cards of `index`: their memory moves; the seconds."""
        chosen = self.relearn.pick(self.uniforms(index, day, _RELEARN)[0])
        self.s[index], self.d[index] = self._walk(self.relearn, chosen, self.s[index], self.d[index])
        return self.relearn.seconds[chosen]

    def _deck(self, index: np.ndarray) -> np.ndarray:
        return self.deck_of[index % self.slots]

    def _lapse_limit(self, index: np.ndarray) -> np.ndarray | int:
        return self.max_lapses[self._deck(index)] if isinstance(self.max_lapses, np.ndarray) else self.max_lapses

    def _schedule(self, index: np.ndarray, day: int) -> None:
        replica = index // self.slots
        retention = self.retention[replica] if self.own_retention is None else self.own_retention[replica, self._deck(index)]
        interval = self.fsrs.intervals(self.s[index], retention)
        maximum = self.max_interval if not isinstance(self.max_interval, np.ndarray) else self.max_interval[self._deck(index)]
        interval = np.clip(np.floor(interval + 0.5), 1, maximum).astype(np.int32)
        self.last[index] = day
        self.rate[index] = self.fsrs.factor / self.s[index]
        self.due[index] = day + interval
        self.scheduled[index] = day + interval
        if self.max_lapses is not None:
            self.due[index[self.lapses[index] >= self._lapse_limit(index)]] = NEVER

    def _within_limits(self, index: np.ndarray) -> np.ndarray:
        """The due cards each deck's review limit lets through today (the earliest scheduled first)."""
        group = (index // self.slots) * self.groups + self.deck_of[index % self.slots]
        limit = self.limit
        if not (np.bincount(group, minlength=len(limit)) > limit).any():
            return index
        order = np.lexsort((index, self.scheduled[index], group))
        ordered_group = group[order]
        first = np.searchsorted(ordered_group, ordered_group, side="left")
        rank = np.arange(len(order)) - first
        return np.sort(index[order[rank < limit[ordered_group]]])

    def review(self, day: int) -> np.ndarray:
        """Today's reviews; cards over a limit wait a day. Per replica and deck: reviews done."""
        due = np.flatnonzero(self.due <= day)
        index = self._within_limits(due)
        if len(index) < len(due):
            self.due[np.setdiff1d(due, index, assume_unique=True)] = day + 1
        done = np.zeros((self.replicas, self.groups), dtype=np.int64)
        if not len(index):
            return done
        fsrs = self.fsrs
        s, d = self.s[index], self.d[index]
        recall = fsrs.retrievability(day - self.last[index], s)
        u_recall, u_button = self.uniforms(index, day, _REVIEW)
        forgot = u_recall >= recall
        rating = np.where(forgot, 1, pick(self.passed, u_button) + 2)
        self.s[index] = np.where(forgot, fsrs.after_failure(s, recall, d), fsrs.after_success(s, recall, d, rating))
        self.d[index] = fsrs.next_difficulty(d, rating)
        seconds = self.costs[REVIEW][rating - 1]
        lapsed = index[forgot]
        if len(lapsed):
            self.lapses[lapsed] += 1
            seconds[forgot] += self._relearn(lapsed, day)
        self._schedule(index, day)
        replica = index // self.slots
        self.reviews[:, day] = np.bincount(replica, minlength=self.replicas)
        self.seconds[:, day] += np.bincount(replica, weights=seconds, minlength=self.replicas)
        group = replica * self.groups + self.deck_of[index % self.slots]
        return np.bincount(group, minlength=self.replicas * self.groups).reshape(self.replicas, self.groups)

    def learn(self, day: int, reviews_done: np.ndarray, new_ignores_review_limit: bool) -> None:
        """Introduce today's new cards, each deck up to its limit."""
        available = np.clip((day + 1) * self.new_limit - self.introduced, 0, self.new_room)
        count = np.minimum(available[None, :] - self.learned, self.new_limit[None, :])
        if not new_ignores_review_limit:
            count = np.minimum(count, np.maximum(0, self.review_limit[None, :] - reviews_done))
        count = np.maximum(count, 0).ravel()
        total = int(count.sum())
        if not total:
            return
        starts = (np.arange(self.replicas)[:, None] * self.slots + self.new_base[None, :] + self.learned).ravel()
        offsets = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        index = np.repeat(starts, count) + offsets
        self.learned += count.reshape(self.replicas, self.groups)
        way = pick(self.learn_cumulative, self.uniforms(index, day, _LEARN)[0])
        self.s[index], self.d[index] = self.learn_s[way], self.learn_d[way]
        seconds = self.learn_seconds[way]
        self._schedule(index, day)
        replica = index // self.slots
        self.new[:, day] = np.bincount(replica, minlength=self.replicas)
        self.seconds[:, day] += np.bincount(replica, weights=seconds, minlength=self.replicas)

    def remember(self, day: int) -> None:
        """The sum of every card's R today (FSRS's forgetting curve, in place: it runs over every card daily)."""
        recall = np.subtract(np.float32(day), self.last, out=self.buffer)
        np.multiply(recall, self.rate, out=recall)
        np.add(recall, np.float32(1.0), out=recall)
        np.power(recall, self.exponent, out=recall)  # 0 for a card not learned (last -inf)
        self.remembered[:, day] = recall.reshape(self.replicas, self.slots).sum(axis=1, dtype=np.float64)

    def totals(self, retentions: int) -> Totals:
        def mean(values: np.ndarray) -> np.ndarray:
            return values.reshape(retentions, self.runs, self.days).mean(axis=1)

        return Totals(mean(self.reviews), mean(self.new), mean(self.seconds), mean(self.remembered), self.runs)


def _per_deck(values: Sequence[int | None], common: int) -> int | np.ndarray:
    """One value for every deck (`common` where a deck has none of its own), or an array by deck."""
    found = [common if v is None else max(1, v) for v in values]
    if len(set(found)) <= 1:
        return found[0] if found else common
    return np.array(found, dtype=np.int64)


def by_model(workload: Workload) -> list[Workload]:
    """The workload split by what the arrays cannot vary per deck: FSRS parameters and step counts.

    Decks of presets with other parameters or steps are simulated apart and their totals
    added (decks never share limits, so nothing is lost); retention, maximum interval and
    leech rule vary per deck inside one simulation.
    """
    groups: dict[tuple, list] = {}
    for deck in workload.decks:
        rules = deck.rules
        key = (
            rules.parameters or workload.parameters,
            workload.learning_steps if rules.learning_steps is None else rules.learning_steps,
            workload.relearning_steps if rules.relearning_steps is None else rules.relearning_steps,
        )
        groups.setdefault(key, []).append(deck)
    if len(groups) <= 1:
        return [workload]
    return [
        replace(workload, decks=tuple(decks), parameters=parameters, learning_steps=steps, relearning_steps=relearning)
        for (parameters, steps, relearning), decks in groups.items()
    ]


def simulate(
    workload: Workload,
    retentions: Sequence[float],
    days: int,
    runs: int,
    stop: Callable[[], bool] | None = None,
    new_ignores_review_limit: bool = True,
) -> Totals | None:
    """Reviews, new cards, seconds and cards remembered per day, at each retention; None if stopped.

    Each deck is simulated with its preset's options (`DeckWorkload.rules`); a retention
    asked for applies to the decks without one of their own.
    """
    parts = []
    for part in by_model(workload):
        run = Simulation(part, retentions, days, runs)
        for day in range(days):
            if stop is not None and day % 16 == 0 and stop():
                return None
            done = run.review(day)
            run.learn(day, done, new_ignores_review_limit)
            run.remember(day)
        parts.append(run.totals(len(retentions)))
    if len(parts) == 1:
        return parts[0]
    return Totals(*(sum(getattr(p, name) for p in parts) for name in ("reviews", "new", "seconds", "remembered")), runs)
