"""The course's structure as a deck declares it: which sections a section requires.

A deck's front matter names its prerequisites (docs/deck-format.md, "Prerequisites"):

    requires:
      LSTM: [training-and-backprop#Vanishing and exploding gradients]

`Requirement` is one such edge as written; `section_key` names a section across decks
(`rnn-and-lstm#LSTM`), the node of the course map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")
_PARTS = re.compile(r"\s*/\s*")


@dataclass(frozen=True)
class SectionRef:
    """A section as a `requires:` entry names it: `deck#Section` or `#Section` (this deck)."""

    deck: str | None
    """The deck's file path inside its folder without `.md` (`cnn`, `notes/rnn`); None: the deck itself."""
    section: str
    """A heading path (`Recurrent neural networks / LSTM`) or its last headings, as written."""

    def __str__(self) -> str:
        return f"{self.deck or ''}#{self.section}"


@dataclass(frozen=True)
class Requirement:
    """One prerequisite edge: `needs` comes before `section`."""

    section: str | None
    """The section of this deck that requires, as written; None: the deck's first section."""
    needs: SectionRef
    line: int
    """1-based line of the entry in the deck file."""


def deck_key(rel_path: str) -> str:
    """A deck's name in `requires:` entries: its path inside its folder, without `.md`."""
    return rel_path[:-3] if rel_path.lower().endswith(".md") else rel_path


def section_key(deck: str, section: str) -> str:
    """The course map's id of a section: `rnn-and-lstm#LSTM / Gates`."""
    return f"{deck}#{section}"


def normal_section(text: str) -> str:
    """A heading path compared case- and spacing-blind, ` / ` between headings."""
    return " / ".join(_SPACE.sub(" ", part).strip().casefold() for part in _PARTS.split(text.strip()))


def resolve_section(written: str, sections: list[str]) -> tuple[str | None, list[str]]:
    """The one section `written` names among `sections` (its whole path, or its last headings).

    Returns (the section, []) or (None, the candidates when several match).
    """
    want = normal_section(written)
    exact = [s for s in sections if normal_section(s) == want]
    if exact:
        return exact[0], []
    tail = [s for s in sections if normal_section(s).endswith(" / " + want)]
    if len(tail) == 1:
        return tail[0], []
    return None, tail
