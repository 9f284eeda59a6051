"""Plain Markdown notes -> candidate cards, conservatively.

Only what is clearly written as a definition becomes a card:

- `**Term**: definition` (or `**Term:** definition`) at the start of a paragraph
  or list item;
- a list item `Term: definition` whose term is short (at most 6 words, no
  sentence punctuation, not a link or a task box);
- a heading of at most 10 words with exactly one paragraph under it (and
  nothing else before the next heading): heading -> paragraph.

A list item with a `:` that fails the test, and a heading with more than one
block under it, are reported as skipped with their line: never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from studydl.decks.cloze import mask_code_spans
from studydl.decks.parser import deck_name_from_path
from studydl.interop.result import ImportedCard, ImportResult

_BOLD_TERM = re.compile(r"^\s*(?:\*\*|__)(?P<term>[^*_\n]+?)(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)\s*(?P<rest>.*)$", re.DOTALL)
_PLAIN_TERM = re.compile(r"^(?P<term>[^:\n]+?):\s+(?P<rest>\S.*)$", re.DOTALL)
_IMAGE = re.compile(r"!\[\[[^\]]*\]\]|!\[[^\]]*\]\([^)]*\)")
_LINK_ONLY = re.compile(r"^\s*\[[^\]]*\]\([^)]*\)\s*$")
_MAX_TERM_WORDS = 6
_MAX_HEADING_WORDS = 10
_MAX_DEFINITION_CHARS = 600


@dataclass
class _Heading:
    level: int
    title: str
    line: int
    parent: str
    blocks: list[tuple[str, int, str]] = field(default_factory=list)
    """(kind, line, text) of the blocks under it before the next heading."""


def read_markdown_notes(path: Path, text: str) -> ImportResult:
    """Definitions written as such in a Markdown note; everything else is prose, not cards."""
    result = ImportResult(path, "markdown", deck_name_from_path(path))
    tokens = MarkdownIt("commonmark").parse(text)
    stack: list[tuple[int, str]] = []
    headings: list[_Heading] = []
    media = len(_IMAGE.findall(text))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map or (0, 0))[0] + 1
        section = " / ".join(title for _, title in stack)
        if tok.type == "heading_open":
            level = int(tok.tag[1:])
            title = tokens[i + 1].content.strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            headings.append(_Heading(level, title, line, " / ".join(t for _, t in stack)))
            stack.append((level, title))
            i += 3
            continue
        if tok.type == "paragraph_open" and tok.level == 0:
            content = tokens[i + 1].content
            made = _bold_definition(result, content, line, section)
            if headings:
                headings[-1].blocks.append(("definition" if made else "paragraph", line, content))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open") and tok.level == 0:
            end = _matching_close(tokens, i)
            for inner in tokens[i:end]:
                if inner.type == "inline" and inner.map is not None:
                    _list_item(result, inner.content, inner.map[0] + 1, section)
            if headings:
                headings[-1].blocks.append(("list", line, ""))
            i = end + 1
            continue
        if tok.level == 0 and tok.nesting >= 0 and headings and tok.type not in ("html_block", "hr"):
            headings[-1].blocks.append((tok.type, line, ""))
        i += 1
    for heading in headings:
        _heading_card(result, heading)
    if media:
        result.notes.append(f"{media} images left out (media is not imported)")
    result.cards.sort(key=lambda c: c.line or 0)
    return result


def _matching_close(tokens: list[Token], start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _bold_definition(result: ImportResult, content: str, line: int, section: str) -> bool:
    match = _BOLD_TERM.match(content)
    if not match:
        return False
    term, rest = match.group("term").strip(), _strip_media(match.group("rest"))
    if not term or not rest:
        result.skip(line, f"bold term {term!r} has no definition after it")
        return False
    result.cards.append(ImportedCard(term, rest, section=section, line=line, one_line="\n" not in rest))
    return True


def _list_item(result: ImportResult, content: str, line: int, section: str) -> None:
    if _bold_definition(result, content, line, section):
        return
    match = _PLAIN_TERM.match(mask_code_spans(content))  # a `:` inside inline code is not the separator
    if not match:
        return
    term, rest = content[: match.end("term")], content[match.start("rest") :]
    if re.match(r"^\s*\[[ xX]\]", content) or "://" in term + ":" + rest[:2]:
        return
    term, rest = term.strip(), _strip_media(rest)
    reason = _not_a_term(term, match.group("term"))
    if reason:
        result.skip(line, f"not clearly a definition: {reason}")
        return
    if not rest or _LINK_ONLY.match(rest):
        result.skip(line, f"term {term!r} has only a link or media after it")
        return
    result.cards.append(ImportedCard(term, rest, section=section, line=line, one_line="\n" not in rest))


def _not_a_term(term: str, masked: str) -> str | None:
    """Why `term` is not a term; `masked` is it with inline code blanked (`nn.ReLU` in backticks is no sentence)."""
    words = term.split()
    if len(words) > _MAX_TERM_WORDS:
        return f"the part before `:` has {len(words)} words (a term has at most {_MAX_TERM_WORDS})"
    if re.search(r"[.!?;]|\[|\]\(", masked):
        return "the part before `:` reads as a sentence or a link, not a term"
    return None


def _heading_card(result: ImportResult, heading: _Heading) -> None:
    blocks = heading.blocks
    if not blocks or any(kind == "definition" for kind, _, _ in blocks):
        return
    words = len(heading.title.split())
    if len(blocks) != 1 or blocks[0][0] != "paragraph":
        kinds = sorted({kind.replace("_open", "").replace("_", " ") for kind, _, _ in blocks})
        count = f"{len(blocks)} blocks" if len(blocks) > 1 else "a " + kinds[0]
        result.skip(heading.line, f"heading {heading.title!r} has {count} under it ({', '.join(kinds)}), not one definition")
        return
    _, _, text = blocks[0]
    text = _strip_media(text)
    if not heading.title or words > _MAX_HEADING_WORDS:
        result.skip(heading.line, f"heading has {words} words: too long to be a term or question")
    elif not text:
        result.skip(heading.line, f"heading {heading.title!r} has only media under it")
    elif len(text) > _MAX_DEFINITION_CHARS:
        result.skip(heading.line, f"the paragraph under {heading.title!r} is {len(text)} characters: too long for one card")
    else:
        one_line = "\n" not in text and not heading.title.rstrip().endswith("?")
        result.cards.append(ImportedCard(heading.title, text, section=heading.parent, line=heading.line, one_line=one_line))


def _strip_media(text: str) -> str:
    return "\n".join(line.rstrip() for line in _IMAGE.sub("", text).split("\n") if line.strip()).strip()
