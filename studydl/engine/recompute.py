"""Memory states recomputed from the review log, as Anki's "Reschedule cards on change" does.

For every card with answers, its ratings and the study days between them go through
FSRS answer by answer, from the stored (rounded) state each time, exactly as the
answers themselves did: the result equals what `history.replay` gives, so a recomputed
card and a replayed one never disagree. (Anki's own recompute runs the same history
through FSRS in one batch without the per-answer rounding; the two agree to within
about 1e-4 of the stability.) With `reschedule`, review cards also get a new due date: FSRS's interval for
the new stability, counted from the study day of the last review, under Anki's rules
(never below the previous interval unless FSRS shrank it beyond fuzz; fuzz seeded as
at the last answer; with the load balancer on, drawn as Anki's rescheduler draws it,
Easy Days included: `rescheduler.py`).

Used after `studydl optimize` (when asked) and once after upgrading a database whose
memory states were computed before scheduling counted study days (migration 0005).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from studydl.domain.review import CardState, Rating
from studydl.engine import card_sql, fuzz
from studydl.engine.fsrs_model import FsrsModel, MemoryState
from studydl.engine.history import starting_memory
from studydl.engine.rescheduler import Rescheduler
from studydl.engine.scheduler import Memory, stored_difficulty, stored_stability
from studydl.engine.settings import RECOMPUTE_PENDING, Settings
from studydl.store.db import Database
from studydl.store.hot import HotSQL


@dataclass
class CardLog:
    """One card's answers, oldest first, and the state the first one found it in."""

    card_id: int
    start: Memory
    answers: list[tuple[datetime, int]] = field(default_factory=list)
    last_before: str | None = None
    """The last answer's `state_before` JSON (the interval it replaced)."""


def read_logs(con: HotSQL) -> Iterator[CardLog]:
    """Every card's scheduled answers, card by card (one ordered pass over the review log).

    Cram answers are left out, as Anki's FSRS leaves out filtered reviews with rescheduling off.
    """
    rows = con.execute(
        "SELECT card_id, reviewed_at, rating, state_before FROM review_log WHERE kind = 'scheduled'"
        " ORDER BY card_id, reviewed_at, id"
    )
    current: CardLog | None = None
    for card_id, reviewed_at, rating, state_before in rows:
        if current is None or current.card_id != card_id:
            if current is not None:
                yield current
            current = CardLog(card_id, starting_memory(state_before))
        current.answers.append((con.from_db(reviewed_at), int(rating)))
        current.last_before = state_before
    if current is not None:
        yield current


def item_reviews(log: CardLog, days) -> list[tuple[int, int]]:  # noqa: ANN001 - StudyDays
    """(rating, study days since the previous answer) for each answer; 0 before the first of a new card."""
    previous = log.start.last_review
    out = []
    for at, rating in log.answers:
        out.append((rating, max(0, revlog_day(days, at) - revlog_day(days, previous)) if previous is not None else 0))
        previous = at
    return out


def revlog_day(days, at: datetime) -> int:  # noqa: ANN001 - StudyDays
    """The study day Anki's FSRS items put an answer in: `(next_day_at - secs) / 86_400` on whole
    seconds (rslib scheduler/fsrs/params.rs, `days_elapsed`) counts the rollover's own second
    (04:00:00.xxx) in the day before, where a live answer's day has already changed."""
    return days.day_of(at.replace(microsecond=0) - timedelta(seconds=1))


@dataclass(frozen=True)
class RecomputeResult:
    cards: int
    """Cards whose memory state was recomputed."""
    rescheduled: int
    """Review cards given a new due date (with `reschedule`)."""


def _new_due(
    log: CardLog, memory: Memory, model: FsrsModel, settings: Settings, days, rescheduler: Rescheduler | None  # noqa: ANN001
) -> datetime | None:
    """A review card's due date for its recomputed stability (Anki's reschedule; Easy Days with the load balancer)."""
    if memory.stability is None or memory.last_review is None:
        return None
    maximum = max(1, settings.maximum_interval)
    interval = model.next_interval(memory.stability)
    previous = 0
    if log.last_before and log.answers[-1][1] > int(Rating.AGAIN):
        before = Memory.from_dict(json.loads(log.last_before))
        if before.state == CardState.REVIEW and before.due is not None and before.last_review is not None:
            previous = max(0, days.day_of(before.due) - days.day_of(before.last_review))
    minimum = min(max(fuzz.minimum_review_fuzz_interval(interval, previous, maximum), 1), maximum)
    factor = fuzz.fuzz_factor(log.card_id, max(0, memory.reps - 1)) if settings.fuzz else None
    last_day = days.day_of(memory.last_review)
    ivl = None
    if rescheduler is not None and factor is not None:
        elapsed = max(0, rescheduler.today - last_day)
        ivl = rescheduler.find_interval(interval, minimum, maximum, elapsed, settings.preset, factor)
    if ivl is None:
        ivl = fuzz.with_review_fuzz(factor, interval, minimum, maximum)
    if rescheduler is not None:
        rescheduler.moved(settings.preset, days.day_of(memory.due) if memory.due is not None else None, last_day + ivl)
    return days.start_of(last_day + ivl)


def card_decks(con: HotSQL) -> dict[int, str]:
    """Card id -> the name of its deck."""
    return dict(con.execute("SELECT cards.id, decks.name FROM cards JOIN decks ON decks.id = cards.deck_id").fetchall())


def recompute_in(
    con: HotSQL, settings: Settings, *, reschedule: bool = False, cards: set[int] | None = None,
    now: datetime | None = None,
) -> RecomputeResult:
    """`recompute_memory_states` inside a write transaction already begun on `con` (of `cards` only, if given).

    Each card with its deck's preset (parameters, retention, maximum interval, Easy Days).
    """
    days = settings.study_days()
    balanced = reschedule and settings.load_balancer and settings.fuzz
    rescheduler = Rescheduler(con, settings, now or datetime.now(UTC)) if balanced else None
    decks = card_decks(con)
    views: dict[str, tuple[Settings, FsrsModel]] = {}
    logs = [log for log in read_logs(con) if cards is None or log.card_id in cards]
    rescheduled = 0
    for log in logs:
        deck = decks.get(log.card_id, "")
        if deck not in views:
            view = settings.for_deck(deck)
            views[deck] = (view, FsrsModel(view.parameters, view.desired_retention))
        card_settings, model = views[deck]
        state = log.start.memory_state
        for rating, elapsed in item_reviews(log, days):
            found = model.next_states(state, elapsed).by_rating(rating).memory
            state = MemoryState(stored_stability(found.stability), stored_difficulty(found.difficulty))
        assert state is not None
        values: dict[str, object] = {"stability": state.stability, "difficulty": state.difficulty}
        if reschedule:
            row = card_sql.card_row(con, log.card_id)
            if row is not None and row.state == int(CardState.REVIEW) and not row.suspended:
                memory = Memory.from_row(row)
                due = _new_due(log, replace(memory, stability=state.stability), model, card_settings, days, rescheduler)
                if due is not None:
                    values["due"] = due
                    rescheduled += 1
        card_sql.write_memory(con, log.card_id, values)
    return RecomputeResult(len(logs), rescheduled)


def recompute_memory_states(
    db: Database, settings: Settings, *, reschedule: bool = False, cards: set[int] | None = None,
    now: datetime | None = None,
) -> RecomputeResult:
    """Recompute every answered card's (of `cards`, if given) stability and difficulty from its log (and due dates, with `reschedule`)."""
    with db.raw_write() as con:
        return recompute_in(con, settings, reschedule=reschedule, cards=cards, now=now)


def finish_upgrade(db: Database, settings: Settings) -> RecomputeResult | None:
    """Recompute memory states once after migration 0005 marked them stale; None if already done."""
    with db.raw_write() as con:
        if con.execute("SELECT 1 FROM settings WHERE key = ?", (RECOMPUTE_PENDING,)).fetchone() is None:
            return None
        result = recompute_in(con, settings)
        con.execute("DELETE FROM settings WHERE key = ?", (RECOMPUTE_PENDING,))
        return result
