"""Which card comes next, and how many are left: index-backed queries and cached counts.

Counts are taken once (session start, a new study day, after an undo) and then
adjusted per answer, so answering never counts the whole collection. The day's due
reviews are read and sorted once, in the review order of the studied deck's preset
(the Default preset's for all decks, as Anki takes the selected deck's), then handed
out in turn, each checked to be still due; new cards come in file order, or in a
random order fixed for the day (Anki's "random cards").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, or_

from studydl.domain.review import QueueCounts
from studydl.engine.card_sql import PickSQL, Txn, hot
from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.learning_queue import LearningQueue
from studydl.engine.queue_counts import (  # noqa: F401  (re-exported: the queue's vocabulary)
    LEARN_STATES,
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    DeckQueue,
    bucket,
    deck_names,
    done_today,
)
from studydl.engine.review_order import Curve, DueReview, day_hash, sort_reviews
from studydl.engine.settings import Settings
from studydl.store.hot import HotSQL
from studydl.store.models import CardRow


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


def _share(deck: DeckQueue) -> tuple[int, int, int]:
    return deck.new_left, deck.learning, deck.review_left


def _nothing() -> None:
    pass


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
    _reviews: list[tuple[int, int]] | None = field(default=None, repr=False)
    """Today's due reviews, (card id, deck id) in review order; read at the first pick."""
    _review_at: int = field(default=0, repr=False)
    _review_reps: dict[int, int] = field(default_factory=dict, repr=False)
    """Each due review's review count (its fuzz seed is id + count)."""
    _news: list[tuple[int, int]] | None = field(default=None, repr=False)
    """With the random new-card order: the new cards, (card id, deck id), in the day's order."""
    _new_at: int = field(default=0, repr=False)
    _deck_news: dict[int, list[int]] = field(default_factory=dict, repr=False)
    """In file order: each deck's next new cards as read at its first pick, last first (then by query)."""
    learning: LearningQueue | None = field(default=None, repr=False)
    """The learning cards due today, in memory (SQLite); None: picked by query."""

    @property
    def options(self) -> Settings:
        """The preset whose orders this queue follows: the studied deck's, else Default's."""
        if self.scope.deck is None:
            return self.settings
        name = next((n for n in self.names.values() if n.lower() == self.scope.deck.lower()), self.scope.deck)
        return self.settings.for_deck(name)

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
        self._reviews = self._news = None
        self._deck_news = {}
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

    def load_learning(self, con: HotSQL, mark: tuple | None, horizon: datetime) -> None:
        """Read the learning cards due by `horizon` into memory, current at `mark` (None: keep none, pick by query)."""
        if mark is None:
            self.learning = None
            return
        sql = self._sql(con)
        self.learning = LearningQueue(con.execute(sql.all_learning, (*sql.scope_params, con.to_db(horizon))).fetchall(), mark)

    def pick_learning(self, s: Txn, now: datetime, until: datetime) -> int | None:
        """The learning/relearning card due first, if due by `until`."""
        con = hot(s)
        if self.learning is not None:  # current: the session checked its mark
            found = self.learning.first(con.to_db(now), con.to_db(until))
            return found[0] if found is not None else None
        sql = self._sql(con)
        params = (*sql.scope_params, con.to_db(until), con.to_db(now))
        return sql.one(con, sql.learning, params + params)

    def upcoming_seeds(self, s: Txn, now: datetime, cards: int = 512) -> list[int]:
        """The fuzz seeds (card id + review count, and the next two counts) of the cards likely
        shown next: the learning cards due first, the next due reviews, the next new cards."""
        con = hot(s)
        sql = self._sql(con)
        seeds: list[int] = []
        day_end = con.to_db(self.day_end)
        params = (*sql.scope_params, day_end, con.to_db(now), cards)
        for card_id, reps in con.execute(sql.first_learning, params + params):
            seeds.extend(range(card_id + reps, card_id + reps + 3))
        for card_id, _deck in (self._reviews or [])[self._review_at : self._review_at + cards]:
            reps = self._review_reps.get(card_id, 0)
            seeds.extend((card_id + reps, card_id + reps + 1))
        if self._news is not None:
            for card_id, _deck in self._news[self._new_at : self._new_at + cards]:
                seeds.extend((card_id, card_id + 1, card_id + 2))
        else:
            for deck_id in self._iter_ids_where("new_left"):
                left = min(cards, self.decks[self.names.get(deck_id, "?")].new_left)
                for card_id, reps in con.execute(sql.first_new, (*sql.scope_params, deck_id, left)):
                    seeds.extend(range(card_id + reps, card_id + reps + 3))
                break  # new cards come from the first deck with quota left until it has none
        return seeds

    def pick_review(self, s: Txn, now: datetime) -> int | None:
        """The next due review card, in the preset's review order, of a deck with review quota left."""
        con = hot(s)
        if self._reviews is None:
            self._reviews, self._review_at = self._sorted_reviews(con, now), 0
        return self._next_of(con, now, self._reviews, "_review_at", "review_left", 2)

    def _next_of(self, con: HotSQL, now: datetime, cards: list[tuple[int, int]], cursor: str, quota: str, state: int) -> int | None:
        """The first card from the cursor on whose deck has quota left and that is still waiting (others are passed for good)."""
        decks = set(self._iter_ids_where(quota))
        sql = self._sql(con)
        at = getattr(self, cursor)
        while at < len(cards):
            card_id, deck_id = cards[at]
            if deck_id in decks:
                found = con.execute(sql.still_due, (card_id,)).fetchone()
                if found is not None and self._waiting(con, found, now, state):
                    setattr(self, cursor, at)
                    return card_id
            at += 1
        setattr(self, cursor, at)
        return None

    def _waiting(self, con: HotSQL, row: tuple, now: datetime, state: int) -> bool:
        found_state, due, buried_until, suspended, retired = row
        if found_state != state or suspended or retired:
            return False
        buried = con.from_db(buried_until)
        if buried is not None and buried > now:
            return False
        return state != 2 or (due is not None and con.from_db(due) < self.day_end)

    def _sorted_reviews(self, con: HotSQL, now: datetime) -> list[tuple[int, int]]:
        sql = self._sql(con)
        days = self.settings.study_days()
        rows = con.execute(sql.due_reviews, (*sql.scope_params, con.to_db(self.day_end), con.to_db(now)))
        cards = []
        self._review_reps = {}
        for card_id, deck_id, due, last_review, stability, difficulty, reps in rows:
            self._review_reps[card_id] = reps
            due_at, last = con.from_db(due), con.from_db(last_review)
            due_day = days.day_of(due_at) if due_at is not None else 0
            interval = due_day - days.day_of(last) if last is not None else 0
            cards.append(DueReview(card_id, deck_id, due_day, interval, stability, difficulty, last))
        rank = {deck_id: i for i, (deck_id, _) in enumerate(self._deck_order())}
        curves: dict[int, Curve] = {}

        def curve(deck_id: int) -> Curve:
            if deck_id not in curves:
                seen = self.settings.for_deck(self.names.get(deck_id, ""))
                curves[deck_id] = Curve(FsrsModel(seen.parameters).decay, seen.desired_retention)
            return curves[deck_id]

        ordered = sort_reviews(cards, self.options.review_order, days.day_of(now), now, rank, curve)
        return [(card.id, card.deck_id) for card in ordered]

    def pick_new(self, s: Txn, now: datetime) -> int | None:
        """The next new card: in file order from the first deck (by name) with new quota left, or in the day's random order."""
        con = hot(s)
        sql, at = self._sql(con), con.to_db(now)
        if self.options.new_order == "random":
            if self._news is None:
                today = self.settings.study_days().day_of(now)
                found = con.execute(sql.all_new, (*sql.scope_params, at)).fetchall()
                self._news, self._new_at = sorted(found, key=lambda row: day_hash(row[0], today)), 0
            return self._next_of(con, now, self._news, "_new_at", "new_left", 0)
        for deck_id in self._iter_ids_where("new_left"):
            found = self._listed_new(con, now, deck_id)
            if found is None:  # the list ran out (its cards buried or suspended since): ask the index
                found = sql.one(con, sql.new, (*sql.scope_params, deck_id, at))
            if found is not None:
                return found
        return None

    def _listed_new(self, con: HotSQL, now: datetime, deck_id: int) -> int | None:
        """The deck's first new card still waiting, from its list (read once: a check per card, not a sort)."""
        listed = self._deck_news.get(deck_id)
        if listed is None:
            sql = self._sql(con)
            left = self.decks[self.names.get(deck_id, "?")].new_left
            listed = [card_id for card_id, _reps in con.execute(sql.first_new, (*sql.scope_params, deck_id, left))][::-1]
            self._deck_news[deck_id] = listed
        while listed:
            found = con.execute(self._sql(con).still_due, (listed[-1],)).fetchone()
            if found is not None and self._waiting(con, found, now, NEW):
                return listed[-1]
            listed.pop()
        return None

    def peek_review(self, skip: int | None = None) -> tuple[int, Callable[[], None]] | None | bool:
        """As `pick_review` from memory alone: the card it checks first and how to take it (its cursor
        moved there); None when no card is left, False when only a query can tell. `skip`: a card
        passed over, nothing else changed (the one shown, when guessing the card after it)."""
        if self._reviews is None:
            return False
        return self._peek(self._reviews, "_review_at", "review_left", skip)

    def peek_new(self, skip: int | None = None) -> tuple[int, Callable[[], None]] | None | bool:
        """As `pick_new` from memory alone (see `peek_review`)."""
        if self.options.new_order == "random":
            return False if self._news is None else self._peek(self._news, "_new_at", "new_left", skip)
        for deck_id in self._iter_ids_where("new_left"):
            listed = self._deck_news.get(deck_id)
            if listed and listed[-1] == skip:
                listed = listed[:-1]
            return (listed[-1], _nothing) if listed else False  # unread, or ran out: a query
        return None

    def _peek(self, cards: list[tuple[int, int]], cursor: str, quota: str, skip: int | None) -> tuple[int, Callable[[], None]] | None:
        """`_next_of`'s first card to check: cards of decks without quota before it are passed for good."""
        at = getattr(self, cursor)
        names, decks = self.names, self.decks
        while at < len(cards):
            deck = decks.get(names.get(cards[at][1], "?")) if cards[at][1] in names else None
            if deck is not None and getattr(deck, quota) > 0 and cards[at][0] != skip:  # (as `_iter_ids_where`, for this card's deck alone)
                return cards[at][0], partial(setattr, self, cursor, at)
            at += 1
        if skip is None:
            setattr(self, cursor, at)
        return None

    def waiting(self, row: Any, now: datetime, state: int) -> bool:
        """`_waiting` on a card read whole (card_sql.card_row)."""
        if row.state != state or row.suspended or row.retired:
            return False
        if row.buried_until is not None and row.buried_until > now:
            return False
        return state != 2 or (row.due is not None and row.due < self.day_end)

    def answered(self, card_id: int, deck_id: int) -> None:
        """The card handed out was answered: the next pick starts after it, without checking it again."""
        listed = self._deck_news.get(deck_id)
        if listed and listed[-1] == card_id:
            listed.pop()
        if self._reviews is not None and self._review_at < len(self._reviews) and self._reviews[self._review_at][0] == card_id:
            self._review_at += 1
        if self._news is not None and self._new_at < len(self._news) and self._news[self._new_at][0] == card_id:
            self._new_at += 1
