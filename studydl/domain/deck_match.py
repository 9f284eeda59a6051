"""Which decks a name the learner typed means (`--deck`, `deck:` in a search): no database here."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from pathlib import PurePosixPath

_WORD = re.compile(r"[^\W_]+")
"""A word of a deck's name or file stem (split at spaces, `-`, `_` and punctuation)."""


def deck_matches(pattern: str, decks: Iterable[tuple[int, str, str]]) -> list[int]:
    """Ids of the decks `pattern` names, case-insensitively: (id, name, rel_path) rows in.

    A pattern with `*` is a wildcard over the name and the file stem. Otherwise the decks whose
    name or file stem is the pattern; if none, those whose name starts with it (`cnn` finds
    "CNN", `neural` finds "Neural basics"); if none, those with a word of the name or stem
    that is the pattern (`rnn` and `lstm` find rnn-and-lstm.md).
    """
    want = pattern.casefold().strip()
    rows = [(i, name.casefold(), PurePosixPath(rel).stem.casefold()) for i, name, rel in decks]
    if "*" in want:
        return [i for i, name, stem in rows if fnmatch.fnmatchcase(name, want) or fnmatch.fnmatchcase(stem, want)]
    exact = [i for i, name, stem in rows if want in (name, stem)]
    starting = [i for i, name, _stem in rows if name.startswith(want)]
    # Then a word of the name or the file stem (`rnn` finds rnn-and-lstm.md; `basic` no "basics").
    return exact or starting or [i for i, name, stem in rows if want in _WORD.findall(f"{name} {stem}")]
