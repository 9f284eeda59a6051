"""Anki's FSRS scheduler, answer by answer (rslib `scheduler/states/*` and `answering/*`).

For each answer: the study days since the card's last review (`StudyDays`, the one
owner of day counting) go to FSRS (`FsrsModel`) for the four next memory states; then
Anki's state machine turns them into learning steps or whole-day review intervals:

- learning and relearning steps as Anki counts them (`steps.py`); a step that reaches
  past the next day start becomes a whole number of days, due at that day's start;
- review intervals: FSRS's interval rounded, at least 1 day, at most the maximum
  interval, hard < good < easy, and a passing review never shorter than the previous
  interval unless FSRS shrank it beyond the fuzz range (`fuzz.minimum_review_fuzz_interval`);
- a review card is due at the start of study day `today + interval`;
- same-day answers pass 0 elapsed days, which FSRS-6 answers with its short-term
  formula (sub-day intervals only with no steps, as Anki's default);
- fuzz (optional): Anki's ranges and Anki's own draw, seeded by card id + review count;
  with the load balancer (and Easy Days), the same draw picks a day weighted by the
  cards already due (`load_balancer.py`);
- each card is scheduled with its deck's preset (`Settings.for_deck`, `for_deck` here).

Memory states are kept as Anki stores them (stability to 4 decimals, difficulty to 3),
and each answer starts from the stored, rounded state, as Anki's does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from studydl.domain.review import CardState, Rating
from studydl.engine import fuzz
from studydl.engine.card_memory import Memory
from studydl.engine.fsrs_model import FsrsModel, MemoryState, NextState
from studydl.engine.load_balancer import Balance
from studydl.engine.settings import Settings
from studydl.engine.steps import DAY_SECS, LearningSteps

SHORT_TERM_WITH_STEPS = False
"""Anki's "FSRS short-term scheduler with learning steps" option (off by default)."""


def stored_stability(value: float) -> float:
    """Stability as Anki stores it (4 decimals)."""
    return round(value, 4)


def stored_difficulty(value: float) -> float:
    """Difficulty as Anki stores it (3 decimals)."""
    return round(value, 3)


@dataclass(frozen=True)
class Outcome:
    """What one answer does to a card."""

    memory: Memory
    interval: timedelta
    """The interval as the answer buttons show it: the step's delay, or whole days."""
    became_leech: bool = False


@dataclass(frozen=True)
class Draw:
    """One answer's random draw: fuzz's factor, and the load balancer that spends it instead (if on)."""

    factor: float
    balance: Balance | None = None


@dataclass(frozen=True)
class _Next:
    """One button's result in Anki's terms, before it is applied to the card."""

    state: CardState
    memory: MemoryState
    secs: int = 0
    """(Re)learning: the step's delay in seconds."""
    days: int = 0  # review: the interval in days
    remaining: int = 0  # (re)learning: Anki's remaining steps


@dataclass(frozen=True)
class Plan:
    """One card's four button results on one study day, before any is applied (Anki's
    SchedulingStates): computed once when the card is shown, then applied on the answer."""

    card_id: int
    memory: Memory
    """The card's state the plan starts from: the answer applies it only to this state."""
    today: int
    nexts: tuple[_Next, _Next, _Next, _Next]
    """Again, Hard, Good, Easy."""


def leech_threshold_met(lapses: int, threshold: int) -> bool:
    """At the threshold, then every half threshold (rounded up) after it, as Anki."""
    if threshold <= 0:
        return False
    half = max(1, math.ceil(threshold / 2))
    return lapses >= threshold and (lapses - threshold) % half == 0


def _days(interval: float) -> float:
    """`interval.round().max(1.0)`: FSRS's interval as whole days, at least one."""
    return float(max(1, fuzz._round(fuzz._f32(interval))))


class CardScheduler:
    """Applies answers to a card's Memory, as Anki's scheduler does with FSRS on."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = FsrsModel(settings.parameters, settings.desired_retention)
        self.days = settings.study_days()
        self.steps = LearningSteps(tuple(settings.learning_steps_min))
        self.relearn_steps = LearningSteps(tuple(settings.relearning_steps_min))
        self.maximum = max(1, settings.maximum_interval)
        self.per_deck = bool(settings.presets or settings.deck_presets or settings.deck_retention)
        """Whether decks may be scheduled with other options than these (then use `for_deck`)."""
        self._decks: dict[str, CardScheduler] = {}

    def for_deck(self, deck: str | None) -> CardScheduler:
        """The scheduler for a deck's cards: its preset's options and its own retention, if any."""
        if not self.per_deck or deck is None:
            return self
        found = self._decks.get(deck)
        if found is None:
            view = self.settings.for_deck(deck)
            found = self if view is self.settings else CardScheduler(view)
            self._decks[deck] = found
        return found

    # -- the state machine ----------------------------------------------------

    def elapsed_days(self, memory: Memory, now: datetime) -> int:
        """Study days since the card's last review (0 for a new card or a same-day review)."""
        if memory.last_review is None:
            return 0
        return self.days.days_between(memory.last_review, now)

    def previous_interval(self, memory: Memory) -> int:
        """A review card's current interval in days: from its last review's day to its due day."""
        if memory.due is None or memory.last_review is None:
            return 0
        return max(0, self.days.day_of(memory.due) - self.days.day_of(memory.last_review))

    def _short_term(self, interval: float, steps: LearningSteps) -> bool:
        return self.model.allow_short_term and (SHORT_TERM_WITH_STEPS or steps.is_empty()) and interval < 0.5

    def _review(self, draw: Draw | None, interval: float, minimum: int = 1) -> int:
        """Whole days for a review interval: balanced, fuzzed, or rounded (fuzz off)."""
        minimum = min(max(minimum, 1), self.maximum)
        if draw is not None and draw.balance is not None:
            found = draw.balance.find(interval, minimum, self.maximum, draw.factor)
            if found is not None:
                return found
        return fuzz.with_review_fuzz(draw.factor if draw is not None else None, interval, minimum, self.maximum)

    def _learning(self, memory: Memory, states: Any, draw: Draw | None) -> dict[Rating, _Next]:
        """A new or learning card (Anki's LearnState; a new card answers as its first step)."""
        steps = self.steps
        remaining = steps.remaining_for_failed() if memory.state == CardState.NEW else steps.remaining(memory.step)
        return self._stepping(CardState.LEARNING, steps, remaining, remaining, states, draw)

    def _relearning(self, memory: Memory, states: Any, draw: Draw | None) -> dict[Rating, _Next]:
        """A relearning card (Anki's RelearnState)."""
        steps = self.relearn_steps
        remaining = steps.remaining(memory.step)
        return self._stepping(CardState.RELEARNING, steps, remaining, steps.remaining_for_good(remaining), states, draw)

    def _stepping(
        self, state: CardState, steps: Any, remaining: int, good_short_term_remaining: int, states: Any, draw: Draw | None
    ) -> dict[Rating, _Next]:
        """Again, hard, good and easy on a card in (re)learning steps: the steps' delays while
        they last, then FSRS's short-term interval or a review. The two states differ only in
        which steps they walk and how many steps a short-term Good leaves (as in Anki)."""
        out: dict[Rating, _Next] = {}

        def leave(after: NextState, remaining_after: int) -> _Next:
            if self._short_term(after.interval, steps):
                return _Next(state, after.memory, secs=int(after.interval * DAY_SECS), remaining=remaining_after)
            return _Next(CardState.REVIEW, after.memory, days=self._review(draw, _days(after.interval)))

        delay = steps.again_delay()
        out[Rating.AGAIN] = (
            _Next(state, states.again.memory, secs=delay, remaining=steps.remaining_for_failed())
            if delay is not None
            else leave(states.again, steps.remaining_for_failed())
        )
        delay = steps.hard_delay(remaining)
        out[Rating.HARD] = (
            _Next(state, states.hard.memory, secs=delay, remaining=remaining)
            if delay is not None
            else leave(states.hard, remaining)
        )
        delay = steps.good_delay(remaining)
        out[Rating.GOOD] = (
            _Next(state, states.good.memory, secs=delay, remaining=steps.remaining_for_good(remaining))
            if delay is not None
            else leave(states.good, good_short_term_remaining)
        )
        good = self._review(draw, states.good.interval)
        out[Rating.EASY] = _Next(
            CardState.REVIEW, states.easy.memory, days=self._review(draw, _days(states.easy.interval), good + 1)
        )
        return out

    def _passing(self, memory: Memory, states: Any, draw: Draw | None) -> dict[Rating, _Next]:
        """Hard, good and easy on a review card: each at least the one before plus a day."""
        previous = self.previous_interval(memory)
        out: dict[Rating, _Next] = {}
        floor = 1
        for rating, state in ((Rating.HARD, states.hard), (Rating.GOOD, states.good), (Rating.EASY, states.easy)):
            minimum = max(fuzz.minimum_review_fuzz_interval(state.interval, previous, self.maximum), floor)
            days = self._review(draw, state.interval, minimum)
            out[rating] = _Next(CardState.REVIEW, state.memory, days=days)
            floor = days + 1
        return out

    def _lapse(self, states: Any) -> _Next:
        """Again on a review card: relearning steps, or straight back to review."""
        again, steps = states.again, self.relearn_steps
        delay = steps.again_delay()
        if delay is not None:
            return _Next(CardState.RELEARNING, again.memory, secs=delay, remaining=steps.remaining_for_failed())
        if self._short_term(again.interval, steps):
            secs = int(again.interval * DAY_SECS)
            return _Next(CardState.RELEARNING, again.memory, secs=secs, remaining=steps.remaining_for_failed())
        return _Next(CardState.REVIEW, again.memory, days=int(_days(again.interval)))

    # -- applying an answer -----------------------------------------------------

    def plan(self, card_id: int, memory: Memory, now: datetime, balance: Balance | None = None) -> Plan:
        """The four buttons' results for this card today (Anki's SchedulingStates), computed once:
        the buttons show them (`intervals`) and the answer applies one (`apply`)."""
        now = now.astimezone(UTC)
        today = self.days.day_of(now)
        elapsed = max(0, today - self.days.day_of(memory.last_review)) if memory.last_review is not None else 0
        states = self.model.next_states(memory.memory_state, elapsed)
        draw = Draw(fuzz.fuzz_factor(card_id, memory.reps), balance) if self.settings.fuzz else None
        if memory.state == CardState.REVIEW:
            nexts = self._passing(memory, states, draw)
            nexts[Rating.AGAIN] = self._lapse(states)
        elif memory.state == CardState.RELEARNING:
            nexts = self._relearning(memory, states, draw)
        else:
            nexts = self._learning(memory, states, draw)
        return Plan(card_id, memory, today, (nexts[Rating.AGAIN], nexts[Rating.HARD], nexts[Rating.GOOD], nexts[Rating.EASY]))

    def outcomes(self, card_id: int, memory: Memory, now: datetime, balance: Balance | None = None) -> dict[Rating, Outcome]:
        """What each of the four buttons would do if pressed at `now` (`balance`: the load balancer's view, if on)."""
        plan = self.plan(card_id, memory, now, balance)
        return {rating: self.apply(plan, rating, now) for rating in Rating}

    def _due(self, nxt: _Next, now: datetime, today: int) -> tuple[datetime, timedelta, bool]:
        """(due, interval as the button shows it, whether a learning step's fuzz applies) of one button."""
        if nxt.state == CardState.REVIEW:
            return self.days.start_of(today + nxt.days), timedelta(days=nxt.days), False
        until_rollover = int((self.days.start_of(today + 1) - now).total_seconds())
        if nxt.secs >= until_rollover:  # Anki's `maybe_as_days`: due at a later day's start
            days = (nxt.secs - until_rollover) // DAY_SECS + 1
            return self.days.start_of(today + days), timedelta(days=days), False
        return now, timedelta(seconds=nxt.secs), True

    def intervals(self, plan: Plan, now: datetime) -> dict[Rating, timedelta]:
        """What each button would schedule, as the buttons show it (no card state built)."""
        now = now.astimezone(UTC)
        return {rating: self._due(nxt, now, plan.today)[1] for rating, nxt in zip(Rating, plan.nexts, strict=True)}

    def apply(self, plan: Plan, rating: Rating, now: datetime) -> Outcome:
        """The outcome of pressing `rating` at `now`, on the same study day as the plan."""
        now = now.astimezone(UTC)
        before, card_id, nxt = plan.memory, plan.card_id, plan.nexts[int(rating) - 1]
        lapsed = before.state == CardState.REVIEW and rating == Rating.AGAIN
        lapses = before.lapses + int(lapsed)
        became_leech = lapsed and leech_threshold_met(lapses, self.settings.leech_threshold)
        due, interval, stepping = self._due(nxt, now, plan.today)
        if nxt.state == CardState.REVIEW:
            step = None
        else:
            steps = self.relearn_steps if nxt.state == CardState.RELEARNING else self.steps
            step = steps.step_index(nxt.remaining)
            if stepping:
                secs = fuzz.learning_fuzz_secs(card_id, before.reps, nxt.secs) if self.settings.fuzz else nxt.secs
                due = now + timedelta(seconds=secs)
        after = Memory(
            nxt.state,
            step,
            stored_stability(nxt.memory.stability),
            stored_difficulty(nxt.memory.difficulty),
            due,
            now,
            before.reps + 1,
            lapses,
            before.leech or became_leech,
            before.suspended or (became_leech and self.settings.leech_suspend),
        )
        return Outcome(after, interval, became_leech)

    def review(self, card_id: int, memory: Memory, rating: Rating, now: datetime) -> tuple[Memory, bool]:
        """The state after answering `rating` at `now`, and whether this answer made it a leech."""
        outcome = self.answer(card_id, memory, rating, now)
        return outcome.memory, outcome.became_leech

    def answer(self, card_id: int, memory: Memory, rating: Rating, now: datetime, balance: Balance | None = None) -> Outcome:
        """The outcome of answering `rating` at `now`."""
        return self.apply(self.plan(card_id, memory, now, balance), Rating(rating), now)

    def preview(
        self, card_id: int, memory: Memory, now: datetime, balance: Balance | None = None
    ) -> dict[Rating, timedelta]:
        """What each button would schedule if pressed at `now`, as the buttons show it."""
        return self.intervals(self.plan(card_id, memory, now, balance), now)
