"""A card copied to another file, then deleted from the first: its history goes to the copy.

Saving the copy first (one sync) makes the copy a new card beside the original;
deleting the original later (another sync) would retire the original with its
history and leave the copy new. So a card with history that leaves its file
takes the place of a copy of it made since: a card in a deck not in this sync,
never answered, of the same kind, whose question is the same question by the rule
that pairs every edit and restores a retired card (`evidence.same_question`: equal,
or retyped), so a move keeps its history or not whichever file is saved first.
The copy's row goes (it has no history); the original moves into its place and
takes every field the copy's text carries (`card_columns.TEXT_COLUMNS`). One copy
only: with two or more, which one is the card is a guess, and the original is
retired instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from studydl.decks.card_columns import TEXT_COLUMNS
from studydl.decks.evidence import fold, same_question
from studydl.decks.identity import MAX_PAIRS
from studydl.store.models import CardRow, ReviewRow


def adopt_copies(session: Session, leaving: list[CardRow], affected: Collection[int], now: datetime) -> list[CardRow]:
    """Move each leaving card with history into its only unanswered copy elsewhere; returns those moved."""
    originals = [row for row in leaving if row.reps or row.state]
    if not originals:
        return []
    copies = session.execute(
        select(CardRow.id, CardRow.kind, CardRow.question).where(
            CardRow.retired.is_(False),
            CardRow.state == 0,
            CardRow.reps == 0,
            CardRow.deck_id.not_in(list(affected)),
            CardRow.kind.in_({row.kind for row in originals}),
            ~select(ReviewRow.id).where(ReviewRow.card_id == CardRow.id).exists(),
        )
    ).all()
    if not copies:
        return []
    of_original = _copies_of(originals, copies)
    claimed: dict[int, int] = defaultdict(int)
    for found in of_original.values():
        for copy_id in found:
            claimed[copy_id] += 1
    moved = []
    for original in originals:
        found = of_original.get(original.id, [])
        if len(found) != 1 or claimed[found[0]] != 1:
            continue
        copy = session.get(CardRow, found[0])
        values = {name: getattr(copy, name) for name in TEXT_COLUMNS}
        uid = copy.uid if copy.explicit else None
        session.delete(copy)
        session.flush()
        for name, value in values.items():
            setattr(original, name, value)
        if uid is not None:
            original.uid, original.explicit = uid, True
        original.retired = False
        original.updated_at = now
        moved.append(original)
    return moved


def _copies_of(originals: list[CardRow], copies: list) -> dict[int, list[int]]:
    """Each original's copies (ids): the same kind and the same question. Past MAX_PAIRS
    comparisons (a large deck deleted beside many new cards), only equal questions count."""
    out: dict[int, list[int]] = defaultdict(list)
    if len(originals) * len(copies) > MAX_PAIRS:
        exact: dict[tuple[str, str], list[int]] = defaultdict(list)
        for copy_id, kind, question in copies:
            exact[(kind, fold(question))].append(copy_id)
        for original in originals:
            out[original.id] = exact.get((original.kind, fold(original.question)), [])
        return out
    for original in originals:
        out[original.id] = [
            copy_id for copy_id, kind, question in copies if kind == original.kind and same_question(original.question, question)
        ]
    return out
