"""Obsidian Spaced Repetition scheduling comments, read as the plugin reads them (issue 21.13).

The plugin (st3v3nmw/obsidian-spaced-repetition, src/utils/comment-parser.ts) takes the
first `<!--SR:...-->` of a card, splits it at `!` into one segment per card, and reads
each segment as `fsrs,due,interval,stability,difficulty,state,reps,lapses,learning step,
last review` or as `due,interval,ease`; the due date 2000-01-01 marks a sibling not yet
studied. Due dates are the learner's: here New York with a 4 am day start.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from studydl.domain.days import StudyDays
from studydl.engine.settings import save_setting
from studydl.home import Home
from studydl.interop.importer import ImportOptions, read_source
from studydl.interop.obsidian_sr import NEW
from studydl.store.models import CardRow

NY = ZoneInfo("America/New_York")
DAYS = StudyDays(NY, 4)


def _ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def _schedules(tmp_path: Path, text: str, days: StudyDays = DAYS) -> dict[str, list]:
    path = tmp_path / "note.md"
    path.write_text("#flashcards\n\n" + text, encoding="utf-8")
    result = read_source(path, ImportOptions(format="obsidian", days=days))
    return {card.front: [card.history[n].schedule if n in card.history else None for n in range(3)] for card in result.cards}


def test_the_older_comment_without_a_bang_is_a_review_card_due_at_the_start_of_the_learners_day(tmp_path: Path) -> None:
    (clip, *_), = _schedules(tmp_path, "Gradient clipping::caps the gradient norm <!--SR:2021-08-11,4,270-->\n").values()
    assert (clip.state, clip.due, clip.last_review) == (2, _ny(2021, 8, 11, 4), _ny(2021, 8, 7, 4))  # not UTC midnight
    # The plugin's own SM-2 -> FSRS reading (fsrs-helpers.ts): stability = interval,
    # difficulty 10 - 9 x (ease - 130) / 240, reps round(log2(interval + 1)).
    assert (clip.stability, clip.difficulty, clip.reps, clip.lapses) == (4.0, 4.75, round(math.log2(5)), 0)


def test_the_fsrs_form_carries_stability_and_difficulty_exactly(tmp_path: Path) -> None:
    cards = _schedules(
        tmp_path,
        "Learning::a card in its first step <!--SR:!fsrs,2023-09-06T00:10:00.000Z,0,0.4,5.5,1,1,0,1,2023-09-06T00:00:00.000Z-->\n"
        "Review::a card in review <!--SR:!fsrs,2023-09-16T14:10:00.000Z,10,12.3456789,4.321,2,5,1,0,2023-09-06T14:10:00.000Z-->\n",
    )
    learning, review = cards["Learning"][0], cards["Review"][0]
    assert (learning.state, learning.due, learning.stability, learning.difficulty) == (1, datetime(2023, 9, 6, 0, 10, tzinfo=UTC), 0.4, 5.5)
    assert (learning.reps, learning.lapses, learning.step, learning.last_review) == (1, 0, 1, datetime(2023, 9, 6, tzinfo=UTC))
    assert (review.state, review.stability, review.difficulty, review.reps, review.lapses, review.step) == (2, 12.3456789, 4.321, 5, 1, None)
    assert review.due == _ny(2023, 9, 16, 4)  # a review card is due from the start of its study day, as the engine's own
    assert review.last_review == datetime(2023, 9, 6, 14, 10, tzinfo=UTC)


def test_the_placeholder_for_a_sibling_not_yet_studied_is_a_new_card(tmp_path: Path) -> None:
    cards = _schedules(
        tmp_path,
        "Sigmoid:::squashes into (0, 1) <!--SR:!2000-01-01,1,250!2024-08-11,6,270-->\n\n"
        "The ==forget== gate, the ==input== gate and the ==output== gate.\n"
        "<!--SR:!fsrs,2024-08-20T12:00:00.000Z,9,9.5,6.25,2,3,0,0,2024-08-11T12:00:00.000Z!2000-01-01,1,250!11-08-2024,6,270-->\n",
    )
    forward, backward, _ = cards["Sigmoid"]
    assert (forward.state, forward.due) == (0, None)
    assert (backward.state, backward.due) == (2, _ny(2024, 8, 11, 4))
    first, second, third = next(v for k, v in cards.items() if "gate" in k)
    assert (first.state, first.stability, first.due) == (2, 9.5, _ny(2024, 8, 20, 4))
    assert (second.state, second.due) == (0, None)
    assert (third.state, third.due) == (2, _ny(2024, 8, 11, 4))  # DD-MM-YYYY, one of the plugin's date formats


def test_dates_in_every_format_the_plugin_accepts(tmp_path: Path) -> None:
    cards = _schedules(
        tmp_path,
        "A::a <!--SR:!2024-08-11,6,270-->\nB::b <!--SR:!11-08-2024,6,270-->\nC::c <!--SR:!Sun Aug 11 2024,6,270-->\n",
    )
    assert {front: s[0].due for front, s in cards.items()} == {k: _ny(2024, 8, 11, 4) for k in "ABC"}


def test_imported_into_the_store_the_placeholder_card_is_new_and_dates_are_the_learners(tmp_path: Path, home: Home, run) -> None:
    db = home.open_db()
    save_setting(db, "timezone", "America/New_York")
    db.dispose()
    note = tmp_path / "acts.md"
    note.write_text(
        "#flashcards\n\nSigmoid:::squashes into (0, 1) <!--SR:!2000-01-01,1,250!2024-08-11,6,270-->\n\n"
        "Tanh::zero-centred <!--SR:!fsrs,2024-08-20T12:00:00.000Z,9,9.5,6.25,2,3,0,0,2024-08-11T12:00:00.000Z-->\n",
        encoding="utf-8",
    )
    assert run("import", str(note)).exit_code == 0
    db = home.open_db()
    try:
        with db.read() as s:
            rows = {r.question: r for r in s.scalars(select(CardRow))}
    finally:
        db.dispose()
    assert (rows["Sigmoid"].state, rows["Sigmoid"].due) == (0, None)
    assert (rows["squashes into (0, 1)"].state, rows["squashes into (0, 1)"].due) == (2, _ny(2024, 8, 11, 4))
    assert (rows["Tanh"].stability, rows["Tanh"].difficulty, rows["Tanh"].reps, rows["Tanh"].due) == (9.5, 6.25, 3, _ny(2024, 8, 20, 4))


def test_dates_outside_the_calendar_leave_the_card_new(tmp_path: Path) -> None:
    cards = _schedules(
        tmp_path,
        "A::a <!--SR:!0001-01-02,99999999,250-->\nB::b <!--SR:!fsrs,9999-12-31T23:00:00.000Z,1,3.5,5,2,1,0,0,-->\n",
        StudyDays(ZoneInfo("Pacific/Kiritimati"), 4),  # UTC+14: 31 Dec 9999 23:00 UTC is in the year 10000 there
    )
    assert {front: s[0] for front, s in cards.items()} == {"A": NEW, "B": NEW}
