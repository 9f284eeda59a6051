"""A card copied to another file, then deleted from the first: its history goes to the copy.

Saving the copy first (one sync) makes the copy a new card beside the original;
deleting the original later (another sync) would retire the original with its
history and leave the copy new. So a card with history that leaves its file
takes the place of a copy of it made since: a card in a deck not in this sync,
never answered, of the same kind with the same question. The copy's row goes
(it has no history); the original moves into its place. One copy only: with two
or more, which one is the card is a guess, and the original is retired instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from studydl.decks.evidence import fold
from studydl.store.models import CardRow, ReviewRow

TAKEN_OVER = (
    "deck_id", "section", "kind", "ordinal", "question", "answer", "content_hash",
    "source_line", "demo_id", "tags", "note_uid",
)  # fmt: skip
"""What the original takes from its copy: everything about where and what the card is now."""


def adopt_copies(session: Session, leaving: list[CardRow], affected: Collection[int], now: datetime) -> list[CardRow]:
    """Move each leaving card with history into its only unanswered copy elsewhere; returns those moved."""
    originals = [row for row in leaving if row.reps or row.state]
    if not originals:
        return []
    copies = session.scalars(
        select(CardRow).where(
            CardRow.retired.is_(False),
            CardRow.state == 0,
            CardRow.reps == 0,
            CardRow.deck_id.not_in(list(affected)),
            or_(
                CardRow.content_hash.in_([row.content_hash for row in originals]),
                CardRow.question.in_([row.question for row in originals]),
            ),
            ~select(ReviewRow.id).where(ReviewRow.card_id == CardRow.id).exists(),
        )
    ).all()
    if not copies:
        return []
    of_original: dict[int, list[CardRow]] = defaultdict(list)
    of_copy: dict[int, list[CardRow]] = defaultdict(list)
    for original in originals:
        for copy in copies:
            if copy.kind == original.kind and (copy.content_hash == original.content_hash or fold(copy.question) == fold(original.question)):
                of_original[original.id].append(copy)
                of_copy[copy.id].append(original)
    moved = []
    for original in originals:
        found = of_original.get(original.id, [])
        if len(found) != 1 or len(of_copy[found[0].id]) != 1:
            continue
        copy = found[0]
        values = {name: getattr(copy, name) for name in TAKEN_OVER}
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
