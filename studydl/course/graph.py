"""The course graph: sections as nodes, `requires:` entries resolved into edges, cycles found.

Pure functions over plain data: `studydl check` resolves the decks it reads, the course
map the decks in the store. A node is `deck#Section` (studydl.domain.course.section_key).
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from pathlib import Path

from studydl.decks.requires import section_problem
from studydl.domain.course import Requirement, deck_key, resolve_section, section_key
from studydl.domain.errors import DeckProblem

MAX_CYCLES = 20
"""Cycles reported at most (each found one is cut and the search goes on)."""


@dataclass(frozen=True)
class CourseDeck:
    """What the graph needs of one deck."""

    key: str
    """Its name in `requires:` entries (studydl.domain.course.deck_key)."""
    name: str
    path: Path | None
    sections: list[str]
    """Sections with cards, in file order."""
    requires: list[Requirement] = field(default_factory=list)

    @classmethod
    def of(cls, rel_path: str, name: str, path: Path | None, sections: list[str], requires: list[Requirement]) -> CourseDeck:
        return cls(deck_key(rel_path), name, path, sections, requires)


@dataclass(frozen=True)
class Edge:
    """`before` is a prerequisite of `after` (node ids), declared at `path:line`."""

    before: str
    after: str
    path: Path | None
    line: int


@dataclass
class CourseGraph:
    nodes: list[str]
    """Every section with cards, decks in the order given, sections in file order."""
    edges: list[Edge]
    problems: list[DeckProblem]
    """Entries that name no deck or section, and cycles (each at one of its entries' lines)."""

    def prerequisites(self, node: str) -> list[str]:
        return list(dict.fromkeys(e.before for e in self.edges if e.after == node))


def build_graph(decks: list[CourseDeck], report: set[Path] | None = None) -> CourseGraph:
    """Resolve every deck's entries; an entry that names nothing is a problem, not an edge.

    A cycle is reported at an entry in one of the `report` files when it has one.
    """
    by_key = {deck.key.casefold(): deck for deck in decks}
    nodes = [section_key(d.key, s) for d in decks for s in d.sections]
    edges: list[Edge] = []
    problems: list[DeckProblem] = []
    for deck in decks:
        for req in deck.requires:
            after = _own(deck, req.section)
            target = deck if req.needs.deck is None else by_key.get(req.needs.deck.casefold())
            if target is None:
                known = ", ".join(sorted(d.key for d in decks)[:12])
                problems.append(_problem(deck, req.line, f"`requires:` names deck {req.needs.deck!r}, which is not known (decks: {known})"))
                continue
            found, several = resolve_section(req.needs.section, target.sections)
            if found is None and target is deck:
                continue  # a section of the deck itself: the parser reports it
            if found is None:
                problems.append(_problem(deck, req.line, section_problem(req.needs.section, several, target.sections, deck=target.key)))
                continue
            if after is None:
                continue  # this deck's own section is unknown: the parser reports it
            before = section_key(target.key, found)
            if before == after:
                problems.append(_problem(deck, req.line, f"`requires:` makes {found!r} a prerequisite of itself"))
                continue
            edges.append(Edge(before, after, deck.path, req.line))
    edges = list({(e.before, e.after): e for e in edges}.values())
    problems.extend(_cycle_problems(edges, report or set()))
    return CourseGraph(nodes, edges, problems)


def _own(deck: CourseDeck, written: str | None) -> str | None:
    if written is None:
        return section_key(deck.key, deck.sections[0]) if deck.sections else None
    found, _ = resolve_section(written, deck.sections)
    return section_key(deck.key, found) if found is not None else None


def _problem(deck: CourseDeck, line: int, message: str) -> DeckProblem:
    return DeckProblem(deck.path or Path(deck.key + ".md"), line, message)


def _cycle_problems(edges: list[Edge], report: set[Path]) -> list[DeckProblem]:
    """Each cycle once, at the line of one of its entries; found with graphlib, cut, searched again."""
    live = list(edges)
    problems = []
    for _ in range(MAX_CYCLES):
        cycle = find_cycle(live)
        if cycle is None:
            break
        path = " → ".join([*(e.before.split("#", 1)[1] for e in cycle), cycle[0].before.split("#", 1)[1]])
        last = next((e for e in reversed(cycle) if e.path in report), cycle[-1])
        problems.append(DeckProblem(last.path or Path("?"), last.line, f"`requires:` makes a cycle (each section before the next): {path}"))
        live.remove(last)
    return problems


def find_cycle(edges: list[Edge]) -> list[Edge] | None:
    """The edges of one cycle in order, or None."""
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for e in edges:
        sorter.add(e.after, e.before)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        nodes = exc.args[1]  # [n0, n1, ..., n0]: each node a prerequisite of the next
        by_pair = {(e.before, e.after): e for e in edges}
        return [by_pair[pair] for pair in zip(nodes, nodes[1:], strict=False)]
    return None


def acyclic(edges: list[Edge]) -> list[Edge]:
    """The edges less those that close a cycle (a map still draws a course with one)."""
    live = list(edges)
    for _ in range(len(edges)):
        cycle = find_cycle(live)
        if cycle is None:
            break
        live.remove(cycle[-1])
    return live
