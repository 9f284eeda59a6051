"""Which card comes next, and how many are left: index-backed queries and cached counts.

Counts are taken once (session start, a new study day, after an undo) and then
adjusted per answer, so answering never counts the whole collection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, or_

from studydl.domain.review import QueueCounts
from studydl.engine.card_sql import PickSQL, Txn, hot
from studydl.engine.settings import Settings
from studydl.store.hot import HotSQL
from studydl.store.models import CardRow
from studydl.store.queries import LEARNING, NEW, RELEARNING, REVIEW

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


def _share(deck: DeckQueue) -> tuple[int, int, int]:
    return deck.new_left, deck.learning, deck.review_left


def deck_names(s: Txn) -> dict[int, str]:
    return dict(hot(s).execute("SELECT id, name FROM decks").fetchall())


def done_today(s: Txn, day_start: datetime) -> dict[tuple[int, int], int]:
    """(deck id, state before) -> answers since the study day began (uses the reviewed_at index).

    Cram answers use no daily limit: they changed nothing.

    Plain SQL (as `deck_names`), so the review session can run it on its raw connection.
    """
    con = hot(s)
    query = (
        f"SELECT cards.deck_id, {con.json_int('review_log.state_before', 'state')}, count(*)"
        " FROM review_log JOIN cards ON cards.id = review_log.card_id"
        " WHERE review_log.reviewed_at >= ? AND review_log.kind = 'scheduled' GROUP BY 1, 2"
    )
    return {(deck_id, int(state)): n for deck_id, state, n in con.execute(query, (con.to_db(day_start),))}


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
    _totals: list[int] | None = field(default=None, repr=False)
    """[new, learning, review] left over all decks; None: add them up afresh."""
    _shares: dict[str, tuple[int, int, int]] = field(default_factory=dict, repr=False)
    """Each deck's part of `_totals`."""
    _changed: set[str] = field(default_factory=set, repr=False)
    """Decks whose counts may have changed since `_totals` was last brought up to date."""
    _order: list[tuple[int, str]] = field(default_factory=list, repr=False)
    _order_key: tuple[int, int] | None = field(default=None, repr=False)

    @property
    def deck_ids(self) -> list[int] | None:
        if self.scope.deck is None:
            return None
        return [i for i, name in self.names.items() if name.lower() == self.scope.deck.lower()]

    def _deck(self, name: str) -> DeckQueue:
        self._changed.add(name)  # the caller is about to change its counts
        if name not in self.decks:
            self.decks[name] = DeckQueue(*self.settings.limits_for(name))
        return self.decks[name]

    def load(self, s: Txn, now: datetime) -> None:
        """Count everything afresh (two grouped index range reads, see PickSQL.counts)."""
        con = hot(s)
        self.names = deck_names(con)
        self.decks = {}
        self._picks = None
        self._totals = None
        self._order_key = None
        counts = self._sql(con).counts(con, con.to_db(self.day_end), con.to_db(now))
        for deck_id, (new, learning, review) in counts.items():
            deck = self._deck(self.names.get(deck_id, "?"))
            deck.new += new
            deck.learning += learning
            deck.review += review
        for (deck_id, state), n in done_today(con, self.day_start).items():
            name = self.names.get(deck_id, "?")
            if self.scope.deck is not None and name.lower() != self.scope.deck.lower():
                continue
            if state == NEW:
                self._deck(name).new_done += n
            elif state == REVIEW:
                self._deck(name).review_done += n

    def counts(self) -> QueueCounts:
        """Cards left over all decks; only decks changed since the last call are added up again."""
        if self._totals is None:
            self._shares = {name: _share(deck) for name, deck in self.decks.items()}
            self._totals = [sum(share[i] for share in self._shares.values()) for i in range(3)]
        else:
            for name in self._changed:
                old, new = self._shares.get(name, (0, 0, 0)), _share(self.decks[name])
                self._shares[name] = new
                for i in range(3):
                    self._totals[i] += new[i] - old[i]
        self._changed.clear()
        return QueueCounts(*self._totals)

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

    def _deck_order(self) -> list[tuple[int, str]]:
        """(id, name) of every deck, in deck name order, then id.

        Sorted again only when `names` is replaced (load) or grows (the session adds
        decks synced since it began by updating it in place).
        """
        key = (id(self.names), len(self.names))
        if key != self._order_key:
            self._order = sorted(self.names.items(), key=lambda kv: (kv[1].lower(), kv[0]))
            self._order_key = key
        return self._order

    def _iter_ids_where(self, predicate: str) -> Iterator[int]:
        """Deck ids (deck name order, then id) whose deck has this count left."""
        for deck_id, name in self._deck_order():
            deck = self.decks.get(name)
            if deck is not None and getattr(deck, predicate) > 0:
                yield deck_id

    def _ids_where(self, predicate: str) -> list[int]:
        return list(self._iter_ids_where(predicate))

    def _sql(self, con: HotSQL) -> PickSQL:
        """The pick queries, built once per queue (the deck scope is fixed)."""
        if self._picks is None:
            self._picks = PickSQL(self.deck_ids, self.scope.section, con)
        return self._picks

    def pick_learning(self, s: Txn, now: datetime, until: datetime) -> int | None:
        """The learning/relearning card due first, if due by `until`."""
        con = hot(s)
        sql = self._sql(con)
        return sql.one(con, sql.learning, (*sql.scope_params, con.to_db(until), con.to_db(now)))

    def pick_review(self, s: Txn, now: datetime) -> int | None:
        """The most overdue review card of a deck with review quota left."""
        ids = self._ids_where("review_left")
        if not ids:
            return None
        con = hot(s)
        sql = self._sql(con)
        return sql.one(con, sql.review(ids), (*sql.scope_params, con.to_db(self.day_end), con.to_db(now)))

    def pick_new(self, s: Txn, now: datetime) -> int | None:
        """The first new card (in file order) of the first deck (by name) with new quota left."""
        con = hot(s)
        sql, at = self._sql(con), con.to_db(now)
        for deck_id in self._iter_ids_where("new_left"):
            found = sql.one(con, sql.new, (*sql.scope_params, deck_id, at))
            if found is not None:
                return found
        return None
