"""The learner's cards as the workload simulator starts from them: memory states, due days, limits.

Read from the store once (`load_workload`), in one snapshot, as numpy arrays: each
deck's live cards (not retired, not suspended), with days counted from today's study
day, and the deck's daily limits. Review and (re)learning cards keep their FSRS memory
state, last review and due day; new cards wait to be introduced under the deck's
new-card limit, after the ones already introduced today. A card overdue is due today;
a buried card is due when it comes out. A card's last review is never after today
(day 0), so a (re)learning card answered today is reviewed again today, as Anki's
simulator takes cards in its learning queue.

The rows come through the store's own connection (`raw_read`) and are turned into
arrays column by column: a collection of a million cards is read without a Python
object per card.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from studydl.engine.answer_profile import AnswerProfile, read_profile
from studydl.engine.day_arrays import as_time, study_days_of
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS
from studydl.engine.history import SCHEDULED
from studydl.engine.settings import Settings
from studydl.store.db import Database
from studydl.store.hot import HotSQL
from studydl.store.queries import NEW

FIELDS = ("stability", "difficulty", "last_day", "due_day", "interval", "lapses")
_CARD_ROW = np.dtype(
    [
        ("deck", "i8"),
        ("state", "i8"),
        ("stability", "f8"),
        ("difficulty", "f8"),
        ("due", "M8[us]"),
        ("last", "M8[us]"),
        ("lapses", "i8"),
        ("buried", "M8[us]"),
    ]
)
"""A card row as the simulator reads it (times as stored: SQLite's text or PostgreSQL's datetime; NULL is NaT)."""


@dataclass(frozen=True)
class StudiedCard:
    """A card with a memory state, in days from today (day 0)."""

    stability: float
    difficulty: float
    last_day: int
    """The study day of its last review (0 today, negative before)."""
    due_day: int
    """When it is next due (0: today, overdue included)."""
    interval: int
    """Days from its last review to its scheduled due day (the queue takes the earliest first)."""
    lapses: int


@dataclass(frozen=True, eq=False)
class StudiedCards:
    """Cards with a memory state, one array per `StudiedCard` field."""

    stability: np.ndarray
    difficulty: np.ndarray
    last_day: np.ndarray
    due_day: np.ndarray
    interval: np.ndarray
    lapses: np.ndarray

    @classmethod
    def of(cls, cards: Iterable[StudiedCard]) -> StudiedCards:
        rows = [tuple(getattr(card, name) for name in FIELDS) for card in cards]
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(FIELDS)
        return cls(*(np.array(column, dtype=np.float64 if i < 2 else np.int64) for i, column in enumerate(columns)))

    def __len__(self) -> int:
        return len(self.stability)

    def __iter__(self) -> Iterator[StudiedCard]:
        for row in zip(*(getattr(self, name).tolist() for name in FIELDS), strict=True):
            yield StudiedCard(*row)

    def digest(self, h: hashlib._Hash) -> None:
        for name in FIELDS:
            h.update(np.ascontiguousarray(getattr(self, name)).tobytes())


@dataclass(frozen=True)
class DeckRules:
    """What a deck is scheduled with, from its preset: None everywhere means the workload's own."""

    parameters: tuple[float, ...] | None = None
    retention: float | None = None
    """The deck's own desired retention (another preset's, or the deck's override); None: the
    retention the forecast is asked for (the workload's preset's, or a retention compared)."""
    maximum_interval: int | None = None
    learning_steps: int | None = None
    relearning_steps: int | None = None
    suspend_after_lapses: int | None | bool = False
    """False: the workload's; None: never suspended; else the lapse count."""


@dataclass(frozen=True, eq=False)
class DeckWorkload:
    """One deck's cards and limits (limits are per deck)."""

    name: str
    new_limit: int
    review_limit: int
    studied: StudiedCards
    new_cards: int
    """New cards waiting."""
    introduced_today: int
    """New cards already introduced today (they use up today's new-card limit)."""
    rules: DeckRules = DeckRules()
    """Its preset's options where they differ from the workload's."""

    @property
    def size(self) -> int:
        return len(self.studied) + (self.new_cards if self.new_limit > 0 else 0)


@dataclass(frozen=True, eq=False)
class Workload:
    """Everything the simulator starts from: the cards, FSRS parameters, habits and rules.

    Two workloads with the same content have the same `fingerprint` (the forecast cache's key).
    """

    decks: tuple[DeckWorkload, ...]
    parameters: tuple[float, ...]
    parameters_default: bool
    """True until `studydl optimize` saved personal parameters."""
    profile: AnswerProfile
    desired_retention: float
    """The current setting (the one the chart marks)."""
    maximum_interval: int
    learning_steps: int
    relearning_steps: int
    suspend_after_lapses: int | None

    @property
    def cards(self) -> int:
        return sum(deck.size for deck in self.decks)

    @cached_property
    def fingerprint(self) -> bytes:
        h = hashlib.blake2b(digest_size=20)
        for deck in self.decks:
            h.update(repr((deck.name, deck.new_limit, deck.review_limit, deck.new_cards, deck.introduced_today, deck.rules)).encode())
            deck.studied.digest(h)
        rules = (self.parameters, self.profile, self.maximum_interval, self.learning_steps, self.relearning_steps)
        h.update(repr((*rules, self.suspend_after_lapses)).encode())
        return h.digest()


def _introduced_today(sql: HotSQL, day_start: datetime) -> dict[int, int]:
    """Deck id -> cards answered today for the first time (their state before was new)."""
    state = sql.json_int("r.state_before", "state")
    rows = sql.execute(
        "SELECT c.deck_id, COUNT(*) FROM review_log r JOIN cards c ON c.id = r.card_id"
        f" WHERE r.reviewed_at >= ? AND r.kind = ? AND COALESCE({state}, 0) = ? GROUP BY c.deck_id",
        (sql.to_db(day_start), SCHEDULED, NEW),  # a crammed new card stays new
    )
    return {int(deck_id): int(count) for deck_id, count in rows}


def _studied_by_deck(sql: HotSQL, now: datetime, settings: Settings) -> tuple[dict[int, StudiedCards], dict[int, int]]:
    """Each deck's studied cards (arrays) and its count of new cards."""
    days = settings.study_days()
    today = days.day_of(now)
    rows = sql.execute(
        "SELECT deck_id, state, COALESCE(stability, -1.0), COALESCE(difficulty, -1.0), due, last_review,"
        " COALESCE(lapses, 0), buried_until FROM cards WHERE retired = FALSE AND suspended = FALSE"
    ).fetchall()
    if not rows:
        return {}, {}
    card = np.fromiter(rows, dtype=_CARD_ROW, count=len(rows))
    deck, stability, difficulty, last = card["deck"], card["stability"], card["difficulty"], card["last"]
    new = (card["state"] == NEW) | (stability < 0) | (difficulty < 0) | np.isnat(last)
    due_days = np.where(np.isnat(card["due"]), today, study_days_of(days, card["due"])) - today  # no due time: now
    buried = card["buried"]
    still_buried = ~np.isnat(buried) & (buried > as_time(now))
    due_days = np.where(still_buried, np.maximum(due_days, study_days_of(days, buried) - today), due_days)
    last_days = np.minimum(0, study_days_of(days, last) - today)
    lapses = card["lapses"]
    studied: dict[int, StudiedCards] = {}
    new_counts: dict[int, int] = {}
    order = np.argsort(deck, kind="stable")  # each deck's cards together, in the read's order
    decks, starts = np.unique(deck[order], return_index=True)
    for one, mine in zip(decks.tolist(), np.split(order, starts[1:]), strict=True):  # not a pass over every card per deck
        fresh = new[mine]
        new_counts[one] = int(np.count_nonzero(fresh))
        take = mine[~fresh]
        studied[one] = StudiedCards(
            stability=stability[take],
            difficulty=difficulty[take],
            last_day=last_days[take],
            due_day=np.maximum(0, due_days[take]),
            interval=np.maximum(1, due_days[take] - last_days[take]),
            lapses=lapses[take],
        )
    return studied, new_counts


def _leech(settings: Settings) -> int | None:
    return settings.leech_threshold if settings.leech_suspend and settings.leech_threshold > 0 else None


def deck_rules(settings: Settings, deck: str) -> DeckRules:
    """The options `deck` is scheduled with (its preset's, its own retention) where they differ from `settings`'."""
    view = settings.for_deck(deck)
    if view is settings:
        return DeckRules()

    def differs(mine: object, theirs: object) -> object:
        return mine if mine != theirs else None

    own_retention = view.preset != settings.preset or deck in settings.deck_retention
    return DeckRules(
        parameters=differs(view.parameters or DEFAULT_PARAMETERS, settings.parameters or DEFAULT_PARAMETERS),  # type: ignore[arg-type]
        retention=view.desired_retention if own_retention else None,
        maximum_interval=differs(view.maximum_interval, settings.maximum_interval),  # type: ignore[arg-type]
        learning_steps=differs(len(view.learning_steps_min), len(settings.learning_steps_min)),  # type: ignore[arg-type]
        relearning_steps=differs(len(view.relearning_steps_min), len(settings.relearning_steps_min)),  # type: ignore[arg-type]
        suspend_after_lapses=_leech(view) if _leech(view) != _leech(settings) else False,
    )


def load_workload(db: Database, now: datetime, settings: Settings, only: set[str] | None = None) -> Workload:
    """The learner's cards (of the decks named in `only`; None: all), limits, parameters and answer profile, as of `now`."""
    days = settings.study_days()
    with db.raw_read() as sql:
        names = {int(i): str(name) for i, name in sql.execute("SELECT id, name FROM decks")}
        studied, new_counts = _studied_by_deck(sql, now, settings)
        introduced = _introduced_today(sql, days.start_of(days.day_of(now)))
        profile = read_profile(sql, days)
    if only is not None:
        studied = {i: cards for i, cards in studied.items() if names.get(i) in only}
    decks = []
    leech = _leech(settings)
    for deck_id in sorted(studied, key=lambda i: (names.get(i, "").lower(), i)):
        name = names.get(deck_id, "")
        new_limit, review_limit = settings.limits_for(name)
        decks.append(
            DeckWorkload(
                name=name,
                new_limit=new_limit,
                review_limit=review_limit,
                studied=studied[deck_id],
                new_cards=new_counts[deck_id],
                introduced_today=min(new_limit, introduced.get(deck_id, 0)),
                rules=deck_rules(settings, name),
            )
        )
    return Workload(
        decks=tuple(decks),
        parameters=settings.parameters if settings.parameters is not None else DEFAULT_PARAMETERS,
        parameters_default=settings.parameters is None,
        profile=profile,
        desired_retention=settings.desired_retention,
        maximum_interval=settings.maximum_interval,
        learning_steps=len(settings.learning_steps_min),
        relearning_steps=len(settings.relearning_steps_min),
        suspend_after_lapses=leech,
    )
