"""Review order, new-card order and the new/review mix: Anki's options, in a real review session."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from studydl.domain.review import CardState, Rating
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS
from studydl.engine.review_order import Curve, DueReview, sort_reviews
from studydl.engine.session import ReviewSession
from studydl.engine.setting_values import REVIEW_ORDERS, Settings
from studydl.store.models import CardRow, ReviewRow
from tests.engine.engine_samples import START, card_ids

DECAY = DEFAULT_PARAMETERS[20]


def reviews_due(db, clock, rng: random.Random) -> dict[int, dict]:  # noqa: ANN001
    """Every card of the test decks made a review card due today or earlier, with varied memory states."""
    made = {}
    with db.write() as s:
        for card_id in card_ids(db):
            last = clock.now - timedelta(days=rng.randint(2, 60), hours=rng.randint(0, 20))
            values = {
                "state": int(CardState.REVIEW), "stability": round(rng.uniform(1, 80), 4),
                "difficulty": round(rng.uniform(1, 10), 3), "last_review": last, "reps": 3,
                "due": clock.now.replace(hour=4) - timedelta(days=rng.randint(0, 5)),
            }  # fmt: skip
            s.execute(update(CardRow).where(CardRow.id == card_id).values(**values))
            made[card_id] = values
    return made


def handed_out(db, clock, settings: Settings, answer: bool = False) -> list[int]:  # noqa: ANN001
    """The cards a session hands out, each buried (out of today's way), or answered Easy."""
    session = ReviewSession(db, clock=clock, settings=settings)
    order = []
    while (due := session.next_card()) is not None:
        order.append(due.card.id)
        if answer:
            session.answer(due.card.id, Rating.EASY)
        else:
            session.bury(due.card.id)
    return order


@pytest.mark.parametrize("order", sorted(REVIEW_ORDERS))
def test_each_review_order_hands_out_the_days_reviews_in_that_order(synced, clock, order: str) -> None:
    made = reviews_due(synced, clock, random.Random(5))
    settings = Settings(timezone="UTC", review_order=order, bury_siblings=False)
    first = handed_out(synced, clock, settings)
    assert sorted(first) == sorted(made)
    curve = Curve(DECAY, 0.9)

    def days(card_id: int) -> float:
        return (clock.now - made[card_id]["last_review"]).total_seconds() / 86_400

    key = {
        "due": lambda c: made[c]["due"],
        "interval-asc": lambda c: (made[c]["due"].date() - made[c]["last_review"].date()).days,
        "difficult-first": lambda c: -made[c]["difficulty"],
        "easy-first": lambda c: made[c]["difficulty"],
        "retrievability-asc": lambda c: curve.retrievability(made[c]["stability"], days(c)),
        "retrievability-desc": lambda c: -curve.retrievability(made[c]["stability"], days(c)),
        "overdueness": lambda c: curve.relative_overdueness(made[c]["stability"], days(c)),
        "added": lambda c: c,
        "reverse-added": lambda c: -c,
    }.get(order)
    if key is not None:
        assert [key(c) for c in first] == sorted(key(c) for c in first), order
    if order in ("random", "due"):
        with synced.write() as s:
            s.execute(update(CardRow).values(buried_until=None))
        assert handed_out(synced, clock, settings) == first  # fixed for the day
    if order == "deck-due":
        decks = ["Basics" if c in card_ids(synced, "Basics") else "Other" for c in first]
        assert decks == sorted(decks)


def test_relative_overdueness_and_retrievability_are_ankis_sql_functions() -> None:
    """The keys equal Anki's own `extract_fsrs_(relative_)retrievability` on the same card data."""
    collection = pytest.importorskip("anki.collection")
    import os
    import tempfile

    col = collection.Collection(os.path.join(tempfile.mkdtemp(), "order.anki2"))
    try:
        for stability, elapsed, retention in ((10.0, 15.0, 0.85), (3.5, 0.4, 0.9), (120.0, 30.0, 0.95)):
            data = json.dumps({"s": stability, "d": 5.0, "dr": retention, "decay": DECAY, "lrt": 1_700_000_000})
            now = 1_700_000_000 + int(elapsed * 86_400)
            theirs = col.db.scalar("select extract_fsrs_relative_retrievability(?, 100, 10, 110, ?, ?)", data, now + 60, now)
            recall = col.db.scalar("select extract_fsrs_retrievability(?, 100, 10, 110, ?, ?)", data, now + 60, now)
            curve = Curve(DECAY, retention)
            assert curve.relative_overdueness(stability, elapsed) == pytest.approx(theirs, rel=1e-5)
            assert curve.retrievability(stability, elapsed) == pytest.approx(recall, rel=1e-5)
    finally:
        col.close()


def reset(db, reviews: list[int], clock) -> None:  # noqa: ANN001
    """Every card new again, but `reviews`: due yesterday."""
    with db.write() as s:
        s.execute(update(CardRow).values(state=0, stability=None, difficulty=None, due=None, last_review=None, reps=0, buried_until=None))
        s.execute(
            update(CardRow).where(CardRow.id.in_(reviews)).values(
                state=int(CardState.REVIEW), stability=5.0, difficulty=5.0, due=clock.now - timedelta(days=1),
                last_review=clock.now - timedelta(days=6), reps=2,
            )
        )
    with db.write() as s:
        s.execute(delete(ReviewRow))


def test_random_orders_change_with_the_day() -> None:
    cards = [DueReview(i, 1, 0, 5, 10.0, 5.0, None) for i in range(1, 40)]
    one = [c.id for c in sort_reviews(cards, "random", 1000, START, {}, lambda _: Curve(DECAY, 0.9))]
    two = [c.id for c in sort_reviews(cards, "random", 1001, START, {}, lambda _: Curve(DECAY, 0.9))]
    assert sorted(one) == sorted(two) and one != two


def test_new_cards_in_random_order_and_the_new_review_mix(synced, clock) -> None:
    new = card_ids(synced)
    file_order = handed_out(synced, clock, Settings(timezone="UTC", bury_siblings=False, new_per_day=99))
    assert file_order == sorted(new, key=lambda c: (c not in card_ids(synced, "Basics"), c))  # decks by name, file order
    with synced.write() as s:
        s.execute(update(CardRow).values(buried_until=None))
    shuffled = handed_out(synced, clock, Settings(timezone="UTC", bury_siblings=False, new_per_day=99, new_order="random"))
    assert sorted(shuffled) == sorted(new) and shuffled != file_order
    with synced.write() as s:
        s.execute(update(CardRow).values(buried_until=None))
    reviews = card_ids(synced)[:4]
    reset(synced, reviews, clock)
    for mix in ("after", "before", "mix"):
        with synced.write() as s:
            s.execute(update(CardRow).values(buried_until=None))
        order = handed_out(
            synced, clock, Settings(timezone="UTC", bury_siblings=False, new_per_day=99, new_review_mix=mix), answer=True
        )
        positions = sorted(order.index(c) for c in reviews)
        if mix == "after":
            assert positions == list(range(len(reviews))), order
        elif mix == "before":
            assert positions == list(range(len(order) - len(reviews), len(order))), order
        else:
            assert positions[0] < len(order) // 2 < positions[-1], order  # spread among the new cards
        reset(synced, reviews, clock)
