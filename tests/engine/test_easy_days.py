"""Easy Days and the load balancer over weeks of study, beside Anki's own backend studying the same cards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from studydl.decks.sync import sync_decks
from studydl.domain.review import CardState, Rating
from studydl.engine.history import stored_memory
from studydl.engine.load_balancer import (
    easy_days_modifiers,
    select_weighted_interval,
    sibling_modifiers,
)
from studydl.engine.recompute import recompute_memory_states
from studydl.engine.scheduler import Memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow
from tests.engine.anki_parity import anki_available, faketime_env
from tests.engine.anki_study import rating_for
from tests.engine.engine_samples import Clock, card_ids, simulated_log

SUNDAY_MINIMUM = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0)
START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
"""A Monday, 10 am UTC."""
DAYS, CARDS, NEW_PER_DAY = 60, 300, 20


def study_deck(tmp_path: Path, name: str) -> tuple[Database, list[int]]:
    deck = tmp_path / "decks" / "study.md"
    deck.parent.mkdir(parents=True, exist_ok=True)
    deck.write_text("---\ndeck: Study\n---\n\n" + "\n\n".join(f"Q: Study {i}?\nA: Answer {i}." for i in range(CARDS)))
    db = Database(tmp_path / f"{name}.db")
    assert sync_decks(db, [deck], clock=lambda: START - timedelta(days=3)).ok
    return db, card_ids(db, "Study")


def settings_with(easy_days: tuple[float, ...]) -> Settings:
    return Settings(timezone="UTC", easy_days=easy_days, new_per_day=NEW_PER_DAY, reviews_per_day=9999, bury_siblings=False)


def studydl_study(tmp_path: Path, easy_days: tuple[float, ...]) -> list[tuple[int, int, int]]:
    """(day, state before, due day after - today) of every answer of 60 days of study in studydl's own review session."""
    db, _ = study_deck(tmp_path, f"own-{sum(easy_days)}")
    try:
        settings, clock, reps, answers = settings_with(easy_days), Clock(START), Counter(), []
        days = settings.study_days()
        for day in range(DAYS):
            clock.now = START + timedelta(days=day)
            session = ReviewSession(db, clock=clock, settings=settings)
            while (due := session.next_card()) is not None:
                card_id = due.card.id
                done = session.answer(card_id, Rating(rating_for(card_id, reps[card_id])))
                answers.append((day, due.card.state, days.day_of(done.due) - days.day_of(clock.now)))
                reps[card_id] += 1
                clock.advance(seconds=20)
        return answers
    finally:
        db.dispose()


def anki_study(tmp_path: Path, ids: list[int], easy_days: tuple[float, ...]) -> list[dict]:
    """Anki's record of 60 days of study through its own queue (anki_study.py)."""
    job = {
        "cards": ids, "start": int(START.timestamp()), "days": DAYS,
        "config": {"easy_days": list(easy_days), "new_per_day": NEW_PER_DAY},
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("anki_study.py"))],
        input=json.dumps(job), capture_output=True, text=True, env=faketime_env("UTC", tmp_path), timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def same_answers_in_studydl(db: Database, record: list[dict], easy_days: tuple[float, ...]) -> list[int]:
    """Anki's answers, at the same times, through studydl's review session: each one's due day after (from today)."""
    settings = settings_with(easy_days)
    days, clock, out = settings.study_days(), Clock(START), []
    session = None
    for answer in record:
        clock.now = datetime.fromtimestamp(answer["at"], UTC)
        if session is None or answer["at"] == record[0]["at"] or clock.now.date() != session._started.date():
            session = ReviewSession(db, clock=clock, settings=settings)
        session.due_card(answer["card_id"])
        done = session.answer(answer["card_id"], Rating(answer["rating"]))
        out.append(days.day_of(done.due) - days.day_of(clock.now))
    return out


def sunday_share(answers: list[tuple[int, int]]) -> float:
    """The share of the reviews (answers to cards that were review cards) given on Sundays."""
    reviews = [day for day, state in answers if state == int(CardState.REVIEW)]
    return sum(1 for day in reviews if (START + timedelta(days=day)).weekday() == 6) / len(reviews)


@pytest.mark.slow
@pytest.mark.skipif(not anki_available() and not os.environ.get("CI"), reason="needs the anki package and libfaketime")
def test_sixty_days_with_minimum_sundays_put_at_most_ankis_share_of_reviews_on_sundays(tmp_path: Path) -> None:
    """Anki studies 60 days through its own queue, Easy Days Minimum on Sundays; studydl answers the same cards at
    the same times and gives every one the same due day, so its study puts exactly Anki's share of reviews on
    Sundays. studydl's own 60 days (its own queue and order) land within a few reviews of it, and far below the
    share with every day Normal."""
    db, ids = study_deck(tmp_path, "replayed")
    try:
        record = anki_study(tmp_path, ids, SUNDAY_MINIMUM)
        ours = same_answers_in_studydl(db, record, SUNDAY_MINIMUM)
    finally:
        db.dispose()
    theirs = [a["after"][2] - a["after"][3] if a["after"][1] in (2, 3) else None for a in record]
    compared = [(mine, anki) for mine, anki in zip(ours, theirs, strict=True) if anki is not None]
    assert len(compared) > 1000 and all(mine == anki for mine, anki in compared)
    anki_share = sunday_share([(a["day"], a["type"]) for a in record])
    # the same reviews fall due on the same days: count where studydl put them
    placed = Counter((a["day"] + due) % 7 for a, due in zip(record, ours, strict=True) if a["after"][1] == 2)
    anki_placed = Counter((a["day"] + due) % 7 for a, due in zip(record, theirs, strict=True) if due is not None and a["after"][1] == 2)
    assert placed[6] <= anki_placed[6]
    own = studydl_study(tmp_path, SUNDAY_MINIMUM)
    normal = studydl_study(tmp_path, (1.0,) * 7)
    mine, plain = sunday_share([(d, s) for d, s, _ in own]), sunday_share([(d, s) for d, s, _ in normal])
    print(f"reviews on Sundays: Anki's study {anki_share:.1%} (studydl the same answers: every due day equal, "
          f"{len(compared)} compared); studydl's own study {mine:.1%}, with every day Normal {plain:.1%}")
    assert anki_share < plain / 2 and mine < plain / 2


def test_easy_days_modifiers_are_ankis() -> None:
    """Anki's `calculate_easy_days_modifiers`: a Minimum day all but closed, a Reduced day closed once it holds more than half the average."""
    loads = (1.0, 0.5, 0.0, 1.0, 1.0, 1.0, 1.0)
    assert easy_days_modifiers(loads, [0, 1, 2], [4, 1, 3]) == pytest.approx([1.0, 1.0, 0.0001])
    assert easy_days_modifiers(loads, [0, 1, 2], [4, 4, 1]) == pytest.approx([1.0, 0.0001, 0.0001])
    siblings = sibling_modifiers([5], 3, 8)
    assert siblings == pytest.approx([0.4, 0.2, 0.000001, 0.2, 0.4, 0.6])
    # an empty day takes the card whatever its load; otherwise the emptier, earlier day wins
    assert select_weighted_interval([(5, 3, 1.0, 1.0), (6, 0, 1.0, 0.0001)], 0.01) == 6
    assert select_weighted_interval([(5, 1, 1.0, 1.0), (6, 9, 1.0, 1.0)], 0.99) == 5


def test_rescheduling_moves_due_dates_away_from_minimum_days(db, write_deck, clock) -> None:
    """Existing due dates stay when options change; rescheduling draws them as Anki's rescheduler, with Easy Days."""
    text = "---\ndeck: Many\n---\n\n" + "\n\n".join(f"Q: Question {i}?\nA: Answer {i}." for i in range(120))
    assert sync_decks(db, [write_deck("many.md", text)], clock=lambda: clock.now - timedelta(days=400)).ok
    many = card_ids(db)
    rows = simulated_log(many, 5, clock.now - timedelta(days=60))
    with db.write() as s:
        s.execute(insert(ReviewRow), rows)
        for card_id in many:  # each card as its log left it
            last = [r for r in rows if r["card_id"] == card_id][-1]["state_after"]
            s.execute(update(CardRow).where(CardRow.id == card_id).values(**Memory.from_dict(json.loads(last)).columns()))
    before = {c: stored_memory(db, c).due for c in many}
    days = Settings(timezone="UTC").study_days()
    sundays = {}
    for loads in ((1.0,) * 7, SUNDAY_MINIMUM):
        result = recompute_memory_states(db, Settings(timezone="UTC", easy_days=loads), reschedule=True, now=clock.now)
        assert result.rescheduled > 50
        future = [m.due for c in many if (m := stored_memory(db, c)).state == CardState.REVIEW and m.due > clock.now]
        sundays[loads] = sum(1 for due in future if days.date_of(due).weekday() == 6)
    assert sundays[SUNDAY_MINIMUM] < sundays[(1.0,) * 7]
    assert any(stored_memory(db, c).due != before[c] for c in many)
