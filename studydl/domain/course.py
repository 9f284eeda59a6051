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

WEEK_DAYS = 7
"""A week of lapses: today's study day and the six before it (the course map's `lapsed this week`, a
lapse's offer of its prerequisite)."""

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


@dataclass(frozen=True)
class PrerequisiteOffer:
    """After a card's repeated lapses: its weakest prerequisite section, and cards of it to review now."""

    forgotten: str
    """The lapsed card's question."""
    section: str
    """The prerequisite's course-map key (`deck#Section`)."""
    title: str
    """The prerequisite section's heading path, as the learner reads it."""
    recall: float | None
    """Its cards' mean retrievability now; None when none of them is studied yet."""
    card_ids: tuple[int, ...]
    """Its demo cards (else its weakest cards), weakest first: the cards offered."""
    lapses: int
    """The lapsed card's lapses in the window, this one included."""

    def prompt(self) -> str:
        """`You forgot *...*; *...* is at 58 %: review it now?`"""
        forgotten = self.forgotten if len(self.forgotten) <= 80 else self.forgotten[:79] + "…"
        where = "is not studied yet" if self.recall is None else f"is at {self.recall * 100:.0f} %"
        return f"You forgot *{forgotten}*; *{self.title}* {where}: review it now?"

    def to_log(self, uids: list[str]) -> dict[str, object]:
        """What the lapse's review-log row keeps of the offer (its `detail`)."""
        recall = None if self.recall is None else round(self.recall, 4)
        return {"section": self.section, "recall": recall, "cards": uids, "lapses": self.lapses}
