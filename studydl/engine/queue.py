"""Which card comes next, and how many are left: index-backed queries and cached counts.

Counts are taken once (session start, a new study day, after an undo) and then
adjusted per answer, so answering never counts the whole collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from studydl.domain.review import CardState, QueueCounts
from studydl.engine.card_sql import PickSQL, raw, to_db
from studydl.engine.settings import Settings
from studydl.store.models import CardRow, DeckRow, ReviewRow

NEW, LEARNING, REVIEW, RELEARNING = (int(s) for s in CardState)
LEARN_STATES = (LEARNING, RELEARNING)


@dataclass(frozen=True)
class Scope:
    """The cards a session studies: all decks, one deck (by name), or one section of it."""

    deck: str | None = None
    section: str | None = None
    """`Top` also matches `Top / Sub`."""

    def has_deck(self, deck_name: str) -> bool:
        return self.deck is None or deck_name.lower() == self.deck.lower()

    def contains(self, deck_name: str, section: str) -> bool:
        if not self.has_deck(deck_name):
            return False
        return not self.section or section == self.section or section.startswith(self.section + " / ")


def not_buried(now: datetime) -> ColumnElement[bool]:
    return or_(CardRow.buried_until.is_(None), CardRow.buried_until <= now)


def bucket(state: int, due: datetime | None, day_end: datetime) -> str | None:
    """Which count a live, unburied card is in: `new`, `learning`, `review` or none."""
    if state == NEW:
        return "new"
    if due is None or due >= day_end:
        return None
    return "learning" if state in LEARN_STATES else "review"


@dataclass
class DeckQueue:
    """One deck's cards waiting today and what today's answers used of its limits."""

    new_limit: int
    review_limit: int
    new: int = 0
    learning: int = 0
    review: int = 0
    new_done: int = 0
    review_done: int = 0

    @property
    def new_left(self) -> int:
        return max(0, min(self.new, self.new_limit - self.new_done))

    @property
    def review_left(self) -> int:
        return max(0, min(self.review, self.review_limit - self.review_done))


def deck_names(s: Session) -> dict[int, str]:
    return dict(s.execute(select(DeckRow.id, DeckRow.name)).all())


def done_today(s: Session, day_start: datetime) -> dict[tuple[int, int], int]:
    """(deck id, state before) -> answers since the study day began (uses the reviewed_at index)."""
    state_before = func.json_extract(ReviewRow.state_before, "$.state")
    query = (
        select(CardRow.deck_id, state_before, func.count())
        .join(CardRow, CardRow.id == ReviewRow.card_id)
        .where(ReviewRow.reviewed_at >= day_start)
        .group_by(CardRow.deck_id, state_before)
    )
    return {(deck_id, int(state)): n for deck_id, state, n in s.execute(query)}


@dataclass
class Queue:
    """Counts per deck for one session's scope and day, and the queries that pick cards."""

    scope: Scope
    settings: Settings
    day_start: datetime
    day_end: datetime
    names: dict[int, str] = field(default_factory=dict)
    decks: dict[str, DeckQueue] = field(default_factory=dict)
    _picks: PickSQL | None = field(default=None, repr=False)

    @property
    def deck_ids(self) -> list[int] | None:
        if self.scope.deck is None:
            return None
        return [i for i, name in self.names.items() if name.lower() == self.scope.deck.lower()]

    def _deck(self, name: str) -> DeckQueue:
        if name not in self.decks:
            self.decks[name] = DeckQueue(*self.settings.limits_for(name))
        return self.decks[name]

    def load(self, s: Session, now: datetime) -> None:
        """Count everything afresh (one grouped scan of the scope's cards)."""
        self.names = deck_names(s)
        self.decks = {}
        self._picks = None
        sql = self._sql()
        end = to_db(self.day_end)
        rows = raw(s).execute(sql.counts, (end, end, *sql.scope_params, to_db(now))).fetchall()
        for deck_id, new, learning, review in rows:
            deck = self._deck(self.names.get(deck_id, "?"))
            deck.new += int(new or 0)
            deck.learning += int(learning or 0)
            deck.review += int(review or 0)
        for (deck_id, state), n in done_today(s, self.day_start).items():
            name = self.names.get(deck_id, "?")
            if self.scope.deck is not None and name.lower() != self.scope.deck.lower():
                continue
            if state == NEW:
                self._deck(name).new_done += n
            elif state == REVIEW:
                self._deck(name).review_done += n

    def counts(self) -> QueueCounts:
        return QueueCounts(
            new=sum(d.new_left for d in self.decks.values()),
            learning=sum(d.learning for d in self.decks.values()),
            review=sum(d.review_left for d in self.decks.values()),
        )

    def adjust(self, deck_id: int, kind: str | None, delta: int) -> None:
        """Move a card in (+1) or out (-1) of a count."""
        if kind is not None:
            deck = self._deck(self.names.get(deck_id, "?"))
            setattr(deck, kind, max(0, getattr(deck, kind) + delta))

    def record_done(self, deck_id: int, state_before: int) -> None:
        deck = self._deck(self.names.get(deck_id, "?"))
        if state_before == NEW:
            deck.new_done += 1
        elif state_before == REVIEW:
            deck.review_done += 1

    def _ids_where(self, predicate: str) -> list[int]:
        """Deck ids (deck name order, then id) whose deck has this count left."""
        wanted = {name for name, d in self.decks.items() if getattr(d, predicate) > 0}
        return [i for i, name in sorted(self.names.items(), key=lambda kv: (kv[1].lower(), kv[0])) if name in wanted]

    def _sql(self) -> PickSQL:
        """The pick queries, built once per queue (the deck scope is fixed)."""
        if self._picks is None:
            self._picks = PickSQL(self.deck_ids, self.scope.section)
        return self._picks

    def pick_learning(self, s: Session, now: datetime, until: datetime) -> int | None:
        """The learning/relearning card due first, if due by `until`."""
        sql = self._sql()
        return sql.one(raw(s), sql.learning, (*sql.scope_params, to_db(until), to_db(now)))

    def pick_review(self, s: Session, now: datetime) -> int | None:
        """The most overdue review card of a deck with review quota left."""
        ids = self._ids_where("review_left")
        if not ids:
            return None
        sql = self._sql()
        return sql.one(raw(s), sql.review(ids), (*sql.scope_params, to_db(self.day_end), to_db(now)))

    def pick_new(self, s: Session, now: datetime) -> int | None:
        """The first new card (in file order) of the first deck (by name) with new quota left."""
        sql, con = self._sql(), raw(s)
        for deck_id in self._ids_where("new_left"):
            found = sql.one(con, sql.new, (*sql.scope_params, deck_id, to_db(now)))
            if found is not None:
                return found
        return None
