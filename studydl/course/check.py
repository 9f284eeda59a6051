"""`studydl check`'s course checks: `requires:` entries that name no deck or section, and cycles.

The decks checked are resolved together with the decks around them (the bundled ones and
the home's), so a deck of your own may require a bundled deck's section.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from studydl.course.graph import CourseDeck, build_graph
from studydl.decks.roots import DeckFile
from studydl.domain.cards import ParsedDeck
from studydl.domain.errors import DeckProblem


def course_deck(file: DeckFile, deck: ParsedDeck) -> CourseDeck:
    return CourseDeck.of(file.key.rel_path, deck.name, file.path, deck.sections, deck.requires)


def course_problems(checked: Iterable[tuple[DeckFile, ParsedDeck]], context: Iterable[tuple[DeckFile, ParsedDeck]] = ()) -> list[DeckProblem]:
    """Problems of the checked decks' `requires:` entries; a context deck of the same name is
    replaced by the checked one (your copy of a bundled deck)."""
    decks = {}
    for file, deck in checked:
        decks.setdefault(course_deck(file, deck).key.casefold(), course_deck(file, deck))
    mine = {d.path for d in decks.values()}
    for file, deck in context:
        decks.setdefault(course_deck(file, deck).key.casefold(), course_deck(file, deck))
    graph = build_graph(list(decks.values()), report={p for p in mine if p is not None})
    return [p for p in graph.problems if Path(p.path) in mine]
