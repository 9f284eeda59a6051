"""The write side of an answer and of its undo, each run inside one write transaction.

An answer reads the card inside the (BEGIN IMMEDIATE) transaction, so two processes
answering on one database never overwrite each other. The log row's `state_before`
holds the card's previous state and the previous `buried_until` of every sibling the
answer buried; undo restores exactly that and deletes the row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from studydl.domain.errors import StudyError
from studydl.domain.review import CardState, Rating
from studydl.engine import card_sql
from studydl.engine.scheduler import CardScheduler, Memory, iso_utc, parse_utc
from studydl.store.models import CardRow, ReviewRow

NEW, REVIEW = int(CardState.NEW), int(CardState.REVIEW)


@dataclass(frozen=True)
class Sibling:
    """A sibling this answer buried, as it was before."""

    id: int
    deck_id: int
    section: str
    state: int
    due: datetime | None
    buried_until: datetime | None


@dataclass(frozen=True)
class AnswerResult:
    review_id: int
    card_id: int
    deck_id: int
    section: str
    before: Memory
    after: Memory
    became_leech: bool
    buried: tuple[Sibling, ...]


class NoSuchCard(StudyError):
    """The card id is not in the store."""


def apply_answer(
    s: card_sql.Txn,
    scheduler: CardScheduler,
    card_id: int,
    rating: Rating,
    now: datetime,
    duration_ms: int | None,
    bury_until: datetime | None,
) -> AnswerResult:
    """Schedule the answer, bury siblings until `bury_until` (None: don't), append the log row."""
    con = card_sql.raw(s)
    row = card_sql.card_row(con, card_id)
    if row is None:
        raise NoSuchCard(f"no card with id {card_id}")
    before = Memory.from_row(row)
    after, became_leech = scheduler.review(card_id, before, rating, now)

    buried: list[Sibling] = []
    if bury_until is not None:
        buried = [
            Sibling(sib_id, deck_id, section, state, due, buried_until)
            for sib_id, deck_id, section, state, due, buried_until, retired in card_sql.siblings(con, row.note_uid)
            if sib_id != card_id
            and state in (NEW, REVIEW)
            and not retired
            and (buried_until is None or buried_until < bury_until)
        ]
        for sib in buried:
            card_sql.bury(con, sib.id, bury_until)

    card_sql.write_memory(con, card_id, after.columns())
    state_before = before.to_json(buried=[[b.id, iso_utc(b.buried_until)] for b in buried])
    review_id = card_sql.insert_review(con, card_id, now, int(rating), duration_ms, state_before, after.to_json())
    return AnswerResult(review_id, card_id, row.deck_id, row.section, before, after, became_leech, tuple(buried))


def undo_answer(s: Session, review_id: int) -> int | None:
    """Restore the card (and the siblings it buried) as before this answer; delete the row.

    Returns the card id, or None when the row is already gone (undone elsewhere).
    Refuses when the card was answered again since (undo the later answer first).
    """
    row = s.execute(select(ReviewRow.card_id, ReviewRow.state_before).where(ReviewRow.id == review_id)).one_or_none()
    if row is None:
        return None
    card_id, state_before = row
    newest = s.execute(select(func.max(ReviewRow.id)).where(ReviewRow.card_id == card_id)).scalar_one()
    if newest != review_id:
        raise StudyError("cannot undo: that card was answered again since (in another window?)")
    data = json.loads(state_before)
    s.execute(update(CardRow).where(CardRow.id == card_id).values(**Memory.from_dict(data).columns()))
    for sibling_id, previous in data.get("buried", []):
        s.execute(update(CardRow).where(CardRow.id == sibling_id).values(buried_until=parse_utc(previous)))
    s.execute(delete(ReviewRow).where(ReviewRow.id == review_id))
    return card_id
