"""The course map: every section with what the learner remembers of it, its prerequisites, its layer.

`load_course_map` is the one call `studydl map` and the map screen make: it reads the
store (studydl.course.section_memory), each deck's `requires:` from its file's front
matter, resolves them into edges and lays the graph out in layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from studydl.course.graph import CourseDeck, Edge, acyclic, build_graph
from studydl.course.layout import ordered_layers
from studydl.course.section_memory import SectionMemory, section_memory, sections_by_deck
from studydl.decks.requires import read_requirements
from studydl.domain.errors import DeckProblem
from studydl.engine.settings import Settings, load_settings
from studydl.store.db import Database


@dataclass(frozen=True)
class MapNode:
    """One section on the map."""

    key: str
    """`deck#Section`, as `requires:` entries name it."""
    deck: str
    deck_key: str
    section: str
    cards: int
    due: int
    new: int
    lapsed_week: int
    studied: int
    retrievability: float | None
    prerequisites: tuple[str, ...]
    """Keys of the sections this one requires."""
    layer: int
    path: str

    @property
    def title(self) -> str:
        """The section's own heading (the last of its path), or the deck's name above the first heading."""
        return self.section.rsplit(" / ", 1)[-1] if self.section else self.deck

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "deck": self.deck,
            "deck_key": self.deck_key,
            "section": self.section,
            "cards": self.cards,
            "due": self.due,
            "new": self.new,
            "lapsed_this_week": self.lapsed_week,
            "studied": self.studied,
            "retrievability": round(self.retrievability, 4) if self.retrievability is not None else None,
            "prerequisites": list(self.prerequisites),
            "layer": self.layer,
            "file": self.path,
        }


@dataclass(frozen=True)
class CourseMap:
    now: datetime
    rows: list[list[MapNode]]
    """Layer by layer (foundations first), each in drawing order."""
    edges: list[Edge]
    problems: list[DeckProblem]
    """`requires:` entries that name nothing, and cycles (the map leaves those edges out)."""

    @property
    def nodes(self) -> list[MapNode]:
        return [node for row in self.rows for node in row]

    def node(self, key: str) -> MapNode | None:
        return next((n for n in self.nodes if n.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "sections": [n.to_dict() for n in self.nodes],
            "edges": [{"before": e.before, "after": e.after} for e in self.edges],
            "problems": [str(p) for p in self.problems],
        }


def course_graph(memory: dict[str, SectionMemory], decks: list[tuple[str, str, str]]):  # -> CourseGraph
    """The stored sections with the edges their decks' files declare."""
    sections = sections_by_deck(memory)
    course = [
        CourseDeck(key, name, Path(path), sections.get(key, []), read_requirements(Path(path)))
        for key, name, path in decks
    ]
    return build_graph(course)


def load_course_map(db: Database, now: datetime, settings: Settings | None = None) -> CourseMap:
    """The map as of `now` (the store's settings unless given)."""
    settings = settings if settings is not None else load_settings(db)
    memory, files = section_memory(db, settings, now)
    graph = course_graph(memory, files.decks)
    edges = acyclic(graph.edges)
    rows = ordered_layers(list(memory), [(e.before, e.after) for e in edges])
    prereqs: dict[str, list[str]] = {}
    for e in edges:
        prereqs.setdefault(e.after, []).append(e.before)
    out = []
    for layer, row in enumerate(rows):
        out.append([_node(memory[key], tuple(prereqs.get(key, ())), layer) for key in row])
    return CourseMap(now, out, edges, graph.problems)


def _node(m: SectionMemory, prerequisites: tuple[str, ...], layer: int) -> MapNode:
    return MapNode(
        m.key, m.deck, m.deck_key, m.section, m.cards, m.due, m.new, m.lapsed_week, m.studied,
        m.retrievability, prerequisites, layer, m.path,
    )  # fmt: skip
