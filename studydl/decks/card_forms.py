"""One paragraph's text into cards: `term :: definition` lines, `{{cloze}}` paragraphs, `#tags`.

Pure functions the deck reader calls for a paragraph that is not a `Q:`/`A:` card
or a details block. Each returns the cards' (kind, question, answer) and tags, or
the (line offset, message) of a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studydl.decks.cloze import ClozeError, find_clozes, mask_code_spans, render_cloze
from studydl.domain.cards import CardKind

_TRAILING_TAGS = re.compile(r"(?:\s+#[A-Za-z][\w/-]*)+\s*$")
_TAG = re.compile(r"#([A-Za-z][\w/-]*)")
TERM_SPLIT = re.compile(r"(?:^|\s)(:::?)(?=\s|$)")
"""` :: ` or ` ::: ` between a term and its definition; also at either end of a line, so
that `term ::` and `:: definition` are reported instead of read as prose."""


@dataclass
class Note:
    """Cards made from one piece of text (siblings), at a line offset in the paragraph."""

    offset: int
    cards: list[tuple[CardKind, str, str]]
    tags: tuple[str, ...] = ()


@dataclass
class ParagraphCards:
    notes: list[Note] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(line offset in the paragraph, message)."""


def strip_tags(question: str, answer: str) -> tuple[str, str, tuple[str, ...]]:
    """Take `#tag` words off the end of the card's last side."""
    target = answer if answer else question
    lines = target.split("\n")
    last = lines[-1]
    match = _TRAILING_TAGS.search(mask_code_spans(last))
    if not match or "```" in target:
        return question, answer, ()
    tags = tuple(_TAG.findall(last[match.start() :]))
    lines[-1] = last[: match.start()].rstrip()
    stripped = "\n".join(lines).strip()
    if answer:
        return question, stripped, tags
    return stripped, answer, tags


def paragraph_cards(block: list[str]) -> ParagraphCards:
    """The cards of a paragraph of `::` lines or with `{{clozes}}`; prose gives none."""
    out = ParagraphCards()
    masked = [mask_code_spans(raw) for raw in block]
    terms = [bool(TERM_SPLIT.search(m)) for m in masked]
    if all(terms):
        for offset, (raw, mask) in enumerate(zip(block, masked, strict=True)):
            _term(out, offset, raw, mask)
        return out
    if terms[0] and "{{" not in "".join(masked):
        out.problems.append(
            (terms.index(False), "not a `::` card, but in the same paragraph as one: put a blank line before prose, one card per line")
        )
        return out
    joined_masked = "\n".join(masked)
    if "{{" not in joined_masked and "}}" not in joined_masked:
        return out  # prose: not a card
    text = "\n".join(block).strip()
    try:
        clozes = find_clozes(text)
    except ClozeError as exc:
        out.problems.append((exc.line_offset, exc.message))
        return out
    if not clozes:
        return out  # a stray `}}` in prose
    body, _, tags = strip_tags(text, "")
    clozes = find_clozes(body)
    out.notes.append(Note(0, [(CardKind.CLOZE, *render_cloze(body, clozes, n)) for n in range(len(clozes))], tags))
    return out


def _term(out: ParagraphCards, offset: int, raw: str, masked: str) -> None:
    match = TERM_SPLIT.search(masked)
    assert match is not None
    marker = match.group(1)
    front = raw[: match.start()].strip()
    back = raw[match.end() :].strip()
    front, back, tags = strip_tags(front, back)
    if not front or not back:
        missing = "a term and a definition" if not front and not back else f"no term before `{marker}`" if not front else f"no definition after `{marker}`"
        out.problems.append((offset, f"`{marker}` card needs text on both sides: {missing} (write `term {marker} definition`)"))
        return
    cards = [(CardKind.TERM, front, back)]
    if marker == ":::":
        cards.append((CardKind.REVERSE, back, front))
    out.notes.append(Note(offset, cards, tags))
