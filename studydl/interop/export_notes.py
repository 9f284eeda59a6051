"""Stored cards -> notes to export: siblings joined back (a `:::` pair, a cloze paragraph)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from studydl.domain.cards import CardView


@dataclass(frozen=True)
class ExportNote:
    kind: str
    """`basic`, `term` (a one-line pair), `both` (front and back, both ways) or `cloze`."""
    front: str
    """For a cloze: the paragraph with Anki gaps `{{c1::text}}` / `{{c1::text::hint}}`."""
    back: str
    deck: str
    section: str
    tags: tuple[str, ...]
    uid: str
    """Stable: the note uid shared by the siblings, so a re-export updates the same Anki note."""
    card_ids: tuple[int, ...] = ()
    """The stored cards this note's Anki cards are, by Anki ordinal (template, or cloze number - 1)."""
    typed: bool = False
    """The learner types the answer (`answer: typed`): Anki's type-in-the-answer note types."""


def export_notes(cards: list[CardView]) -> list[ExportNote]:
    """One note per basic/term card, per `:::` pair and per cloze paragraph, in deck order.

    `cards` come in store order (deck, file, line, ordinal), so siblings are adjacent and ordered.
    """
    notes: list[ExportNote] = []
    for _key, group in groupby(cards, key=lambda c: (c.deck, c.note_uid or c.uid)):
        notes.extend(_notes_for(list(group)))
    return notes


def _notes_for(siblings: list[CardView]) -> list[ExportNote]:
    first = siblings[0]
    uid = first.note_uid or first.uid
    kinds = [c.kind for c in siblings]
    typed = all(c.check.typed for c in siblings)
    ids = tuple(c.id for c in siblings)
    if kinds == ["cloze"] * len(kinds):
        text = rebuild_cloze([(c.question, c.answer) for c in siblings])
        if text is not None:
            return [ExportNote("cloze", text, "", first.deck, first.section, first.tags, uid, ids, typed)]
    if kinds == ["term", "reverse"]:
        return [ExportNote("both", first.question, first.answer, first.deck, first.section, first.tags, uid, ids, typed)]
    return [
        ExportNote(
            "term" if c.kind == "term" else "basic",
            c.question, c.answer, c.deck, c.section, c.tags, uid if len(siblings) == 1 else f"{uid}/{c.uid}", (c.id,),
            c.check.typed,
        )
        for c in siblings
    ]


def rebuild_cloze(cards: list[tuple[str, str]]) -> str | None:
    """The paragraph with Anki gaps from its cloze cards' (question, answer) pairs, or None if they disagree.

    Card k's question shows gap k as `[...]` (or `[hint]`) and its answer as
    `**text**`, the other gaps as plain text; so what differs between the two
    is exactly gap k, and the rest is the same plain text for every k.
    """
    plain: str | None = None
    gaps: list[tuple[int, str, str | None]] = []
    for question, answer in cards:
        p = _common_prefix(question, answer)
        s = _common_suffix(question[p:], answer[p:])
        shown, hidden = answer[p : len(answer) - s], question[p : len(question) - s]
        if not (shown.startswith("**") and shown.endswith("**") and len(shown) > 4 and hidden.startswith("[") and hidden.endswith("]")):
            return None
        text = shown[2:-2]
        hint = hidden[1:-1]
        candidate = answer[:p] + text + answer[len(answer) - s :]
        if plain is not None and candidate != plain:
            return None
        plain = candidate
        gaps.append((p, text, None if hint == "..." else hint))
    if plain is None:
        return None
    out = plain
    for number, (start, text, hint) in sorted(enumerate(gaps, start=1), key=lambda g: g[1][0], reverse=True):
        marker = f"{{{{c{number}::{text}{'::' + hint if hint else ''}}}}}"
        out = out[:start] + marker + out[start + len(text) :]
    return out


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n
