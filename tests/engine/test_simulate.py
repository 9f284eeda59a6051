"""The workload simulator: its forecast against a direct expectation, the log's answer times, the store's cards."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest

from studydl.domain.review import Rating
from studydl.engine.answer_profile import (
    DEFAULT_STATE_RATING_COSTS,
    LEARNING,
    REVIEW,
    Answer,
    AnswerProfile,
    profile_from_answers,
)
from studydl.engine.cram import CramSession
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsModel, MemoryState
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings, save_changes
from studydl.engine.simulate import (
    check_request,
    clear_cache,
    forecast,
    runs_for,
    sweep_retentions,
    workload_by_retention,
)
from studydl.engine.workload_cards import (
    DeckWorkload,
    StudiedCard,
    StudiedCards,
    Workload,
    load_workload,
)
from studydl.store.db import Database
from studydl.store.models import CardRow
from tests.engine.engine_samples import card_ids

RUNS = runs_for(6, 20)
"""Runs the simulator averages for the small workload (six cards) over 20 days."""
PRUNE = 1e-5


class Direct:
    """Expected reviews, new cards and seconds per day, by walking every answer a card can get.

    Day by day with FSRS's own equations through the engine's model (`FsrsModel`): a card
    due on a day is reviewed with probability 1 along its path; it is forgotten with
    probability 1 - R (R from the forgetting curve after the days since its last review),
    else passed with Hard/Good/Easy in the profile's proportions; the next interval is
    FSRS's for the new stability, rounded, at least a day. No steps (step counts 0), no
    limits but the new-card one. Paths less likely than PRUNE stop; their mass is kept.
    """

    def __init__(self, retention: float, days: int, profile: AnswerProfile) -> None:
        self.model = FsrsModel(None, retention)
        self.days = days
        self.profile = profile
        self.reviews = [0.0] * days
        self.new = [0.0] * days
        self.seconds = [0.0] * days
        self.pruned = 0.0

    def _interval(self, stability: float) -> int:
        return max(1, math.floor(self.model.next_interval(stability) + 0.5))

    def learn(self, day: int) -> None:
        states = self.model.next_states(None, 0)
        for rating, q in zip((1, 2, 3, 4), self.profile.first_rating_prob, strict=True):
            memory = states.by_rating(rating).memory
            self.new[day] += q
            self.seconds[day] += q * self.profile.state_rating_costs[LEARNING][rating - 1]
            self.review(memory, day, day + self._interval(memory.stability), q)

    def review(self, memory: MemoryState, last: int, due: int, p: float = 1.0) -> None:
        if due >= self.days:
            return
        if p < PRUNE:
            self.pruned += p
            return
        elapsed = due - last
        recall = self.model.retrievability(memory.stability, elapsed)
        states = self.model.next_states(memory, elapsed)
        self.reviews[due] += p
        hard, good, easy = self.profile.review_rating_prob
        for rating, q in ((1, 1 - recall), (2, recall * hard), (3, recall * good), (4, recall * easy)):
            after = states.by_rating(rating).memory
            self.seconds[due] += p * q * self.profile.state_rating_costs[REVIEW][rating - 1]
            self.review(after, due, due + self._interval(after.stability), p * q)


STUDIED = (
    StudiedCard(stability=3.0, difficulty=5.0, last_day=-2, due_day=1, interval=3, lapses=0),
    StudiedCard(stability=8.0, difficulty=3.0, last_day=-6, due_day=2, interval=8, lapses=0),
    StudiedCard(stability=1.5, difficulty=7.5, last_day=-1, due_day=0, interval=1, lapses=1),
)


def small_workload(**changes: object) -> Workload:
    deck = DeckWorkload("Small", new_limit=2, review_limit=9999, studied=StudiedCards.of(STUDIED), new_cards=3, introduced_today=0)
    workload = Workload(
        decks=(deck,),
        parameters=DEFAULT_PARAMETERS,
        parameters_default=True,
        profile=AnswerProfile(),
        desired_retention=0.9,
        maximum_interval=36500,
        learning_steps=0,
        relearning_steps=0,
        suspend_after_lapses=None,
    )
    return replace(workload, **changes)


def direct_expectation(retention: float, days: int, profile: AnswerProfile) -> Direct:
    direct = Direct(retention, days, profile)
    for card in STUDIED:
        direct.review(MemoryState(card.stability, card.difficulty), card.last_day, card.due_day)
    for index in range(3):  # three new cards, two a day
        direct.learn(index // 2)
    return direct


def within(direct: Direct, simulated: list[float], expected: list[float]) -> list[int]:
    """Days where the simulator's mean is further from the expectation than 4 standard errors allow.

    A card is reviewed at most once a day, so a day's count is a sum of Bernoulli draws:
    its variance is at most its mean; the mean of RUNS runs has at most mean / RUNS.
    Pruned paths could each add at most one review a day.
    """
    bad = []
    for day, (got, want) in enumerate(zip(simulated, expected, strict=True)):
        tolerance = 4 * math.sqrt(max(want, 0.01) / RUNS) + direct.pruned + 1e-6
        if abs(got - want) > tolerance:
            bad.append(day)
    return bad


def test_the_forecast_matches_a_direct_day_by_day_expectation() -> None:
    days, retention = 20, 0.8
    result = forecast(small_workload(), retention, days)
    direct = direct_expectation(retention, days, AnswerProfile())
    assert direct.pruned < 0.05
    assert result.new == pytest.approx(direct.new, abs=1e-9) and result.new[:3] == (2.0, 1.0, 0.0)
    assert within(direct, list(result.reviews), direct.reviews) == []
    assert sum(result.reviews) == pytest.approx(sum(direct.reviews), rel=0.05)
    assert sum(result.minutes) == pytest.approx(sum(direct.seconds) / 60, rel=0.05)
    # The check has teeth: the expectation for another retention is far off on several days.
    other = direct_expectation(0.9, days, AnswerProfile())
    assert len(within(other, list(result.reviews), other.reviews)) >= 3


def test_more_retention_means_more_reviews_and_more_recalled() -> None:
    points = {p.retention: p for p in workload_by_retention(small_workload(), sweep_retentions(0.9, (0.7, 0.97)), 60)}
    assert list(points) == [0.9, 0.7, 0.97]
    assert points[0.7].reviews_per_day < points[0.9].reviews_per_day < points[0.97].reviews_per_day
    assert points[0.7].remembered < points[0.97].remembered


def test_limits_cap_each_deck_and_decks_add_up() -> None:
    tight = small_workload(decks=(replace(small_workload().decks[0], review_limit=1, new_limit=1),))
    result = forecast(tight, 0.9, 15)
    assert max(result.reviews) <= 1.0 and max(result.new) <= 1.0
    assert result.new[:4] == (1.0, 1.0, 1.0, 0.0)
    one = forecast(small_workload(), 0.9, 15)
    two = forecast(small_workload(decks=small_workload().decks * 2), 0.9, 15)
    assert two.new == tuple(2 * n for n in one.new)
    assert sum(two.reviews) == pytest.approx(2 * sum(one.reviews), rel=0.05)  # other cards, other draws: about twice
    assert two.cards == 2 * one.cards == 12
    # Each deck has its own limits: a tight deck beside a free one caps only its own cards.
    mixed = forecast(small_workload(decks=(tight.decks[0], small_workload().decks[0])), 0.9, 15)
    assert mixed.new[:3] == (3.0, 2.0, 1.0) and max(mixed.reviews) > 1.0


def test_a_stop_flag_ends_the_work_while_simulating() -> None:
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1

    assert forecast(small_workload(), 0.9, 40, stop) is None
    assert len(asked) == 2  # asked every few simulated days: on day 0, then on day 16
    assert list(workload_by_retention(small_workload(), [0.8, 0.9], 10, stop=lambda: True)) == []


def test_requests_out_of_range_are_refused() -> None:
    for retention, days in ((0.5, 30), (1.0, 30), (0.9, 0), (0.9, 5000)):
        with pytest.raises(ValueError):
            check_request(retention, days)
    check_request(0.7, 1)
    assert forecast(small_workload(decks=()), 0.9, 5).reviews == (0.0,) * 5


def answers(kind: int, rating: int, seconds: float, n: int, card: int = 1, day: int = 0) -> list[Answer]:
    return [Answer(card + i, day, kind, rating, int(seconds * 1000)) for i in range(n)]


def test_time_per_answer_comes_from_the_log_blended_with_defaults_by_its_size() -> None:
    log = answers(REVIEW, 3, 6.0, 10) + answers(REVIEW, 1, 30.0, 50, card=100) + answers(LEARNING, 3, 4.0, 5, card=200)
    log += [Answer(300, 0, REVIEW, 3, 0), Answer(301, 0, REVIEW, 3, 2_000_000)]  # no time, a break: left out
    profile = profile_from_answers(log)
    costs = profile.state_rating_costs
    assert costs[REVIEW][2] == round(10 / 60 * 6.0 + 50 / 60 * DEFAULT_STATE_RATING_COSTS[REVIEW][2], 2)
    assert costs[REVIEW][0] == round(0.5 * 30.0 + 0.5 * DEFAULT_STATE_RATING_COSTS[REVIEW][0], 2)
    assert costs[LEARNING][2] == round(5 / 55 * 4.0 + 50 / 55 * DEFAULT_STATE_RATING_COSTS[LEARNING][2], 2)
    assert costs[REVIEW][3] == DEFAULT_STATE_RATING_COSTS[REVIEW][3]  # Easy never pressed: the default
    assert profile.timed_answers == (5, 60, 0)
    assert profile.own_seconds[REVIEW] == pytest.approx((10 * 6 + 50 * 30) / 60)
    # First answers of a day on review cards: 10 Good, 50 Again; pass buttons only Good.
    assert profile.review_rating_prob[1] == pytest.approx(10 / 60 * 1.0 + 50 / 60 * 0.631, rel=1e-6)
    assert profile_from_answers([]) == AnswerProfile() and not AnswerProfile().from_log


def test_same_day_answers_make_the_step_transitions() -> None:
    log = [Answer(card, 0, LEARNING, rating, 5000) for card in (1, 2) for rating in (1, 3, 3)]
    profile = profile_from_answers(log)
    # Two same-day sequences Again-Good-Good: from Again, Good twice (plus 1 for each of the
    # four buttons: 2+1 of 6); six counts in that row, so 6/56 of the learner's, 50/56 default.
    row = profile.learning_step_transitions[0]
    assert row[2] == pytest.approx(6 / 56 * (3 / 6) + 50 / 56 * 0.5108, rel=1e-6)
    assert profile.first_rating_prob[0] == pytest.approx(2 / 52 * 1.0 + 50 / 52 * 0.24, rel=1e-6)


def test_the_store_gives_due_days_limits_and_times(synced: Database, clock) -> None:
    """Real deck files, real answers through the review session, then the simulator's view of them."""
    basics = card_ids(synced, "Basics")
    session = ReviewSession(synced, clock=clock)
    for card_id in basics[:3]:
        session.answer(card_id, Rating.EASY, duration_ms=7000)  # graduates at once: a review card
    with synced.write() as s:
        s.get(CardRow, basics[3]).suspended = True
        s.get(CardRow, basics[4]).retired = True
    save_changes(synced, {"deck_limits": {"Basics": [2, 50]}})
    clock.advance(days=3)
    workload = load_workload(synced, clock.now, Settings(deck_limits={"Basics": (2, 50)}))
    decks = {deck.name: deck for deck in workload.decks}
    assert set(decks) == {"Basics", "Other"}
    basics_deck = decks["Basics"]
    assert (basics_deck.new_limit, basics_deck.review_limit, decks["Other"].new_limit) == (2, 50, 20)
    assert len(basics_deck.studied) == 3 and basics_deck.introduced_today == 0
    total_basics = len(basics)
    assert basics_deck.new_cards == total_basics - 3 - 2  # answered, suspended, retired
    for card in basics_deck.studied:
        assert card.last_day == -3 and card.due_day == max(0, card.interval - 3) and card.interval >= 1
    assert workload.profile.timed_answers[LEARNING] == 3 and workload.profile.own_seconds[LEARNING] == 7.0
    # A cram answer (Anki's filtered preview) is no evidence of the time a scheduled answer takes.
    cram = CramSession(synced, "Basics", clock=clock, seed=1)
    crammed = cram.next_card()
    assert crammed is not None
    cram.answer(crammed.card.id, Rating.GOOD, duration_ms=60_000)
    after_cram = load_workload(synced, clock.now, Settings(deck_limits={"Basics": (2, 50)}))
    assert after_cram.profile == workload.profile

    # Answering a new card today uses up today's new-card limit.
    session = ReviewSession(synced, clock=clock)
    session.answer(basics[5], Rating.GOOD, duration_ms=5000)
    again = load_workload(synced, clock.now, Settings(deck_limits={"Basics": (2, 50)}))
    basics_now = {deck.name: deck for deck in again.decks}["Basics"]
    assert basics_now.introduced_today == 1 and len(basics_now.studied) == 4
    result = forecast(again, 0.9, 5)
    assert result.new[0] == pytest.approx(1.0 + decks["Other"].new_cards) and result.cards == again.cards


def test_an_overdue_card_is_due_today(synced: Database, clock) -> None:
    first = card_ids(synced, "Other")[0]
    ReviewSession(synced, clock=clock).answer(first, Rating.EASY, duration_ms=3000)
    later = clock.now + timedelta(days=400)
    workload = load_workload(synced, later, Settings())
    (card,) = {deck.name: deck for deck in workload.decks}["Other"].studied
    assert card.due_day == 0 and card.last_day == -400
    assert forecast(workload, 0.9, 3).reviews[0] == pytest.approx(1.0)


def test_a_forecast_is_kept_for_the_same_workload() -> None:
    clear_cache()
    first = forecast(small_workload(), 0.85, 12)
    assert forecast(small_workload(), 0.85, 12) is first  # equal workload: the kept forecast
    assert forecast(small_workload(), 0.86, 12) is not first
    other = small_workload(decks=(replace(small_workload().decks[0], new_cards=4),))
    assert forecast(other, 0.85, 12) is not first and forecast(other, 0.85, 12).cards == first.cards + 1
    clear_cache()
    again = forecast(small_workload(), 0.85, 12)
    assert again is not first and again == first  # seeded runs: the same figures afresh
