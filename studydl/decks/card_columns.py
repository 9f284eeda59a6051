"""The columns a sync writes from a card's text, in one place.

Every path that makes a stored card say what a deck file says (a sync pairing or
adding cards, a moved card taking its copy's place) writes all of these, so no
field the text carries (an `answer: typed`, a predict card's tolerance, choices,
`set:` and `vary:`) is left behind from an older text.
"""

from __future__ import annotations

from studydl.domain.cards import ParsedCard

TEXT_COLUMNS = (
    "deck_id", "section", "kind", "ordinal", "question", "answer", "content_hash",
    "source_line", "demo_id", "tags", "answer_check", "note_uid",
)  # fmt: skip
"""What a card's text and place in its file decide (its history and schedule are the rest)."""


def text_values(card: ParsedCard, deck_id: int, note_uid: str) -> tuple:
    """The TEXT_COLUMNS of a card read from a deck file, in that order."""
    return (
        deck_id, card.section, str(card.kind), card.ordinal, card.question, card.answer, card.content_hash,
        card.line, card.demo_id, " ".join(card.tags), card.check.to_json(), note_uid,
    )  # fmt: skip


def text_fields(card: ParsedCard, deck_id: int, note_uid: str) -> dict:
    """The TEXT_COLUMNS of a card read from a deck file, and `retired` False (it is in a file)."""
    return {**dict(zip(TEXT_COLUMNS, text_values(card, deck_id, note_uid), strict=True)), "retired": False}
