"""Undo restores exactly (siblings included); replaying the log rebuilds every card."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from studydl.domain.errors import StudyError
from studydl.domain.review import Rating
from studydl.engine.history import card_history, replay_card, stored_memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings
from studydl.store.models import CardRow, ReviewRow
from tests.engine.engine_samples import card_ids, no_fuzz


def snapshot(db) -> list[tuple]:
    """Every card's scheduling columns, and the log."""
    with db.read() as s:
        cards = s.execute(
            select(CardRow.id, CardRow.state, CardRow.step, CardRow.stability, CardRow.difficulty, CardRow.due,
                   CardRow.last_review, CardRow.reps, CardRow.lapses, CardRow.suspended, CardRow.leech,
                   CardRow.buried_until).order_by(CardRow.id)
        ).all()
        log = s.execute(select(ReviewRow.id, ReviewRow.card_id, ReviewRow.rating).order_by(ReviewRow.id)).all()
    return [tuple(c) for c in cards] + [tuple(r) for r in log]


def test_undo_of_one_answer_restores_the_card_and_its_buried_sibling(synced, clock) -> None:
    session = ReviewSession(synced, "Basics", clock=clock, settings=Settings())
    for _ in range(5):  # through the basic cards to the `:::` pair
        session.answer(session.next_card().card.id, Rating.GOOD)
        clock.advance(seconds=30)
    before = snapshot(synced)
    counts = session.counts()
    due = session.next_card()
    session.answer(due.card.id, Rating.EASY)
    assert session.counts().new == counts.new - 2  # the card and its buried sibling
    assert session.can_undo()
    undone = session.undo()
    assert undone.id == due.card.id
    assert snapshot(synced) == before
    assert session.counts() == counts
    assert session.next_card().card.id == due.card.id


def test_undo_several_in_a_row(synced, clock) -> None:
    session = ReviewSession(synced, clock=clock, settings=Settings())
    states = []
    answered = []
    for rating in (Rating.AGAIN, Rating.GOOD, Rating.EASY, Rating.HARD):
        states.append(snapshot(synced))
        due = session.next_card()
        session.answer(due.card.id, rating)
        answered.append(due.card.id)
        clock.advance(minutes=3)
    for expected_state, expected_card in zip(reversed(states), reversed(answered), strict=True):
        assert session.undo().id == expected_card
        assert snapshot(synced) == expected_state
    assert not session.can_undo() and session.undo() is None
    assert session.summary().reviewed == 0


def test_undo_refuses_when_the_card_was_answered_since_elsewhere(synced, clock) -> None:
    mine = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    other = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    card_id = mine.next_card().card.id
    mine.answer(card_id, Rating.AGAIN)
    other.answer(card_id, Rating.GOOD)
    with pytest.raises(StudyError, match="answered again"):
        mine.undo()
    assert len(card_history(synced, card_id)) == 2


@pytest.mark.parametrize("balanced", [True, False])
def test_replaying_the_log_gives_the_stored_state(synced, clock, balanced: bool) -> None:
    """With the load balancer on, a review's due day comes from the log (it depends on the other cards due then)."""
    rng = random.Random(7)
    settings = Settings(leech_threshold=2, leech_suspend=False, load_balancer=balanced)
    days_with_answers = 0
    for _day in range(60):
        session = ReviewSession(synced, clock=clock, settings=settings)
        while (due := session.next_card()) is not None:
            rating = rng.choices(list(Rating), weights=(2, 1, 6, 1))[0]
            session.answer(due.card.id, rating, duration_ms=rng.randint(500, 9000))
            clock.advance(seconds=rng.randint(5, 90))
            if rng.random() < 0.05:
                session.undo()
        days_with_answers += session.summary().reviewed > 0
        clock.advance(days=1)
        clock.now = clock.now.replace(hour=12, minute=0)
    assert days_with_answers >= 10
    with synced.read() as s:
        total = s.execute(select(func.count()).select_from(ReviewRow)).scalar_one()
    assert total > 100
    for card_id in card_ids(synced):
        stored, replayed = stored_memory(synced, card_id), replay_card(synced, card_id, settings)
        assert replayed == stored
    history = card_history(synced, card_ids(synced)[0])
    assert history[0].interval is not None and history[-1].reviewed_at <= clock.now
    assert all(entry.interval > timedelta(0) for entry in history)
