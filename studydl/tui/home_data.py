"""What the deck list shows, loaded in one go off the UI thread (no Textual here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from studydl.domain.words import plural

if TYPE_CHECKING:
    from studydl.engine.deck_counts import DeckSectionCounts
    from studydl.engine.setting_values import Settings
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
    new_all: int = 0
    """New cards before the daily limit (`new` is what today's limit leaves)."""
    """A deck that ships with studydl (editing it makes your own copy)."""

    @property
    def due(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class HomeData:
    decks: list[DeckNode]
    reviewed_today: int
    """Every answer of the study day (as the statistics and a session's end count them)."""
    next_due: datetime | None
    now: datetime
    settings: Settings | None = None
    """The settings the counts were taken with (read with them, in the same snapshot)."""
    crammed_today: int = 0
    """Of `reviewed_today`, the cram answers."""

    @property
    def left(self) -> int:
        return sum(deck.due for deck in self.decks)

    @property
    def new_all(self) -> int:
        """New cards in every deck before the daily limits."""
        return sum(deck.new_all for deck in self.decks)

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
            node = DeckNode(row.deck, "", row.deck, row.new, row.learning, row.review, row.total, bundled=row.deck in bundled, new_all=row.new_all)
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
            node.new_all += row.new_all
            node.learning += row.learning
            node.review = min(node.review + row.review, deck.review)
            node.total += row.total
            parent = node
    return list(decks.values())


def load_home_data(db: Database, now: datetime) -> HomeData:
    """Deck tree counts, answers given today and the next due time: one snapshot, no ORM.

    The store's settings are read in the same transaction (they may have changed since
    the app started); a database with an upgrade to finish takes the full settings load.
    """
    from studydl.engine.deck_counts import bundled_decks, next_due, read_settings, tree_counts
    from studydl.engine.queue_counts import answers_today

    with db.raw_read() as con:
        settings, pending = read_settings(con)
    if pending:
        from studydl.engine.settings import load_settings

        settings = load_settings(db)  # finishes the upgrade first
    day_start, _ = settings.study_days().bounds(now)
    with db.raw_read() as con:
        rows = tree_counts(con, now, settings)
        today = answers_today(con, day_start)
        bundled = bundled_decks(con)
        next_at = next_due(con, now)
    return HomeData(build_tree(rows, bundled), today.answers, next_at, now, settings, today.cram)


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
    return f"in {plural(days, 'day')}"
