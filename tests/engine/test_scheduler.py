"""Scheduling is fsrs's: the same answers at the same times give the same intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs
import fsrs.scheduler
import pytest

from studydl.domain.review import Rating
from studydl.engine.history import stored_memory
from studydl.engine.scheduler import CardScheduler, Memory, fuzz_draw, fuzzed_days
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings
from tests.engine.engine_samples import card_ids, no_fuzz

# (minutes after the previous answer, rating): learning, graduation, reviews, a lapse, relearning
SCRIPT = [
    (0, Rating.GOOD),
    (10, Rating.GOOD),
    (60 * 24 * 3, Rating.GOOD),
    (60 * 24 * 9, Rating.HARD),
    (60 * 24 * 14, Rating.AGAIN),
    (10, Rating.GOOD),
    (60 * 24 * 2, Rating.EASY),
    (60 * 24 * 20, Rating.GOOD),
]


def test_intervals_match_fsrs_for_a_scripted_history(synced, clock) -> None:
    settings = no_fuzz(bury_siblings=False)
    session = ReviewSession(synced, "Other", clock=clock, settings=settings)
    card_id = card_ids(synced, "Other")[0]
    reference = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=card_id, due=clock.now)
    for minutes, rating in SCRIPT:
        clock.advance(minutes=minutes)
        preview = session.due_card(card_id).intervals[rating]
        answered = session.answer(card_id, rating)
        card, _ = reference.review_card(card, fsrs.Rating(int(rating)), clock.now)
        assert answered.due == card.due
        assert preview == card.due - clock.now
        memory = stored_memory(synced, card_id)
        assert (int(memory.state), memory.step) == (int(card.state), card.step)
        assert memory.stability == pytest.approx(card.stability, rel=1e-12)
        assert memory.difficulty == pytest.approx(card.difficulty, rel=1e-12)
    assert stored_memory(synced, card_id).lapses == 1


def test_settings_reach_the_scheduler(synced, clock) -> None:
    params = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    params[2] = 5.0  # initial stability after Good
    settings = no_fuzz(desired_retention=0.8, learning_steps_min=(), parameters=tuple(params))
    session = ReviewSession(synced, "Other", clock=clock, settings=settings)
    due = session.next_card()
    reference = fsrs.Scheduler(parameters=params, desired_retention=0.8, learning_steps=(), enable_fuzzing=False)
    expected, _ = reference.review_card(fsrs.Card(card_id=due.card.id, due=clock.now), fsrs.Rating.Good, clock.now)
    assert session.answer(due.card.id, Rating.GOOD).due == expected.due


@pytest.mark.parametrize("days", [1, 2, 3, 5, 8, 15, 30, 100, 400, 36000])
@pytest.mark.parametrize("draw", [0.0, 0.25, 0.5, 0.999])
def test_fuzz_is_fsrs_fuzz_given_the_same_draw(days: int, draw: float, monkeypatch) -> None:
    scheduler = fsrs.Scheduler(maximum_interval=36500)
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: draw)
    expected = scheduler._get_fuzzed_interval(interval=timedelta(days=days)).days
    assert fuzzed_days(days, draw, 36500) == expected


def test_fuzz_is_reproducible_and_shown_on_the_buttons(synced, clock) -> None:
    settings = Settings(bury_siblings=False)
    session = ReviewSession(synced, "Other", clock=clock, settings=settings)
    card_id = card_ids(synced, "Other")[0]
    for minutes, rating in SCRIPT:
        clock.advance(minutes=minutes)
        preview = session.due_card(card_id).intervals
        answered = session.answer(card_id, rating)
        assert answered.interval == preview[rating]
    assert fuzz_draw(card_id, 3) == fuzz_draw(card_id, 3) != fuzz_draw(card_id, 4)


def test_fuzz_spreads_long_intervals() -> None:
    scheduler = CardScheduler(Settings())
    now = datetime(2025, 1, 1, tzinfo=UTC)
    review = Memory(state=2, stability=40.0, difficulty=5.0, due=now, last_review=now - timedelta(days=40), reps=5)
    dues = {scheduler.review(card_id, review, Rating.GOOD, now)[0].due for card_id in range(1, 40)}
    assert len(dues) > 3
