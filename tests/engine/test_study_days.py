"""Study days: one owner maps instants to days (IANA zones, DST, the day-start hour); the scheduler counts with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studydl.domain.days import StudyDays, day_bounds, zone_named
from studydl.domain.review import CardState, Rating
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.engine.settings import Settings

NY = zone_named("America/New_York")


def at(zone, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham"])
@pytest.mark.parametrize("hour", [0, 2, 4, 23])
def test_every_instant_is_in_the_day_whose_bounds_hold_it(zone: str, hour: int) -> None:
    days = StudyDays(zone_named(zone), hour)
    instant = datetime(2026, 1, 1, tzinfo=UTC)
    lengths = set()
    while instant < datetime(2027, 1, 1, tzinfo=UTC):
        day = days.day_of(instant)
        start, end = days.start_of(day), days.start_of(day + 1)
        assert start <= instant < end
        assert days.day_of(start) == day and days.day_of(end) == day + 1
        lengths.add((end - start) / timedelta(hours=1))
        instant += timedelta(minutes=97)
    assert lengths <= {23.0, 23.5, 24.0, 24.5, 25.0}


def test_dst_days_are_23_and_25_hours_and_the_start_stays_at_4_am() -> None:
    days = StudyDays(NY, 4)
    spring = days.day_of(at(NY, 2026, 3, 7, 12))
    assert days.start_of(spring + 1) - days.start_of(spring) == timedelta(hours=23)
    fall = days.day_of(at(NY, 2026, 10, 31, 12))
    assert days.start_of(fall + 1) - days.start_of(fall) == timedelta(hours=25)
    for day in (spring, spring + 1, fall, fall + 1):
        assert days.start_of(day).astimezone(NY).hour == 4
    # a fixed offset taken in winter would put the summer boundary at 5 am local
    assert day_bounds(at(NY, 2026, 3, 7, 23), 4, NY)[1].astimezone(NY).hour == 4


def test_elapsed_days_are_study_days_not_24_hour_periods() -> None:
    days = StudyDays(NY, 4)
    thursday_evening, sunday_morning = at(NY, 2026, 1, 8, 21), at(NY, 2026, 1, 11, 8)
    assert (sunday_morning - thursday_evening).days == 2
    assert days.days_between(thursday_evening, sunday_morning) == 3
    assert days.days_between(at(NY, 2026, 1, 8, 21), at(NY, 2026, 1, 9, 8)) == 1  # evening, next morning
    assert days.days_between(at(NY, 2026, 1, 9, 3, 59), at(NY, 2026, 1, 9, 4, 1)) == 1  # across 4 am
    assert days.days_between(at(NY, 2026, 1, 9, 4, 1), at(NY, 2026, 1, 10, 3, 59)) == 0


def test_the_scheduler_passes_study_days_to_fsrs() -> None:
    scheduler = CardScheduler(Settings(timezone="America/New_York", fuzz=False))
    learned = at(NY, 2026, 1, 8, 21)
    memory = Memory(CardState.REVIEW, None, 2.3065, 2.111, at(NY, 2026, 1, 10, 4), learned, 2)
    assert scheduler.elapsed_days(memory, at(NY, 2026, 1, 11, 8)) == 3
    after, _ = scheduler.review(1, memory, Rating.GOOD, at(NY, 2026, 1, 11, 8))
    expected = scheduler.model.next_states(memory.memory_state, 3).good.memory.stability
    assert after.stability == round(expected, 4)
    assert after.due == StudyDays(NY, 4).start_of(StudyDays(NY, 4).day_of(at(NY, 2026, 1, 11, 8)) + 14)


def test_same_day_reviews_use_fsrs6_short_term_stability() -> None:
    scheduler = CardScheduler(Settings(timezone="UTC", fuzz=False, learning_steps_min=()))
    first = datetime(2026, 5, 1, 9, tzinfo=UTC)
    memory, _ = scheduler.review(1, Memory(), Rating.AGAIN, first)
    assert memory.state == CardState.LEARNING  # with no steps, FSRS's sub-day interval keeps it learning
    again, _ = scheduler.review(1, memory, Rating.GOOD, memory.due)
    short = scheduler.model.next_states(memory.memory_state, 0).good.memory
    assert (again.stability, again.difficulty) == (round(short.stability, 4), round(short.difficulty, 3))
    assert again.stability != round(scheduler.model.next_states(memory.memory_state, 1).good.memory.stability, 4)


def test_the_zone_setting_is_checked() -> None:
    from studydl.domain.errors import StudyError
    from studydl.engine.settings import parse_setting

    assert parse_setting("zone", "Europe/Berlin") == ("timezone", "Europe/Berlin")
    with pytest.raises(StudyError, match="timezone: .Mars/Olympus. is not a time zone name"):
        parse_setting("timezone", "Mars/Olympus")


def test_buttons_show_what_answering_gives_and_fuzz_replays() -> None:
    scheduler = CardScheduler(Settings(timezone="UTC"))
    now, memory = datetime(2026, 2, 1, 10, tzinfo=UTC), Memory()
    for step, rating in enumerate([Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.HARD, Rating.AGAIN, Rating.GOOD, Rating.EASY]):
        shown = scheduler.preview(42, memory, now)
        outcome = scheduler.answer(42, memory, rating, now)
        assert outcome.interval == shown[rating]
        ivl = [shown[r] for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]
        if memory.state == CardState.REVIEW:
            assert ivl[0] < ivl[1] < ivl[2]
        assert outcome == scheduler.answer(42, memory, rating, now)  # the same draw every time
        memory = outcome.memory
        now = memory.due + timedelta(hours=3 + step)
