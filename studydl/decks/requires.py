"""A deck's `requires:` front matter: its prerequisite edges, read and checked.

Two forms (docs/deck-format.md, "Prerequisites"):

    requires: [training-and-backprop#Backpropagation]      # the deck's first section needs these
    requires:
      LSTM: [training-and-backprop#Vanishing and exploding gradients, "#Limits of vanilla RNNs"]

An entry is `DECK#SECTION` (DECK: the file's path in its folder without `.md`) or
`#SECTION` for a section of the same deck. This module checks what one file can check
(the syntax, its own sections); studydl.course.check checks the entries across decks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from studydl.domain.course import Requirement, SectionRef, resolve_section

MAX_ENTRIES = 500
"""More prerequisite entries than this in one deck are refused (a course map stays sparse)."""

_KEY_LINE = re.compile(r"^requires\s*:")


class _Lines:
    """Finds the line of an entry in the front matter text, for `file:line` messages."""

    def __init__(self, lines: list[str], first: int) -> None:
        self.lines, self.first = lines, first
        self.key = next((i for i, line in enumerate(lines) if _KEY_LINE.match(line)), 0)

    def index(self, text: str, start: int | None = None) -> int:
        """The index of the first line from `start` (the key's line) holding `text`."""
        begin = self.key if start is None else start
        for i in range(begin, len(self.lines)):
            if text and text in self.lines[i]:
                return i
        return begin

    def of(self, text: str, start: int | None = None) -> int:
        return self.first + self.index(text, start)


def _ref(item: Any) -> tuple[SectionRef | None, str]:
    """A `deck#Section` entry, or None and what is wrong with it."""
    if not isinstance(item, str):
        return None, f"`requires:` entries are `deck#Section` text, not {item!r}"
    deck, sep, section = item.strip().partition("#")
    deck, section = deck.strip(), section.strip()
    if not sep or not section:
        return None, f"`requires:` entry {item!r}: write `deck#Section` (the deck's file name without .md, `#`, a heading), or `#Section` for this deck"
    if deck.lower().endswith(".md"):
        deck = deck[:-3]
    return SectionRef(deck or None, section), ""


def parse_requires(value: Any, lines: list[str], first: int) -> tuple[list[Requirement], list[tuple[int, str]]]:
    """The requirements of a `requires:` value; `lines` are the front matter's, the first at line `first`."""
    where = _Lines(lines, first)
    out: list[Requirement] = []
    problems: list[tuple[int, str]] = []
    if value is None:
        return out, problems
    if isinstance(value, str | list):
        groups: list[tuple[str | None, Any]] = [(None, value)]
    elif isinstance(value, dict):
        groups = list(value.items())
    else:
        return out, [(where.of(""), "`requires:` takes a list of `deck#Section` entries, or sections each with such a list")]
    for section, entries in groups:
        start = where.index(str(section)) if section is not None else None
        if section is not None and (not isinstance(section, str) or not section.strip()):
            problems.append((where.of(str(section)), f"`requires:` names a section by its heading, not {section!r}"))
            continue
        items = [entries] if isinstance(entries, str) else entries
        if not isinstance(items, list):
            problems.append((where.of(str(section)), f"`requires:` for {section!r}: give a list of `deck#Section` entries"))
            continue
        for item in items:
            ref, message = _ref(item)
            line = where.of(str(item).strip(), start)
            if ref is None:
                problems.append((line, message))
            else:
                out.append(Requirement(section.strip() if section else None, ref, line))
    if len(out) > MAX_ENTRIES:
        return out[:MAX_ENTRIES], [*problems, (where.of(""), f"`requires:` has {len(out)} entries; at most {MAX_ENTRIES}")]
    return out, problems


def own_problems(requirements: list[Requirement], sections: list[str]) -> list[tuple[int, str]]:
    """Entries that name a section of this same deck it does not have (only sections with cards count)."""
    problems = []
    for req in requirements:
        named = [req.section] if req.section is not None else []
        if req.needs.deck is None:
            named.append(req.needs.section)
        for written in named:
            found, several = resolve_section(written, sections)
            if found is None:
                problems.append((req.line, section_problem(written, several, sections)))
        if req.section is None and not sections:
            problems.append((req.line, "`requires:` as a list applies to the deck's first section, and this deck has no cards"))
    return problems


def section_problem(written: str, several: list[str], sections: list[str], *, deck: str = "") -> str:
    """Why `written` names no section: unknown (with the sections there are) or ambiguous."""
    where = f"deck {deck!r}" if deck else "this deck"
    if several:
        return f"`requires:` section {written!r} is ambiguous in {where}: {', '.join(repr(s) for s in several[:4])}; give the whole heading path"
    known = ", ".join(repr(s) for s in sections[:8]) + (", ..." if len(sections) > 8 else "")
    return f"`requires:` names {written!r}, which is not a section with cards in {where} (its sections: {known or 'none'})"


def front_matter_lines(text: str) -> tuple[list[str], int] | None:
    """The lines between a file's opening and closing `---` and the line number of the first; None without."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, min(len(lines), 2000)):
        if lines[i].rstrip() in ("---", "..."):
            return lines[1:i], 2
    return None


def read_requirements(path: Path) -> list[Requirement]:
    """A deck file's requirements from its front matter alone (the course map reads them so);
    an unreadable file or front matter has none (`studydl check` reports why)."""
    import yaml

    from studydl.decks import safe_yaml

    try:
        with path.open("rb") as handle:
            head = handle.read(safe_yaml.MAX_CHARS + 8192).decode("utf-8-sig", errors="replace")
    except OSError:
        return []
    found = front_matter_lines(head)
    if found is None:
        return []
    lines, first = found
    try:
        meta = safe_yaml.load("\n".join(lines))
    except yaml.YAMLError:
        return []
    if not isinstance(meta, dict):
        return []
    return parse_requires(meta.get("requires"), lines, first)[0]
