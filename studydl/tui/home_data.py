"""What the deck list shows, loaded in one go off the UI thread (no Textual here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studydl.engine.settings import Settings
    from studydl.engine.stats import DeckSectionCounts
    from studydl.store.db import Database


@dataclass
class DeckNode:
    """A deck (`section == ""`) or a section of it, with its own and its sub-sections' cards counted."""

    deck: str
    section: str
    label: str
    new: int = 0
    learning: int = 0
    review: int = 0
    total: int = 0
    children: list[DeckNode] = field(default_factory=list)
    bundled: bool = False
    """A deck that ships with studydl (editing it makes your own copy)."""

    @property
    def due(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class HomeData:
    decks: list[DeckNode]
    reviewed_today: int
    next_due: datetime | None
    now: datetime

    @property
    def left(self) -> int:
        return sum(deck.due for deck in self.decks)

    @property
    def totals(self) -> tuple[int, int, int]:
        return tuple(sum(getattr(d, k) for d in self.decks) for k in ("new", "learning", "review"))  # type: ignore[return-value]


def build_tree(rows: list[DeckSectionCounts], bundled: frozenset[str] = frozenset()) -> list[DeckNode]:
    """Decks with nested sections; a section's numbers include its sub-sections (capped by the deck's).

    `bundled` names the decks that ship with studydl (none of them the learner's copy).
    """
    decks: dict[str, DeckNode] = {}
    nodes: dict[tuple[str, str], DeckNode] = {}
    for row in rows:
        if not row.section:
            node = DeckNode(row.deck, "", row.deck, row.new, row.learning, row.review, row.total, bundled=row.deck in bundled)
            decks[row.deck] = nodes[(row.deck, "")] = node
    for row in rows:
        deck = decks.get(row.deck)
        if not row.section or deck is None:
            continue
        parts = row.section.split(" / ")
        parent = deck
        for depth in range(1, len(parts) + 1):
            path = " / ".join(parts[:depth])
            node = nodes.get((row.deck, path))
            if node is None:
                node = nodes[(row.deck, path)] = DeckNode(row.deck, path, parts[depth - 1])
                parent.children.append(node)
            node.new = min(node.new + row.new, deck.new)
            node.learning += row.learning
            node.review = min(node.review + row.review, deck.review)
            node.total += row.total
            parent = node
    return list(decks.values())


def load_home_data(db: Database, now: datetime, settings: Settings) -> HomeData:
    """Deck tree counts, answers given today and the next due time."""
    from studydl.engine.queue import done_today
    from studydl.engine.stats import deck_tree_counts, next_due_time
    from studydl.store.queries import deck_infos

    rows = deck_tree_counts(db, now, settings)
    day_start, _ = settings.study_days().bounds(now)
    with db.read() as s:
        reviewed = sum(done_today(s, day_start).values())
        origins: dict[str, set[str]] = {}
        for deck in deck_infos(s):
            if deck.synced:
                origins.setdefault(deck.name, set()).add(deck.root)
    bundled = frozenset(name for name, roots in origins.items() if roots == {"bundled"})
    return HomeData(build_tree(rows, bundled), reviewed, next_due_time(db, now), now)


def until(now: datetime, then: datetime) -> str:
    """`in 3h 20m`, `in 5m`, `in 2 days`, or `now`."""
    delta = then - now
    if delta <= timedelta(0):
        return "now"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "in less than a minute"
    if minutes < 60:
        return f"in {minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"in {hours}h {minutes:02d}m"
    days = round(delta.total_seconds() / 86400)
    return f"in {days} day{'s' if days != 1 else ''}"
