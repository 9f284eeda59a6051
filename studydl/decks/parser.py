"""Read one Markdown deck file into cards, or into `file:line: message` problems.

markdown-it-py finds the blocks (front matter, headings, paragraphs, fences,
comments) and their line ranges; this module only decides which blocks are
cards. The card forms are described in docs/deck-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from studydl.decks import safe_yaml
from studydl.decks.card_forms import paragraph_cards, strip_tags
from studydl.decks.details import (
    DETAIL_LINE,
    apply_details,
    duplicate_problems,
    is_details,
    read_details,
    split_tags,
)
from studydl.decks.requires import own_problems, parse_requires
from studydl.domain.cards import CardKind, ParsedCard, ParsedDeck
from studydl.domain.errors import DeckProblem

MAX_DECK_BYTES = 5 * 1024 * 1024
MAX_INDENT = 400
"""Deeper indentation is refused before parsing: Markdown's nested-block scan is slow on it."""



@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Only the block structure is needed: skipping inline parsing halves the time.
    return MarkdownIt("commonmark").use(front_matter_plugin).disable("inline")


def deck_name_from_path(path: Path) -> str:
    """`rnn-and-lstm.md` -> `rnn and lstm`."""
    return re.sub(r"[-_]+", " ", path.stem).strip() or path.stem


def read_deck_text(path: Path, data: bytes) -> tuple[str | None, DeckProblem | None]:
    """Decode a deck file's bytes, refusing what is not a UTF-8 text file."""
    if len(data) > MAX_DECK_BYTES:
        size = len(data) / (1024 * 1024)
        return None, DeckProblem(path, 1, f"file is {size:.1f} MB; a deck may be at most 5 MB")
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, DeckProblem(path, data.count(b"\n", 0, nul) + 1, "binary file, not a Markdown deck")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, DeckProblem(path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")


def parse_file(path: Path, known_demos: Collection[str] | None = None) -> ParsedDeck:
    """Parse a deck file from disk; an unreadable file becomes a problem, never an exception."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        deck = ParsedDeck(path=path, name=deck_name_from_path(path))
        deck.errors.append(DeckProblem(path, 1, f"cannot read file: {exc.strerror or exc}"))
        return deck
    return parse_bytes(path, data, known_demos)


def parse_bytes(path: Path, data: bytes, known_demos: Collection[str] | None = None) -> ParsedDeck:
    text, problem = read_deck_text(path, data)
    if text is None:
        deck = ParsedDeck(path=path, name=deck_name_from_path(path))
        deck.errors.append(problem)  # type: ignore[arg-type]
        return deck
    return parse_text(path, text, known_demos)


def parse_text(path: Path, text: str, known_demos: Collection[str] | None = None) -> ParsedDeck:
    """Parse deck text; `known_demos`, when given, is the catalogue `demo:` ids are checked against."""
    return _DeckReader(path, text, known_demos).read()


@dataclass
class _Pending:
    """A `Q:`/`A:` card being assembled over several blocks."""

    line: int
    question: list[str]
    answer: list[str] | None = None
    answer_line: int = 0

    @property
    def side(self) -> list[str]:
        return self.answer if self.answer is not None else self.question


@dataclass
class _Section:
    level: int
    title: str
    demo: str | None


@dataclass
class _DeckReader:
    path: Path
    text: str
    known_demos: Collection[str] | None
    lines: list[str] = field(init=False)
    deck: ParsedDeck = field(init=False)
    sections: list[_Section] = field(default_factory=list)
    pending: _Pending | None = None
    last_note: list[int] = field(default_factory=list)
    """Indexes in deck.cards of the cards made by the previous block, for a details block to apply to."""
    section_has_cards: bool = False
    note_counter: int = 0

    def __post_init__(self) -> None:
        # Lines as markdown-it counts them (\n, \r\n, \r), not str.splitlines(), which also
        # breaks at \f, \u2028 and others and would shift every token's line range.
        self.text = self.text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = self.text.split("\n")
        self.deck = ParsedDeck(path=self.path, name=deck_name_from_path(self.path))

    # ------------------------------------------------------------ driver

    def read(self) -> ParsedDeck:
        for number, raw in enumerate(self.lines, start=1):
            indent = len(raw) - len(raw.lstrip(" \t"))
            if indent > MAX_INDENT:
                self._problem(number, f"line indented {indent} columns (at most {MAX_INDENT}): nesting this deep is not a deck")
                return self.deck
        tokens = _markdown().parse(self.text)
        if self.lines and self.lines[0].rstrip() == "---" and not (tokens and tokens[0].type == "front_matter"):
            self._problem(1, "front matter is not closed: add a line `---` after it")
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.level != 0:
                i += 1
                continue
            handler = getattr(self, f"_on_{tok.type}", None)
            if handler is not None:
                handler(tok, tokens[i + 1] if i + 1 < len(tokens) else None)
            elif tok.type.endswith("_open") or tok.type in ("hr", "code_block"):
                self._close_pending()
                self.last_note = []
            i += 1
        self._close_pending()
        self.deck.sections = list(dict.fromkeys(card.section for card in self.deck.cards))
        for line, message in own_problems(self.deck.requires, self.deck.sections):
            self._problem(line, message)
        self._check_pictures()
        self._check_duplicates()
        return self.deck

    def _problem(self, line: int, message: str) -> None:
        self.deck.errors.append(DeckProblem(self.path, line, message))

    def _source(self, tok: Token) -> list[str]:
        start, end = tok.map or (0, 0)
        return self.lines[start:end]

    # ------------------------------------------------------------ blocks

    def _on_front_matter(self, tok: Token, _next: Token | None) -> None:
        start, end = tok.map or (0, 1)
        closing = self.lines[end - 1].strip() if end - 1 < len(self.lines) else ""
        if end - 1 <= start or not closing.startswith("---"):
            self._problem(start + 1, "front matter is not closed: add a line `---` after it")
            return
        try:
            meta = safe_yaml.load(tok.content) if tok.content.strip() else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = start + 2 + (mark.line if mark else 0)
            reason = getattr(exc, "problem", None) or "invalid YAML"
            self._problem(line, f"front matter: {reason}")
            return
        if not isinstance(meta, dict):
            self._problem(start + 1, "front matter must be `key: value` lines")
            return
        if meta.get("deck") is not None:
            name = str(meta["deck"]).strip()
            if name:
                self.deck.name = name
        self.deck.tags = split_tags(meta.get("tags"))
        if "requires" in meta:
            self.deck.requires, problems = parse_requires(meta["requires"], self.lines[start + 1 : end - 1], start + 2)
            for line, message in problems:
                self._problem(line, message)

    def _on_heading_open(self, tok: Token, inline: Token | None) -> None:
        self._close_pending()
        self.last_note = []
        level = int(tok.tag[1:])
        while self.sections and self.sections[-1].level >= level:
            self.sections.pop()
        parent_demo = self.sections[-1].demo if self.sections else None
        title = (inline.content if inline else "").strip()
        self.sections.append(_Section(level, title, parent_demo))
        self.section_has_cards = False

    def _on_html_block(self, tok: Token, _next: Token | None) -> None:
        content = tok.content.lstrip()
        if content.startswith("<!--") and "-->" not in content:
            line = (tok.map or (0, 0))[0] + 1
            self._problem(line, "comment is not closed: add `-->`")

    def _on_fence(self, tok: Token, _next: Token | None) -> None:
        block = self._source(tok)
        start = (tok.map or (0, 0))[0]
        if not self._fence_closed(tok, block):
            self._problem(start + 1, f"code fence {tok.markup} is not closed")
            return
        if self.pending is not None:
            self.pending.side.extend(["", *block] if self.pending.side else block)
            self.last_note = []
        else:
            self.last_note = []

    @staticmethod
    def _fence_closed(tok: Token, block: list[str]) -> bool:
        if len(block) < 2:
            return False
        last = block[-1].strip()
        marker = tok.markup[0]
        return last.startswith(tok.markup) and set(last) == {marker}

    def _on_paragraph_open(self, tok: Token, _inline: Token | None) -> None:
        start = (tok.map or (0, 0))[0]
        block = self._source(tok)
        cut = len(block)
        while cut > 0 and DETAIL_LINE.match(block[cut - 1].strip()):
            cut -= 1
        if 0 < cut < len(block):
            # A card with its details on the lines right under it, no blank line between.
            self._paragraph(start, block[:cut])
            self._close_pending(keep_last=True)
            self._apply_details(start + cut, block[cut:])
        else:
            self._paragraph(start, block)

    def _paragraph(self, start: int, block: list[str]) -> None:
        first = block[0].lstrip() if block else ""
        if is_details(block):
            self._close_pending(keep_last=True)
            self._apply_details(start, block)
        elif first.startswith("Q:"):
            self._close_pending()
            self._start_basic(start, block)
        elif first.startswith("A:"):
            if self.pending is None or self.pending.answer is not None:
                self._close_pending()
                self._problem(start + 1, "`A:` without a `Q:` before it")
                return
            self.pending.answer = [first[2:].lstrip(), *block[1:]]
            self.pending.answer_line = start + 1
        else:
            self._close_pending()
            self.last_note = []
            self._maybe_term_or_cloze(start, block)

    # ------------------------------------------------------------ card forms

    def _start_basic(self, start: int, block: list[str]) -> None:
        first = block[0].lstrip()
        question = [first[2:].lstrip()]
        answer: list[str] | None = None
        answer_line = 0
        for offset, raw in enumerate(block[1:], start=1):
            if answer is None and raw.lstrip().startswith("A:"):
                answer = [raw.lstrip()[2:].lstrip()]
                answer_line = start + offset + 1
            elif answer is None:
                question.append(raw)
            else:
                answer.append(raw)
        self.pending = _Pending(start + 1, question, answer, answer_line)

    def _close_pending(self, keep_last: bool = False) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            if not keep_last:
                self.last_note = []
            return
        question = "\n".join(pending.question).strip()
        answer = "\n".join(pending.answer or []).strip()
        if pending.answer is None:
            self._problem(pending.line, "`Q:` without an `A:` (write the answer on a line starting with `A:`)")
            return
        if not question:
            self._problem(pending.line, "empty question after `Q:`")
            return
        if not answer:
            self._problem(pending.answer_line, "empty answer after `A:`")
            return
        question, answer, tags = strip_tags(question, answer)
        self._emit([(CardKind.BASIC, question, answer)], pending.line, tags)

    def _maybe_term_or_cloze(self, start: int, block: list[str]) -> None:
        found = paragraph_cards(block)
        for offset, message in found.problems:
            self._problem(start + offset + 1, message)
        if found.problems:
            return
        for note in found.notes:
            self._emit(note.cards, start + note.offset + 1, note.tags)

    def _emit(self, cards: list[tuple[CardKind, str, str]], line: int, tags: tuple[str, ...]) -> None:
        self.note_counter += 1
        demo = self.sections[-1].demo if self.sections else None
        section = " / ".join(s.title for s in self.sections if s.title)
        first = len(self.deck.cards)
        for ordinal, (kind, question, answer) in enumerate(cards):
            self.deck.cards.append(
                ParsedCard(
                    kind=kind,
                    question=question,
                    answer=answer,
                    line=line,
                    section=section,
                    note_key=self.note_counter,
                    ordinal=ordinal,
                    demo_id=demo,
                    tags=tuple(dict.fromkeys((*self.deck.tags, *tags))),
                )
            )
        self.last_note = list(range(first, len(self.deck.cards)))
        self.section_has_cards = True

    # ------------------------------------------------------------ details

    def _apply_details(self, start: int, block: list[str]) -> None:
        details, problem = read_details(start, block, self.known_demos)
        if problem is not None:
            self._problem(*problem)
            return
        if self.last_note:
            problem = apply_details(self.deck.cards, self.last_note, details, self.known_demos)
            if problem is not None:
                key, message = problem
                keys = [match.group(1).lower() for match in map(DETAIL_LINE.match, map(str.strip, block)) if match]
                self._problem(start + 1 + (keys.index(key) if key in keys else 0), message)
            self.last_note = []
        elif self.sections and not self.section_has_cards:
            if set(details) - {"demo"}:
                self._problem(start + 1, "under a heading only `demo:` may apply to the whole section; put the other keys after a card")
                return
            self.sections[-1].demo = details["demo"]
        else:
            self._problem(start + 1, "details block (`demo:`, `id:`, `tags:`, `answer:`, `predict:`...) must follow a card, or a heading before its first card")

    # ------------------------------------------------------------ whole deck

    def _check_pictures(self) -> None:
        """Images the cards reference must be readable files beside the deck (render/card_pictures.py)."""
        from studydl.render.card_pictures import picture_problems

        for card in self.deck.cards:
            if "![" in card.question or "![" in card.answer:
                for message in picture_problems(self.path, f"{card.question}\n{card.answer}"):
                    self._problem(self._line_with(card.line, "!["), message)

    def _line_with(self, start: int, text: str) -> int:
        for number in range(start, min(len(self.lines), start + 200) + 1):
            if text in self.lines[number - 1]:
                return number
        return start

    def _check_duplicates(self) -> None:
        for line, message in duplicate_problems(self.deck.cards):
            self._problem(line, message)
        self.deck.errors.sort(key=lambda p: p.line)
