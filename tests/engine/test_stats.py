"""Statistics: reviews, retention over review-state answers, forecast, deck tree, next due time."""

from __future__ import annotations

from datetime import timedelta

from studydl.domain.review import Rating
from studydl.engine.deck_counts import deck_tree_counts, next_due_time
from studydl.engine.session import ReviewSession
from studydl.engine.stats import collection_stats
from tests.engine.engine_samples import card_ids, no_fuzz


def test_collection_stats(synced, clock) -> None:
    settings = no_fuzz(bury_siblings=False)
    session = ReviewSession(synced, "Other", clock=clock, settings=settings)
    first, second, third = card_ids(synced, "Other")
    for card_id in (first, second, third):
        session.answer(card_id, Rating.EASY, duration_ms=2000)  # straight to review, due in days
    clock.advance(days=20)
    session = ReviewSession(synced, "Other", clock=clock, settings=settings)
    good = session.answer(first, Rating.GOOD, duration_ms=3000)
    session.answer(second, Rating.AGAIN, duration_ms=4000)  # a lapse: relearning
    stats = collection_stats(synced, clock.now, settings)
    assert (stats.reviews_today, stats.reviews_total) == (2, 5)
    assert stats.time_today_s == 7.0
    assert stats.retention_30d == 0.5  # two review-state answers, one Again
    assert stats.forecast[0] == 2  # the relearning card and the overdue review card
    assert sum(stats.forecast) == 2 + (good.interval < timedelta(days=29))
    assert stats.state_counts == {"new": 9, "learning": 0, "review": 2, "relearning": 1, "suspended": 0, "retired": 0}
    assert sum(stats.reviews_per_day.values()) == 5 and len(stats.reviews_per_day) == 2
    assert [r for _, r in stats.retention_by_week] == [0.5]
    assert session.summary().retention_today == 0.5


def test_deck_tree_counts_apply_deck_limits(synced, clock) -> None:
    settings = no_fuzz(new_per_day=3)
    rows = {(r.deck, r.section): r for r in deck_tree_counts(synced, clock.now, settings)}
    assert (rows[("Basics", "")].new, rows[("Basics", "")].total) == (3, 9)
    assert rows[("Basics", "Basics / Words")].new == 3
    assert rows[("Other", "")].new == 3
    session = ReviewSession(synced, "Other", clock=clock, settings=settings)
    session.answer(session.next_card().card.id, Rating.AGAIN)
    rows = {(r.deck, r.section): r for r in deck_tree_counts(synced, clock.now, settings)}
    assert (rows[("Other", "")].new, rows[("Other", "")].learning) == (2, 1)


def test_next_due_time(synced, clock) -> None:
    assert next_due_time(synced, clock.now) is None
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    session.answer(session.next_card().card.id, Rating.AGAIN)
    assert next_due_time(synced, clock.now) == clock.now + timedelta(minutes=1)
