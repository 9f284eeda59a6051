"""Cram: every card of a deck, due or not; answers logged as cram and the schedule untouched."""

from __future__ import annotations

from sqlalchemy import text

from studydl.domain.review import Rating
from studydl.engine.cram import CramSession
from studydl.engine.history import card_history, logged_answers, replay_card, stored_memory
from studydl.engine.recompute import read_logs
from studydl.engine.session import ReviewSession
from studydl.engine.settings import load_settings
from studydl.engine.stats import collection_stats
from tests.engine.engine_samples import card_ids


def _columns(db, card_id):  # noqa: ANN001, ANN202
    with db.read() as s:
        return tuple(s.execute(text("SELECT state, due, stability, difficulty, reps, lapses, last_review FROM cards WHERE id = :id"), {"id": card_id}).one())


def test_cram_goes_through_every_card_and_changes_no_schedule(synced, clock) -> None:
    review = ReviewSession(synced, "Other", clock=clock)
    first = review.next_card().card.id
    review.answer(first, Rating.GOOD)  # a scheduled answer: the card is learning now, not due
    clock.advance(minutes=1)
    others = card_ids(synced, "Other")
    before = {cid: _columns(synced, cid) for cid in others}

    cram = CramSession(synced, "Other", clock=clock, seed=7)
    assert cram.counts().review == len(others)
    seen = []
    while (due := cram.next_card()) is not None:
        assert set(due.intervals) == {Rating.AGAIN, Rating.HARD}  # Good/Easy end the card's turn
        rating = Rating.AGAIN if due.card.id == first and seen.count(first) == 0 else Rating.GOOD
        cram.answer(due.card.id, rating, 900)
        seen.append(due.card.id)
        clock.advance(seconds=20)
    assert sorted(set(seen)) == sorted(others) and seen.count(first) == 2  # Again brought it back
    assert {cid: _columns(synced, cid) for cid in others} == before
    assert stored_memory(synced, first) == replay_card(synced, first)
    _start, answers = logged_answers(synced, first)
    assert len(answers) == 1  # replay sees only the scheduled answer
    assert [e.kind for e in card_history(synced, first)] == ["scheduled", "cram", "cram"]
    with synced.raw_read() as con:
        assert all(len(log.answers) == 1 for log in read_logs(con))  # the optimizer's input
    stats = collection_stats(synced, clock(), load_settings(synced))
    assert stats.reviews_today == 1 + len(seen)  # counted as reviews, as Anki counts filtered ones
    # the daily limits see one answer: the next session still offers the rest of the new cards
    assert ReviewSession(synced, "Other", clock=clock).counts().new == len(others) - 1


def test_undo_of_a_cram_answer_removes_the_row_and_shows_the_card_again(synced, clock) -> None:
    cram = CramSession(synced, "Basics", clock=clock, seed=1)
    due = cram.next_card()
    left = cram.counts().review
    cram.answer(due.card.id, Rating.EASY)
    assert cram.counts().review == left - 1
    assert cram.undo().id == due.card.id
    assert cram.counts().review == left and cram.next_card().card.id == due.card.id
    assert card_history(synced, due.card.id) == []


def test_cram_order_is_seeded_and_a_section_limits_it(synced, clock) -> None:
    order = [CramSession(synced, "Basics", clock=clock, seed=3).next_card().card.id for _ in range(2)]
    assert order[0] == order[1]
    words = CramSession(synced, "Basics", clock=clock, section="Basics / Words", seed=3)
    assert words.counts().review == 4  # two sigmoid directions, two clozes


def test_an_anki_cram_answer_is_imported_as_cram_and_changes_nothing() -> None:
    from datetime import date

    from studydl.domain.days import StudyDays
    from studydl.interop.anki_collection import AnkiCard, RevlogEntry
    from studydl.interop.anki_sched import AnkiDays
    from studydl.interop.anki_sched import card_history as anki_history

    card = AnkiCard(1, 1, 1, 0, 2, 2, 30, 10, 2500, 2, 0, 0, 0, 0, 0, "")
    day = 86_400_000
    revlog = [
        RevlogEntry(1_700_000_000_000, 1, 3, 1, 0, 2500, 5000, 0),
        RevlogEntry(1_700_000_000_000 + day, 1, 1, -60, 1, 0, 4000, 3),  # filtered, factor 0: cram
        RevlogEntry(1_700_000_000_000 + 3 * day, 1, 3, 10, 1, 2500, 3000, 1),
    ]
    history = anki_history(card, revlog, AnkiDays(date(2020, 9, 13).toordinal(), StudyDays()))  # crt 1_600_000_000
    assert [r.kind for r in history.reviews] == ["scheduled", "cram", "scheduled"]
    assert history.reviews[1].before == history.reviews[1].after == history.reviews[0].after
