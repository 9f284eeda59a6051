"""Our scheduling state and review log -> the collection genanki wrote, as Anki's "include scheduling information" has them.

genanki writes notes and new cards; this fills in what Anki's own export with
scheduling keeps (rslib import_export/package/apkg): each card's type, queue, due,
interval, ease, reps, lapses, remaining steps, flags and FSRS memory state (card
`data`: `s`, `d`, `lrt`), and the whole review log (`revlog`: id = answer time in
ms, ease = rating, ivl/lastIvl in days or negative seconds, factor = FSRS difficulty
shifted into 100-1100, time = ms taken, type). A cram answer is a filtered review
that scheduled nothing (type 3, factor 0), as Anki writes one.

Review due dates are Anki day numbers: days since the collection's creation day. The
collection is given a creation day (`crt` at the learner's day start, `rollover`, and
`creationOffset`) such that day N is the learner's study day N after it, which is how
Anki (and our import) read them back (scheduler/timing.rs).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from studydl.domain.days import StudyDays
from studydl.interop.estimates import ease_from_difficulty, revlog_factor
from studydl.interop.export_history import LoggedAnswer, StoredSchedule, json_time
from studydl.interop.export_notes import ExportNote

_LEARN, _REVIEW, _RELEARN, _FILTERED = 0, 1, 2, 3
_INT32 = 2**31 - 1


@dataclass(frozen=True)
class ScheduleExport:
    """What scheduling an export carries, and how to count its days."""

    cards: dict[int, StoredSchedule]
    """By stored card id (ExportNote.card_ids)."""
    days: StudyDays
    now: datetime
    learning_steps: int = 2
    relearning_steps: int = 1
    """How many (re)learning steps the settings have: Anki's `left` is the steps still to go."""


def write_schedule(con: sqlite3.Connection, notes: list[ExportNote], export: ScheduleExport) -> int:
    """Give the cards genanki wrote their state and add the review log; returns the revlog rows written."""
    by_guid = {_guid(note): note for note in notes}
    placed: list[tuple[int, StoredSchedule]] = []
    for anki_id, guid, ordinal in con.execute("select c.id, n.guid, c.ord from cards c join notes n on n.id = c.nid"):
        note = by_guid.get(guid)
        if note is not None and ordinal < len(note.card_ids) and note.card_ids[ordinal] in export.cards:
            placed.append((anki_id, export.cards[note.card_ids[ordinal]]))
    days = export.days
    created = min([days.day_of(export.now), *(d for _, card in placed for d in _days_named(card, days))])
    _write_col(con, days, created)
    used: set[int] = set()
    rows = 0
    for position, (anki_id, card) in enumerate(placed):
        con.execute(
            "update cards set type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, left=?, flags=?, data=? where id=?",
            (*_card_columns(card, export, created, position), anki_id),
        )
        for answer in card.answers:
            con.execute("insert into revlog values (?,?,?,?,?,?,?,?,?)", (_unique(answer, used), anki_id, -1, *_revlog(answer, days)))
            rows += 1
    return rows


def _guid(note: ExportNote) -> str:
    import genanki

    return genanki.guid_for("studydl", note.uid)


def _days_named(card: StoredSchedule, days: StudyDays) -> list[int]:
    """Every study day the card's state or log names: the collection must be older than all of them."""
    instants = [card.due, card.last_review, *(a.reviewed_at for a in card.answers)]
    return [days.day_of(at) for at in instants if at is not None]


def _write_col(con: sqlite3.Connection, days: StudyDays, created: int) -> None:
    crt = days.start_of(created)
    offset = crt.astimezone(days.zone).utcoffset()
    (conf_text,) = con.execute("select conf from col").fetchone()
    conf = json.loads(conf_text)
    conf.update(
        schedVer=2,
        rollover=days.start_hour,
        creationOffset=-int(offset.total_seconds() // 60) if offset is not None else 0,
        fsrs=True,
    )
    con.execute("update col set crt = ?, conf = ?", (int(crt.timestamp()), json.dumps(conf)))


def _card_columns(card: StoredSchedule, export: ScheduleExport, created: int, position: int) -> tuple:
    """(type, queue, due, ivl, factor, reps, lapses, left, flags, data) of one card."""
    days = export.days
    state = card.state if card.state in (1, 2, 3) and card.due is not None else 0
    flags = card.flag & 7
    if state == 0:
        return (0, -1 if card.suspended else 0, position, 0, 0, card.reps, card.lapses, 0, flags, "")
    difficulty = card.difficulty if card.difficulty is not None else 5.0
    data: dict[str, float | int] = {}
    if card.stability is not None and card.difficulty is not None:
        data |= {"s": card.stability, "d": card.difficulty}
    if card.last_review is not None:
        data["lrt"] = int(card.last_review.timestamp())
    due_day = days.day_of(card.due)
    if state == 2:
        ivl = due_day - days.day_of(card.last_review) if card.last_review is not None else round(card.stability or 1)
        queue, due, left = 2, due_day - created, 0
    else:
        steps = export.learning_steps if state == 1 else export.relearning_steps
        ivl = round(card.stability or 1) if state == 3 else 0
        queue, due, left = 1, int(card.due.timestamp()), max(1, steps - (card.step or 0))
    queue = -1 if card.suspended else queue
    return (state, queue, due, max(ivl, 1) if state != 1 else 0, ease_from_difficulty(difficulty), card.reps, card.lapses, left, flags,
            json.dumps(data, separators=(",", ":")))


def _unique(answer: LoggedAnswer, used: set[int]) -> int:
    """The answer's time in ms, moved on by a millisecond while another row has it (Anki keeps one row per id)."""
    at = int(answer.reviewed_at.timestamp() * 1000)
    while at in used:
        at += 1
    used.add(at)
    return at


def _revlog(answer: LoggedAnswer, days: StudyDays) -> tuple:
    """(ease, ivl, lastIvl, factor, time, type) of one answer."""
    before_state = answer.before.get("state") or 0
    cram = answer.kind == "cram"
    kind = _FILTERED if cram else {2: _REVIEW, 3: _RELEARN}.get(before_state, _LEARN)
    after = answer.before if cram else answer.after
    difficulty = after.get("difficulty")
    factor = 0 if cram or not isinstance(difficulty, int | float) else revlog_factor(difficulty)
    time = min(max(answer.duration_ms or 0, 0), _INT32)
    return (answer.rating, _interval(after, days), _interval(answer.before, days), factor, time, kind)


def _interval(state: dict, days: StudyDays) -> int:
    """Anki's revlog interval for a state: whole days for a review card, minus the seconds to its due otherwise."""
    due, last = json_time(state, "due"), json_time(state, "last_review")
    if due is None or last is None or not state.get("state"):
        return 0
    if state["state"] == 2:
        return max(1, days.day_of(due) - days.day_of(last))
    return -min(max(int((due - last).total_seconds()), 1), _INT32)
