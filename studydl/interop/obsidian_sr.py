"""The Obsidian Spaced Repetition plugin's scheduling comments -> our schedules, read as the plugin reads them.

From the plugin's source (st3v3nmw/obsidian-spaced-repetition: src/utils/comment-parser.ts,
src/scheduling/algorithms/fsrs/fsrs-helpers.ts, .../osr/rep-item-schedule-info-osr.ts):

- `<!--SR:...-->` holds one segment per card (siblings in order), split at `!`;
  the older form has no `!` before its only segment (`<!--SR:2021-08-11,4,270-->`).
- `fsrs,due,interval,stability,difficulty,state,reps,lapses,learning step,last review`
  (ISO timestamps, `-` for none; state 0 new, 1 learning, 2 review, 3 relearning, as ours).
- `due,interval,ease`: SM-2; the due date in `YYYY-MM-DD`, `DD-MM-YYYY` or
  `ddd MMM DD YYYY`, local; `2000-01-01` marks a sibling not yet studied (a new card).

A date is the learner's: a due day begins at their study day's start (StudyDays). An
SM-2 segment becomes FSRS state as the plugin converts one (`sm2ScheduleToFsrsCard`).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

from studydl.domain.days import StudyDays
from studydl.interop.estimates import MIN_STABILITY
from studydl.interop.result import Schedule

NEW = Schedule(state=0, due=None)
PLACEHOLDER = date(2000, 1, 1)
"""RepItemScheduleInfoOsr.dummyDueDateForNewCard."""
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%a %b %d %Y")
"""The plugin's ALLOWED_DATE_FORMATS (moment's YYYY-MM-DD, DD-MM-YYYY, ddd MMM DD YYYY)."""
_INT = re.compile(r"\s*([+-]?\d+)")
_LEGACY_MIN_EASE, _LEGACY_MAX_EASE = 130, 370


def read_comment(body: str, days: StudyDays) -> list[Schedule]:
    """The schedules of one comment's body (what is between `<!--SR:` and `-->`), one per card in order."""
    return [read_segment(segment.strip(), days) for segment in body.split("!") if segment.strip()]


def read_segment(segment: str, days: StudyDays) -> Schedule:
    """One card's schedule; a segment the plugin would not read (or the placeholder) is a new card.

    So is one whose dates fall outside the calendar (year 1 - 9999) once counted.
    """
    try:
        return _segment(segment, days)
    except (ValueError, OverflowError):
        return NEW


def _segment(segment: str, days: StudyDays) -> Schedule:
    fields = segment.split(",")
    if fields[0] == "fsrs":
        return _fsrs(fields[1:], days)
    if len(fields) < 3:
        return NEW
    due, interval, ease = _date(fields[0]), _int(fields[1]), _int(fields[2])
    if due is None or due == PLACEHOLDER or interval is None:
        return NEW
    return _sm2(due, interval, ease, days)


def _sm2(due: date, interval: int, ease: int | None, days: StudyDays) -> Schedule:
    """sm2ScheduleToFsrsCard: stability = the interval, difficulty from the ease, reps from the interval."""
    interval = max(1, interval)
    day = days.day_of_date(due)
    return Schedule(
        state=2,
        due=days.start_of(day),
        stability=max(MIN_STABILITY, float(interval)),
        difficulty=ease_to_difficulty(ease),
        last_review=days.start_of(day - interval),
        reps=max(1, round(math.log2(interval + 1))),
    )


def ease_to_difficulty(ease: int | None) -> float:
    """The plugin's easeToDifficulty: ease 130..370 % onto difficulty 10..1 (5.5 without an ease)."""
    if ease is None:
        return 5.5
    clamped = min(max(ease, _LEGACY_MIN_EASE), _LEGACY_MAX_EASE)
    return min(10.0, max(1.0, 10 - (clamped - _LEGACY_MIN_EASE) / (_LEGACY_MAX_EASE - _LEGACY_MIN_EASE) * 9))


def _fsrs(fields: list[str], days: StudyDays) -> Schedule:
    fields = fields + [""] * (9 - len(fields))
    due, _interval, stability, difficulty, state, reps, lapses, step, last = fields[:9]
    due_at, state_n = _instant(due, days), _int(state)
    s, d = _float(stability), _float(difficulty)
    if due_at is None or state_n not in (1, 2, 3) or s is None or d is None:
        return NEW  # a bad due date is no schedule for the plugin either; state 0 is a new card
    return Schedule(
        state=state_n,
        due=days.start_of(days.day_of(due_at)) if state_n == 2 else due_at,
        stability=max(s, MIN_STABILITY),
        difficulty=min(10.0, max(1.0, d)),
        last_review=_instant(last, days),
        reps=max(_int(reps) or 0, 0),
        lapses=max(_int(lapses) or 0, 0),
        step=max(_int(step) or 0, 0) if state_n in (1, 3) else None,
    )


def _date(text: str) -> date | None:
    text = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _instant(text: str, days: StudyDays) -> datetime | None:
    """An ISO timestamp (the plugin writes UTC with `Z`; one without a zone is local, as moment reads it)."""
    text = text.strip()
    if not text or text == "-":
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=days.zone)).astimezone(UTC)


def _int(text: str) -> int | None:
    """JavaScript's parseInt: the leading digits."""
    match = _INT.match(text)
    return int(match.group(1)) if match else None


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
