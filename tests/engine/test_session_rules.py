"""Session rules: limits, study days, burying, suspend, flags, leeches, learning, mixing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from studydl.domain.review import CardState, Rating
from studydl.engine.history import stored_memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings, load_settings, save_changes, save_setting
from studydl.store.models import CardRow
from tests.engine.engine_samples import card_ids, no_fuzz


def drain(session: ReviewSession, rating: Rating = Rating.EASY, limit: int = 200) -> list[int]:
    """Answer everything the session hands out; the ids in order."""
    shown = []
    while (due := session.next_card()) is not None and len(shown) < limit:
        shown.append(due.card.id)
        session.answer(due.card.id, rating)
    return shown


def test_new_card_limit_per_deck_and_overrides(synced, clock) -> None:
    settings = no_fuzz(new_per_day=2, bury_siblings=False, deck_limits={"Other": (1, 10)})
    session = ReviewSession(synced, clock=clock, settings=settings)
    assert session.counts().new == 3
    shown = drain(session)
    assert len(shown) == 3
    assert sorted(shown) == sorted(card_ids(synced, "Basics")[:2] + card_ids(synced, "Other")[:1])
    assert session.counts().total == 0


def test_limits_are_counted_per_study_day_with_the_day_start_hour(synced, clock) -> None:
    clock.now = datetime(2025, 3, 3, 3, 30, tzinfo=UTC)  # before 4 am: still Sunday's study day
    settings = no_fuzz(new_per_day=2, bury_siblings=False)
    assert len(drain(ReviewSession(synced, "Basics", clock=clock, settings=settings))) == 2
    clock.now = datetime(2025, 3, 3, 3, 59, tzinfo=UTC)
    assert ReviewSession(synced, "Basics", clock=clock, settings=settings).next_card() is None
    clock.now = datetime(2025, 3, 3, 4, 0, tzinfo=UTC)  # a new study day
    session = ReviewSession(synced, "Basics", clock=clock, settings=settings)
    assert session.counts().new == 2
    # with day start at 3 am the first answers (3:30) belong to the new day already
    later = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(new_per_day=2, day_start_hour=3))
    assert later.counts().new == 0


def test_a_session_crossing_the_day_start_recounts(synced, clock) -> None:
    clock.now = datetime(2025, 3, 3, 3, 50, tzinfo=UTC)
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(new_per_day=1, bury_siblings=False))
    drain(session)
    assert session.next_card() is None
    clock.now = datetime(2025, 3, 3, 4, 1, tzinfo=UTC)
    assert session.counts().new == 1
    assert session.next_card() is not None


def test_review_limit(synced, clock) -> None:
    ids = card_ids(synced, "Basics")
    with synced.write() as s:
        s.execute(update(CardRow).values(state=2, stability=5.0, difficulty=5.0, due=clock.now - timedelta(days=1), last_review=clock.now - timedelta(days=6)))
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(reviews_per_day=4, bury_siblings=False))
    assert session.counts().review == 4
    assert len(drain(session, Rating.GOOD)) == 4
    assert len(ids) > 4


def test_siblings_are_buried_until_the_next_day(synced, clock) -> None:
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz())
    shown = drain(session)
    basics = card_ids(synced, "Basics")
    assert len(shown) == len(basics) - 2  # one of the `:::` pair, one of the two clozes
    buried = [i for i in basics if i not in shown]
    assert all(stored_memory(synced, i).state == CardState.NEW for i in buried)
    clock.now = datetime(2025, 3, 4, 4, 0, tzinfo=UTC)
    tomorrow = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz())
    assert sorted(drain(tomorrow)) == sorted(buried)


def test_bury_siblings_can_be_turned_off(synced, clock) -> None:
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(bury_siblings=False))
    assert sorted(drain(session)) == card_ids(synced, "Basics")


def test_suspend_and_unsuspend(synced, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    first, *rest = card_ids(synced, "Other")
    session.suspend(first)
    assert session.counts().new == 2
    assert first not in drain(session)
    session.unsuspend(first)
    assert session.counts().new == 1
    assert session.next_card().card.id == first


def test_flag(synced, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock)
    card = session.next_card().card
    session.set_flag(card.id, 3)
    assert session.due_card(card.id).card.flag == 3
    session.set_flag(card.id, 0)
    assert session.due_card(card.id).card.flag == 0


def lapse(session: ReviewSession, clock, card_id: int) -> bool:
    """Bring the card to review, then fail it; True if that made it a leech."""
    while stored_memory(session.db, card_id).state != CardState.REVIEW:
        session.answer(card_id, Rating.EASY)
    clock.advance(days=30)
    return session.answer(card_id, Rating.AGAIN).leech


def test_leech_after_eight_lapses_is_tagged_and_suspended(synced, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    card_id = card_ids(synced, "Other")[0]
    results = [lapse(session, clock, card_id) for _ in range(8)]
    assert results == [False] * 7 + [True]
    memory = stored_memory(synced, card_id)
    assert (memory.lapses, memory.leech, memory.suspended) == (8, True, True)


def test_leech_threshold_and_action_are_settings(synced, clock) -> None:
    save_changes(synced, {"fuzz": False, "leech_threshold": 3, "leech_suspend": False})
    session = ReviewSession(synced, "Other", clock=clock)
    card_id = card_ids(synced, "Other")[0]
    assert [lapse(session, clock, card_id) for _ in range(3)] == [False, False, True]
    memory = stored_memory(synced, card_id)
    assert (memory.leech, memory.suspended) == (True, False)


def test_learning_cards_come_back_when_due_and_learn_ahead(synced, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz(new_per_day=1))
    first = session.next_card().card.id
    session.answer(first, Rating.AGAIN)  # due in 1 minute; nothing else left today
    assert session.counts().learning == 1
    assert session.next_card().card.id == first  # shown early: learn-ahead
    session.answer(first, Rating.GOOD)  # step 2: due in 10 minutes
    assert session.next_card().card.id == first
    session.answer(first, Rating.GOOD)  # graduates: due in days
    assert session.next_card() is None
    assert session.counts().total == 0


def test_a_due_learning_card_comes_before_new_cards(synced, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    first = session.next_card().card.id
    session.answer(first, Rating.AGAIN)
    assert session.next_card().card.id != first  # not due yet, new cards first
    clock.advance(minutes=2)
    assert session.next_card().card.id == first


def test_new_cards_are_mixed_among_reviews(synced, clock) -> None:
    ids = card_ids(synced, "Basics")
    reviews = ids[:4]
    with synced.write() as s:
        s.execute(update(CardRow).where(CardRow.id.in_(reviews)).values(state=2, stability=5.0, difficulty=5.0, due=clock.now - timedelta(days=1), last_review=clock.now - timedelta(days=6)))
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(bury_siblings=False))
    kinds = ["review" if card_id in reviews else "new" for card_id in drain(session, Rating.EASY)]
    assert kinds[:4].count("new") >= 1 and kinds[:4].count("review") >= 1
    assert kinds.count("review") == 4


def test_settings_are_stored(synced) -> None:
    assert load_settings(synced) == Settings()
    save_setting(synced, "retention", "0.85")
    save_setting(synced, "learning_steps", "1, 5 15")
    save_setting(synced, "deck_limits", '{"Other": [5, 50]}')
    settings = load_settings(synced)
    assert settings.desired_retention == 0.85
    assert settings.learning_steps_min == (1.0, 5.0, 15.0)
    assert settings.limits_for("Other") == (5, 50) and settings.limits_for("Basics") == (20, 200)


def test_a_section_session_counts_against_its_deck_limit(synced, clock) -> None:
    settings = no_fuzz(new_per_day=3)
    words = ReviewSession(synced, "Basics", clock=clock, settings=settings, section="Basics / Words")
    assert words.counts().new == 3  # four cards in the section, three the deck may still show
    shown = drain(words)
    assert len(shown) == 2  # one of each sibling pair: the other is buried
    assert ReviewSession(synced, "Basics", clock=clock, settings=settings).counts().new == 1
