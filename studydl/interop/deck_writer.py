"""Imported cards -> the text of one deck file that our parser reads back with zero errors.

Each card is written in the plainest form that holds it: `term :: definition`
(or `:::`) when the source had a one-line pair and it fits on one line, a
`Q:`/`A:` block otherwise, a paragraph with `{{gaps}}` for a cloze. The text is
then parsed; a block the parser still refuses (a duplicate, an escaping case we
missed) is dropped and reported as skipped, so the written file always parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from studydl.decks.cloze import ClozeError, find_clozes
from studydl.decks.parser import parse_text
from studydl.domain.cards import ParsedCard, ParsedDeck
from studydl.interop.md_escape import (
    escape_line,
    escape_term_separators,
    escape_trailing_tags,
    has_term_separator,
    inline_code,
    is_fence,
)
from studydl.interop.result import ImportedCard, ImportResult, Skipped

_TAG_OK = re.compile(r"^[^\s,#][^\s,]*$")


@dataclass(frozen=True)
class Link:
    """Imported card `card` ordinal `ordinal` became `parsed` in the written deck."""

    card: int
    ordinal: int
    parsed: ParsedCard


@dataclass
class WrittenDeck:
    text: str
    parsed: ParsedDeck
    links: list[Link] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class _Block:
    card: int
    ordinals: tuple[int, ...]
    """Source ordinals this block holds, in the order its parsed cards come out."""
    lines: list[str]
    line: int = 0


def slug(name: str) -> str:
    """A file name stem for a deck name: `Deep Learning: CNNs` -> `deep-learning-cnns`."""
    text = re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-_")
    return text[:80] or "imported"


def write_deck(result: ImportResult, path: Path, header: str = "") -> WrittenDeck:
    """The deck text for `result`, parsed back, with each imported card linked to the card(s) it made."""
    blocks = _blocks(result)
    skipped: list[Skipped] = []
    for _attempt in range(5):
        text = _render(result, blocks, header)
        deck = parse_text(path, text)
        if deck.ok:
            break
        bad = {problem.line: problem.message for problem in deck.errors}
        keep: list[_Block] = []
        for block in blocks:
            span = range(block.line, block.line + len(block.lines))
            message = next((bad[n] for n in span if n in bad), None)
            if message is None:
                keep.append(block)
                continue
            card = result.cards[block.card]
            reason = re.sub(r"at line \d+", "earlier in this file", message)
            skipped.append(Skipped(result.path, card.line, reason, card.where))
        if len(keep) == len(blocks):  # an error outside any card block: give up loudly
            raise AssertionError(f"deck writer produced an unparsable deck: {deck.errors[0]}")
        blocks = keep
    else:  # pragma: no cover - each round drops at least one block
        raise AssertionError("deck writer did not converge")
    return WrittenDeck(text, deck, _link(blocks, deck), skipped)


def _link(blocks: list[_Block], deck: ParsedDeck) -> list[Link]:
    by_line: dict[int, list[ParsedCard]] = {}
    for card in deck.cards:
        by_line.setdefault(card.line, []).append(card)
    links: list[Link] = []
    for block in blocks:
        made = sorted(by_line.get(block.line, []), key=lambda c: c.ordinal)
        for ordinal, parsed in zip(block.ordinals, made, strict=False):
            links.append(Link(block.card, ordinal, parsed))
        if len(made) > len(block.ordinals):  # cloze gaps beyond what the source counted
            links.extend(Link(block.card, n, made[n]) for n in range(len(block.ordinals), len(made)))
    return links


# ------------------------------------------------------------ rendering


def _render(result: ImportResult, blocks: list[_Block], header: str) -> str:
    lines: list[str] = ["---"]
    meta: dict[str, object] = {"deck": result.deck_name}
    tags = [t for t in result.deck_tags if _TAG_OK.match(t)]
    if tags:
        meta["tags"] = tags
    lines.extend(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip().split("\n"))
    lines.append("---")
    if header:
        lines += ["", f"<!-- {header.replace('--', '- -')} -->"]
    current: list[str] = []
    for block in blocks:
        section = [part for part in (p.strip() for p in result.cards[block.card].section.split(" / ")) if part]
        if section != current:
            common = 0
            while common < min(len(section), len(current)) and section[common] == current[common]:
                common += 1
            if common == len(section) and section:  # going back up to a parent: repeat its heading
                common -= 1
            for depth in range(common, len(section)):
                lines += ["", f"{'#' * min(depth + 1, 6)} {_heading(section[depth])}"]
            current = section
        lines.append("")
        block.line = len(lines) + 1
        lines.extend(block.lines)
    return "\n".join(lines) + "\n"


def _heading(title: str) -> str:
    text = " ".join(title.split()).rstrip("#").strip()
    return escape_line(text) if text else "Untitled"


def _blocks(result: ImportResult) -> list[_Block]:
    order: dict[str, int] = {}
    for card in result.cards:
        order.setdefault(card.section, len(order))
    # Cards without a section must come before the first heading; then sections in order of appearance.
    indexed = sorted(range(len(result.cards)), key=lambda i: (bool(result.cards[i].section), order[result.cards[i].section]))
    blocks: list[_Block] = []
    for i in indexed:
        blocks.extend(_card_blocks(i, result.cards[i]))
    return blocks


def _card_blocks(index: int, card: ImportedCard) -> list[_Block]:
    # A lone CR ends a line for the parser (as for markdown-it) but not for the checks below.
    card = replace(card, front=_lf(card.front), back=_lf(card.back))
    details = _details(card.tags, card.typed)
    if card.cloze:
        text = _paragraph(card.front)
        if len(text) == 1:
            text = [escape_term_separators(text[0])]
        text[-1] = escape_trailing_tags(text[-1])
        try:
            gaps = len(find_clozes(card.front))
        except ClozeError:
            gaps = 0
        return [_Block(index, tuple(range(gaps)), text + details)]
    front, back = card.front.strip(), card.back.strip()
    if (card.one_line or card.both_ways) and _fits_one_line(front, back):
        sep = ":::" if card.both_ways else "::"
        line = f"{escape_line(front, first=True)} {sep} {escape_trailing_tags(back)}"
        return [_Block(index, (0, 1) if card.both_ways else (0,), [line, *details])]
    blocks = [_Block(index, (0,), _basic(front, back) + details)]
    if card.both_ways:
        blocks.append(_Block(index, (1,), _basic(back, front) + details))
    return blocks


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _fits_one_line(front: str, back: str) -> bool:
    return bool(front and back) and "\n" not in front + back and not has_term_separator(front) and not any(
        is_fence(side) for side in (front, back)
    )


def _details(tags: tuple[str, ...], typed: bool = False) -> list[str]:
    good = [t for t in dict.fromkeys(tags) if _TAG_OK.match(t)]
    return (["answer: typed"] if typed else []) + ([f"tags: {', '.join(good)}"] if good else [])


def _basic(question: str, answer: str) -> list[str]:
    q_text, q_code = _side(question)
    a_text, a_code = _side(answer)
    if not a_code and a_text:
        a_text[-1] = escape_trailing_tags(a_text[-1])
    q_first = q_text[0] if q_text else ""
    a_first = a_text[0] if a_text else ""
    lines = [f"Q: {q_first}".rstrip(), *q_text[1:], *q_code]
    lines += [f"A: {a_first}".rstrip(), *a_text[1:], *a_code]
    return lines


def _side(text: str) -> tuple[list[str], list[str]]:
    """(text lines, trailing fenced code lines) of one side of a `Q:`/`A:` card."""
    raw = text.split("\n")
    fences = _fence_spans(raw)
    tail_start = len(raw)
    for start, end in reversed(fences):  # fences with only blank lines after them stay fences
        if all(not line.strip() for line in raw[end:tail_start]):
            tail_start = start
        else:
            break
    body = raw[:tail_start]
    code: list[str] = []
    for start, end in fences:
        if start >= tail_start:
            code.extend(raw[start:end])
    return _paragraph("\n".join(body), lead=True), code


def _fence_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges of closed fenced code blocks."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        match = re.match(r"^\s{0,3}(`{3,}|~{3,})", lines[i])
        if match:
            marker = match.group(1)
            for j in range(i + 1, len(lines)):
                close = lines[j].strip()
                if close.startswith(marker) and set(close) == {marker[0]}:
                    spans.append((i, j + 1))
                    i = j
                    break
        i += 1
    return spans


def _paragraph(text: str, lead: bool = False) -> list[str]:
    """Lines of one Markdown paragraph: blank lines dropped, code blocks inline, block syntax escaped.

    With `lead`, the first line follows a `Q: `/`A: ` prefix and needs no escaping.
    """
    raw = text.split("\n")
    in_code = {n for start, end in _fence_spans(raw) for n in range(start, end)}
    fence_marks = {start for start, _ in _fence_spans(raw)} | {end - 1 for _, end in _fence_spans(raw)}
    out: list[str] = []
    for n, line in enumerate(raw):
        if n in fence_marks:
            continue
        if n in in_code:
            code = inline_code(line)
            if code:
                out.append(code)
            continue
        if not line.strip():
            continue
        out.append(line.strip() if lead and not out else escape_line(line.rstrip(), first=not out))
    return out
