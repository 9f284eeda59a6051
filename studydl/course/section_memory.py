"""What the learner remembers of each section: mean retrievability today and the counts.

One read of the store: every active card's section and memory state, and the lapses of
the last seven study days. Retrievability is FSRS's (engine/fsrs_model.py, the
learner's parameters), after the whole study days since the card's last review, as the
scheduler counts them (domain/days.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from studydl.domain.course import WEEK_DAYS, deck_key, section_key
from studydl.domain.review import CardState, Rating
from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow
from studydl.store.portable_sql import json_int


@dataclass
class SectionMemory:
    """One section's cards as the learner knows them today."""

    key: str
    deck: str
    """The deck's name."""
    deck_key: str
    section: str
    path: str
    """The deck file (where the store last read it)."""
    cards: int = 0
    due: int = 0
    """Learning and review cards due by the end of today's study day (suspended ones left out)."""
    new: int = 0
    lapsed_week: int = 0
    """Cards of the section that lapsed (Again on a review card) in the last seven study days."""
    studied: int = 0
    """Cards with a memory state: the ones retrievability is the mean of."""
    recall_sum: float = 0.0
    card_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def retrievability(self) -> float | None:
        """Mean FSRS retrievability of the studied cards today; None when none is studied."""
        return self.recall_sum / self.studied if self.studied else None


@dataclass(frozen=True)
class DeckFiles:
    """Each stored deck with cards: its key, name and file, in the order decks are listed."""

    decks: list[tuple[str, str, str]]
    """(deck key, name, path)."""


def section_memory(db: Database, settings: Settings, now: datetime) -> tuple[dict[str, SectionMemory], DeckFiles]:
    """Every section with active cards, by its course-map key, with its deck files."""
    days = settings.study_days()
    model = FsrsModel(settings.parameters, settings.desired_retention)
    today = days.day_of(now)
    day_end = days.start_of(today + 1)
    week_start = days.start_of(today - WEEK_DAYS + 1)
    columns = (
        CardRow.id, DeckRow.rel_path, DeckRow.name, DeckRow.path, CardRow.section, CardRow.state,
        CardRow.stability, CardRow.last_review, CardRow.due, CardRow.suspended,
    )  # fmt: skip
    lapsed_query = (
        select(ReviewRow.card_id)
        .where(
            ReviewRow.reviewed_at >= week_start,
            ReviewRow.reviewed_at <= now,
            ReviewRow.rating == int(Rating.AGAIN),
            ReviewRow.kind == "scheduled",
            json_int(ReviewRow.state_before, "state") == int(CardState.REVIEW),
        )
        .distinct()
    )
    with db.read() as s:
        rows = s.execute(
            select(*columns).join(DeckRow, CardRow.deck_id == DeckRow.id).where(CardRow.retired.is_(False))
            .order_by(DeckRow.name, DeckRow.id, CardRow.source_line, CardRow.id)
        ).all()  # fmt: skip
        lapsed = set(s.execute(lapsed_query).scalars())
    out: dict[str, SectionMemory] = {}
    decks: dict[str, tuple[str, str, str]] = {}
    for card_id, rel_path, name, path, section, state, stability, last_review, due, suspended in rows:
        dkey = deck_key(rel_path)
        decks.setdefault(dkey, (dkey, name, path))
        key = section_key(dkey, section)
        memory = out.get(key)
        if memory is None:
            memory = out[key] = SectionMemory(key, name, dkey, section, path)
        memory.cards += 1
        memory.card_ids.append(card_id)
        if state == CardState.NEW:
            memory.new += 1
        elif not suspended and due is not None and due < day_end:
            memory.due += 1
        if card_id in lapsed:
            memory.lapsed_week += 1
        if (r := card_recall(model, days, now, state, stability, last_review)) is not None:
            memory.studied += 1
            memory.recall_sum += r
    return out, DeckFiles(list(decks.values()))


def stored_sections(db: Database) -> tuple[dict[str, SectionMemory], DeckFiles]:
    """Every section with active cards, with its deck files, and nothing counted (no card ids):
    what the course graph needs, in one grouped read instead of every card's row."""
    first = func.min(CardRow.source_line)
    with db.read() as s:
        rows = s.execute(
            select(DeckRow.rel_path, DeckRow.name, DeckRow.path, CardRow.section)
            .join(DeckRow, CardRow.deck_id == DeckRow.id)
            .where(CardRow.retired.is_(False))
            .group_by(DeckRow.id, DeckRow.rel_path, DeckRow.name, DeckRow.path, CardRow.section)
            .order_by(DeckRow.name, DeckRow.id, first)
        ).all()
    out: dict[str, SectionMemory] = {}
    decks: dict[str, tuple[str, str, str]] = {}
    for rel_path, name, path, section in rows:
        dkey = deck_key(rel_path)
        decks.setdefault(dkey, (dkey, name, path))
        out[section_key(dkey, section)] = SectionMemory(section_key(dkey, section), name, dkey, section, path)
    return out, DeckFiles(list(decks.values()))


def section_card_ids(db: Database, memory: SectionMemory) -> list[int]:
    """The active cards of one section, in file order (as `section_memory` lists them)."""
    with db.read() as s:
        return list(
            s.execute(
                select(CardRow.id)
                .join(DeckRow, CardRow.deck_id == DeckRow.id)
                .where(CardRow.retired.is_(False), CardRow.section == memory.section, DeckRow.path == memory.path)
                .order_by(CardRow.source_line, CardRow.id)
            ).scalars()
        )


def card_recall(model: FsrsModel, days, now: datetime, state, stability, last_review) -> float | None:  # noqa: ANN001
    """A studied card's FSRS retrievability now; None for a card without a memory state."""
    if stability is None or stability <= 0 or last_review is None or state == CardState.NEW:
        return None
    return model.retrievability(stability, days.days_between(last_review, now))


def mean_recall(db: Database, settings: Settings, now: datetime, card_ids: list[int]) -> float | None:
    """The mean retrievability now of these cards' studied ones (as `section_memory` counts it); None when none is studied."""
    days = settings.study_days()
    model = FsrsModel(settings.parameters, settings.desired_retention)
    with db.read() as s:
        rows = s.execute(
            select(CardRow.state, CardRow.stability, CardRow.last_review).where(CardRow.id.in_(card_ids))
        ).all()
    recalls = [r for row in rows if (r := card_recall(model, days, now, *row)) is not None]
    return sum(recalls) / len(recalls) if recalls else None


def sections_by_deck(memory: dict[str, SectionMemory]) -> dict[str, list[str]]:
    """Each deck's sections in file order."""
    out: dict[str, list[str]] = defaultdict(list)
    for m in memory.values():
        out[m.deck_key].append(m.section)
    return dict(out)
