"""A card's four buttons are computed once, when it is shown, and its answer applies them (as Anki's
answer applies the states its buttons showed); they are computed afresh when what they were
computed from changed: the card itself, the study day, the balancer's counts, its note."""

from __future__ import annotations

import random
from datetime import timedelta

from studydl.domain.review import Rating
from studydl.engine import fsrs_model, fuzz, fuzz_draws
from studydl.engine.history import stored_memory
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings


def _count_fsrs_calls(monkeypatch) -> list[int]:  # noqa: ANN001
    """Count FSRS's next-state computations (the real ones run: a spy, not a stand-in)."""
    calls: list[int] = []
    real = fsrs_model.FsrsModel.next_states

    def counted(self, memory, days_elapsed):  # noqa: ANN001, ANN202
        calls.append(1)
        return real(self, memory, days_elapsed)

    monkeypatch.setattr(fsrs_model.FsrsModel, "next_states", counted)
    return calls


def test_each_card_is_scheduled_once_for_its_buttons_and_its_answer(synced, clock, monkeypatch) -> None:
    """Every FSRS computation is a card's plan (its four buttons); the answer applies the plan shown and
    computes none. A card shown is planned once: when shown, or ahead, while the card before it is read
    (`prepare`: the card the answer before read ahead; a learning card come due since overtakes it twice here)."""
    session = ReviewSession(synced, clock=clock, settings=Settings(timezone="UTC"))
    calls = _count_fsrs_calls(monkeypatch)
    planned: list[int] = []
    real_plan = CardScheduler.plan

    def plan(self, card_id, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        planned.append(card_id)
        return real_plan(self, card_id, *args, **kwargs)

    monkeypatch.setattr(CardScheduler, "plan", plan)
    shown = []
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.HARD, Rating.GOOD, Rating.GOOD):
        due = session.next_card()
        assert due is not None
        shown.append(due.card.id)
        session.answer(due.card.id, rating, 2000)
        session.prepare()
        clock.advance(minutes=2)
    assert len(calls) == len(planned)  # (no FSRS work in the answers themselves)
    for card_id in set(shown):
        assert 0 < shown.count(card_id) <= planned.count(card_id) <= shown.count(card_id) + 1
    assert len(planned) - 1 <= len(shown) + 2, (shown, planned)  # (-1: the last answer's plan ahead, never shown)


def test_an_answer_follows_a_card_changed_after_it_was_shown(synced, clock) -> None:
    """Another window answered the shown card: this answer starts from the card as it is now."""
    settings = Settings(timezone="UTC")
    session = ReviewSession(synced, clock=clock, settings=settings)
    due = session.next_card()
    assert due is not None
    other = ReviewSession(synced, clock=clock, settings=settings)
    other.answer(due.card.id, Rating.GOOD, 1000)
    changed = stored_memory(synced, due.card.id)
    clock.advance(minutes=1)
    result = session.answer(due.card.id, Rating.EASY, 1000)
    expected = CardScheduler(settings).answer(due.card.id, changed, Rating.EASY, clock.now)
    assert (result.due, result.interval) == (expected.memory.due, expected.interval)
    assert stored_memory(synced, due.card.id).reps == changed.reps + 1


def test_the_buttons_shown_are_what_the_answer_gives(synced, clock) -> None:
    session = ReviewSession(synced, clock=clock, settings=Settings(timezone="UTC"))
    for rating in (Rating.EASY, Rating.GOOD, Rating.HARD, Rating.AGAIN):
        due = session.next_card()
        assert due is not None
        assert session.answer(due.card.id, rating, 1000).interval == due.intervals[rating]


def test_draws_computed_in_bulk_are_rand_stdrng_draws() -> None:
    rng = random.Random(5)
    seeds = [rng.getrandbits(64) for _ in range(300)] + [0, 1, 2**64 - 1, 123456789]
    first, second = fuzz_draws.first_words(seeds)
    for seed, a, b in zip(seeds, first.tolist(), second.tolist(), strict=True):
        block = fuzz._chacha12_block(fuzz._pcg32_key(seed), 0)
        assert (a, b) == (block[0], block[1])


def test_a_primed_generator_draws_the_same_stream() -> None:
    for seed in (7, 99_991, 2**40 + 3):
        plain = fuzz.StdRng(seed)
        expected = [plain.next_u32() for _ in range(40)]
        fuzz_draws.prime([seed])
        primed = fuzz.StdRng(seed)
        assert [primed.next_u32() for _ in range(40)] == expected


def test_a_plan_applied_later_the_same_day_is_the_answer_then(clock) -> None:
    scheduler = CardScheduler(Settings(timezone="UTC"))
    memory = Memory()
    plan = scheduler.plan(42, memory, clock.now)
    later = clock.now + timedelta(minutes=3)
    for rating in Rating:
        assert scheduler.apply(plan, rating, later) == scheduler.answer(42, memory, rating, later)
