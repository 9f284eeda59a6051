"""Counted nouns in messages: `1 card`, `2 cards`, `1 deck problem`, `3 days`.

One helper, so no message says "on 1 days" or "1 problems". Nouns whose plural
is not the noun plus `s` name it (`plural(n, "entry", "entries")`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studydl.domain.errors import DeckProblem


def noun(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, in the form that goes with `count` (`card` or `cards`)."""
    if count == 1:
        return singular
    return plural_form if plural_form is not None else singular + "s"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` and its noun: `1 card`, `0 cards`, `1,204 cards` (thousands grouped)."""
    return f"{count:,} {noun(count, singular, plural_form)}"


def problems_in_files(problems: Sequence[DeckProblem]) -> str:
    """`1 problem in 1 deck file`, `4 problems in 1 deck file`, `5 problems in 2 deck files`."""
    files = len({str(p.path) for p in problems})
    return f"{plural(len(problems), 'problem')} in {plural(files, 'deck file')}"
