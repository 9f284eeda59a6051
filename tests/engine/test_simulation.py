"""The simulator's core: FSRS's equations on arrays, fsrs-rs's own simulation, limits, draws, study days."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs_rs_python as fsrs_rs
import numpy as np
import pytest

from studydl.domain.days import StudyDays
from studydl.engine.answer_profile import AnswerProfile
from studydl.engine.day_arrays import study_days_of, utc_times
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsArrays, FsrsModel, MemoryState
from studydl.engine.settings import Settings
from studydl.engine.simulate import clear_cache, forecast, forecasts
from studydl.engine.simulation import Simulation, simulate
from studydl.engine.workload_cards import (
    DeckWorkload,
    StudiedCard,
    StudiedCards,
    Workload,
    load_workload,
)
from studydl.store.db import Database


def workload(*decks: DeckWorkload, steps: tuple[int, int] = (2, 1), leech: int | None = None) -> Workload:
    return Workload(decks, DEFAULT_PARAMETERS, True, AnswerProfile(), 0.9, 36500, steps[0], steps[1], leech)


def new_deck(cards: int, limit: int, review_limit: int = 9999, studied: tuple[StudiedCard, ...] = ()) -> DeckWorkload:
    return DeckWorkload("Deck", limit, review_limit, StudiedCards.of(studied), cards, 0)


def test_the_array_equations_are_fsrs_rs_s() -> None:
    """Every answer's new stability and difficulty, on arrays, as fsrs-rs computes them one card at a time."""
    arrays, model = FsrsArrays(), FsrsModel()
    rng = np.random.default_rng(5)
    for _ in range(200):
        s, d, elapsed = float(rng.uniform(0.05, 500)), float(rng.uniform(1, 10)), int(rng.integers(0, 400))
        expected = model.next_states(MemoryState(s, d), elapsed)
        recall = arrays.retrievability(elapsed, s)
        assert recall == pytest.approx(model.retrievability(s, elapsed))
        for rating in (1, 2, 3, 4):
            want = expected.by_rating(rating).memory
            r = np.array([rating])
            if elapsed == 0:
                if rating == 2:
                    continue  # the simulator's one difference: no floor on a same-day Hard (see FsrsArrays)
                got = arrays.short_term(np.array([s]), r)
            elif rating == 1:
                got = arrays.after_failure(np.array([s]), recall, np.array([d]))
            else:
                got = arrays.after_success(np.array([s]), recall, np.array([d]), r)
            assert got[0] == pytest.approx(want.stability, rel=1e-5)
            assert arrays.next_difficulty(np.array([d]), r)[0] == pytest.approx(want.difficulty, abs=1e-4)
    first = model.next_states(None, 0)
    stability, difficulty = arrays.initial(np.arange(1, 5))
    assert stability == pytest.approx([first.by_rating(r).memory.stability for r in (1, 2, 3, 4)], rel=1e-6)
    assert difficulty == pytest.approx([first.by_rating(r).memory.difficulty for r in (1, 2, 3, 4)], rel=1e-6)
    assert arrays.intervals(np.array([7.5]), 0.9)[0] == pytest.approx(model.next_interval(7.5), rel=1e-5)


@pytest.mark.parametrize(("days", "retention"), [(30, 0.8), (30, 0.95), (150, 0.9)])
def test_the_simulation_is_fsrs_rs_s_on_a_fresh_deck(days: int, retention: float) -> None:
    """fsrs-rs's `simulate` (the binding offers it for a fresh deck) and this one: the same means.

    2,000 new cards at 40 a day, fsrs-rs's default habits and steps; fsrs-rs's mean over
    24 seeds against this simulator's 24 runs. A sum of thousands of answers: each mean
    is within about 1 % of the other, so 3 % is far beyond chance.
    """
    cards, limit, seeds = 2000, 40, 24
    config = fsrs_rs.default_simulator_config()
    config.deck_size, config.learn_span, config.learn_limit = cards, days, limit
    config.review_limit, config.max_cost_perday = 1_000_000, 1e12
    runs = [fsrs_rs.simulate(list(DEFAULT_PARAMETERS), retention, config, seed) for seed in range(seeds)]
    ours = simulate(workload(new_deck(cards, limit)), [retention], days, seeds)
    assert ours is not None
    assert ours.new.sum() == pytest.approx(statistics.mean(sum(r.learn_cnt_per_day) for r in runs))
    assert ours.reviews.sum() == pytest.approx(statistics.mean(sum(r.review_cnt_per_day) for r in runs), rel=0.03)
    assert ours.seconds.sum() == pytest.approx(statistics.mean(sum(r.cost_per_day) for r in runs), rel=0.03)
    assert ours.remembered[0, -1] == pytest.approx(statistics.mean(r.memorized_cnt_per_day[-1] for r in runs), rel=0.01)
    # Teeth: another retention's figures are further off than that.
    other = simulate(workload(new_deck(cards, limit)), [retention - 0.05], days, seeds)
    assert other.reviews.sum() < 0.95 * statistics.mean(sum(r.review_cnt_per_day) for r in runs)


def test_a_retention_gives_the_same_figures_alone_or_in_a_sweep() -> None:
    studied = tuple(StudiedCard(float(s), 5.0, -int(s), 1 + i % 9, int(s) + 1 + i % 9, 0) for i, s in enumerate(range(1, 60)))
    work = workload(new_deck(30, 5, studied=studied))
    clear_cache()
    alone = forecast(work, 0.85, 40)
    clear_cache()
    swept = {f.retention: f for f in forecasts(work, [0.75, 0.85, 0.95], 40)}
    assert swept[0.85] == alone
    # The retentions share their draws, so the comparison is smooth: more retention, more reviews, every time.
    assert sum(swept[0.75].reviews) < sum(swept[0.85].reviews) < sum(swept[0.95].reviews)


def test_the_review_limit_takes_the_earliest_scheduled_first_and_the_rest_wait() -> None:
    cards = (
        StudiedCard(10.0, 5.0, last_day=-10, due_day=0, interval=10, lapses=0),  # due today
        StudiedCard(10.0, 5.0, last_day=-12, due_day=0, interval=10, lapses=0),  # two days overdue: first
        StudiedCard(10.0, 5.0, last_day=-11, due_day=0, interval=10, lapses=0),  # one day overdue: second
    )
    run = Simulation(workload(new_deck(0, 0, review_limit=2, studied=cards)), [0.9], 5, 1)
    done = run.review(0)
    assert done.tolist() == [[2]]
    assert run.last[:3].tolist() == [-10, 0, 0] and run.due[0] == 1  # the one left waits a day
    run.review(1)
    assert run.last[0] == 1  # and is reviewed then, later than planned (its recall lower)


def test_new_cards_take_the_review_limits_room_only_when_asked() -> None:
    cards = tuple(StudiedCard(5.0, 5.0, last_day=-5, due_day=0, interval=5, lapses=0) for _ in range(3))
    deck = new_deck(10, 4, review_limit=5, studied=cards)
    apart = simulate(workload(deck), [0.9], 1, 1)
    together = simulate(workload(deck), [0.9], 1, 1, new_ignores_review_limit=False)
    assert (apart.reviews[0, 0], apart.new[0, 0]) == (3, 4)
    assert (together.reviews[0, 0], together.new[0, 0]) == (3, 2)


def test_a_leech_is_suspended_when_it_next_comes_due() -> None:
    """fsrs-rs's rule: a card at the lapse limit is dropped when it comes due (it still counts as remembered)."""
    leech = StudiedCard(0.5, 9.0, last_day=-30, due_day=0, interval=1, lapses=8)
    close = StudiedCard(0.5, 9.0, last_day=-30, due_day=0, interval=1, lapses=7)
    result = simulate(workload(new_deck(0, 0, studied=(leech, close)), leech=8), [0.9], 60, 50)
    assert result.reviews[0, 0] == 1  # only the card with 7 lapses
    assert result.remembered[0, 0] > 1.0  # both count: the reviewed one fully, the leech by its fading R
    free = simulate(workload(new_deck(0, 0, studied=(leech, close))), [0.9], 60, 50)
    assert free.reviews.sum() > result.reviews.sum()


def test_no_leech_threshold_suspends_nothing(db: Database) -> None:
    """A leech threshold of 0 means never a leech: no card is dropped (0 lapses are not "at the limit")."""
    settings = Settings(leech_threshold=0, leech_suspend=True)
    assert load_workload(db, datetime.now(UTC), settings).suspend_after_lapses is None
    assert load_workload(db, datetime.now(UTC), replace(settings, leech_threshold=8)).suspend_after_lapses == 8


def test_study_days_of_many_times_are_day_of_each() -> None:
    days = StudyDays(ZoneInfo("America/New_York"), 4)
    start = datetime(2026, 3, 1, tzinfo=UTC)  # across the spring-forward change, every 37 minutes
    instants = [start + timedelta(minutes=37 * i) for i in range(2000)]
    texts = [t.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") for t in instants]
    mapped = study_days_of(days, utc_times([*texts, None]))
    assert mapped[:-1].tolist() == [days.day_of(t) for t in instants]
    assert mapped[-1] < 0  # no time: no day
