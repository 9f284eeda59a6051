"""The write side of an answer, run inside one write transaction.

An answer reads the card inside the (BEGIN IMMEDIATE) transaction, so two processes
answering on one database never overwrite each other. The log row's `state_before`
holds the card's previous state and the previous `buried_until` of every sibling the
answer buried; the returned `UndoEntry` holds the same as data for `engine.undo`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from studydl.domain.errors import StudyError
from studydl.domain.review import CardState, Rating
from studydl.engine import card_sql
from studydl.engine.card_memory import iso_utc
from studydl.engine.load_balancer import Balance, LoadBalancer, card_balance
from studydl.engine.scheduler import CardScheduler, Memory, Plan
from studydl.engine.undo import CardChange, UndoEntry

NEW, REVIEW = int(CardState.NEW), int(CardState.REVIEW)


@dataclass(frozen=True)
class Sibling:
    """A sibling this answer buried, as it was before."""

    id: int
    deck_id: int
    section: str
    state: int
    due: datetime | None
    buried_until: datetime | None


@dataclass(frozen=True)
class Shown:
    """A card's buttons as shown: the plan, and what it was computed with."""

    plan: Plan
    scheduler: CardScheduler
    balance: Balance | None
    balancer_version: int

    def still(self, scheduler: CardScheduler, memory: Memory, balance: Balance | None, now: datetime) -> bool:
        """Whether the plan is still the answer's: same card state, study day, preset, counts and note."""
        plan = self.plan
        if scheduler is not self.scheduler or plan.memory != memory or plan.today != scheduler.days.day_of(now):
            return False
        if balance is None or self.balance is None:
            return balance is None and self.balance is None
        return (
            balance.balancer is self.balance.balancer
            and balance.balancer.version == self.balancer_version
            and balance.siblings == self.balance.siblings
        )


@dataclass(frozen=True)
class AnswerResult:
    review_id: int
    card_id: int
    deck_id: int
    section: str
    before: Memory
    after: Memory
    interval: timedelta
    """As the answer button showed it."""
    became_leech: bool
    buried: tuple[Sibling, ...]
    undo: UndoEntry
    preset: str = ""
    """The preset the card was scheduled with."""
    retired: bool = False
    buried_until: datetime | None = None
    version: object = None
    """The store's change counter the write saw (`known`'s check), else None."""


@dataclass(frozen=True)
class Known:
    """The card and its note as read when shown, and the check that nothing changed since.

    The answer reads the store's change counter just before the card's update
    and hands it to `check`, which raises (rolling the transaction back) if anything did:
    then the answer is written again with the card read afresh."""

    row: Any
    note_cards: list[tuple]
    check: Callable[[object], None]


class NoSuchCard(StudyError):
    """The card id is not in the store."""


def apply_answer(
    s: card_sql.Txn,
    scheduler: CardScheduler,
    card_id: int,
    rating: Rating,
    now: datetime,
    duration_ms: int | None,
    bury_until: datetime | None,
    detail: str | None = None,
    balancer: LoadBalancer | None = None,
    deck_name: Callable[[int], str] | None = None,
    shown: Shown | None = None,
    known: Known | None = None,
) -> AnswerResult:
    """Schedule the answer, bury siblings until `bury_until` (None: don't), append the log row.

    The card is scheduled with its deck's preset (`scheduler.for_deck`; `deck_name` maps
    a deck id to its name, else it is read) and, when given, through the load balancer,
    (the caller moves the card in its counts once the answer is committed). Siblings are buried when the
    preset says so. Only new and review siblings that are live (not retired, not
    suspended) and not already buried that long are buried, as Anki buries only cards in
    its queues. `detail` is the JSON of a typed or predicted answer, kept on the log row.

    `shown`: the plan the card's buttons were computed from; applied as it is (as Anki
    applies the states its buttons showed) when the card, the day, the preset, the
    balancer's counts and the note's other cards are still what it was computed from,
    else computed afresh.

    `known`: the card and its note as read when shown, used instead of reading them again
    when its check passes (see Known).
    """
    con = card_sql.hot(s)
    row, note_cards = (known.row, known.note_cards) if known is not None else card_sql.card_with_note(con, card_id)
    if row is None:
        raise NoSuchCard(f"no card with id {card_id}")
    if scheduler.per_deck:
        name = deck_name(row.deck_id) if deck_name is not None else card_sql.deck_name(con, row.deck_id)
        scheduler = scheduler.for_deck(name)
    if not scheduler.settings.bury_siblings:
        bury_until = None
    before = Memory.from_row(row)
    balance = card_balance(balancer, scheduler.settings, note_cards)
    if shown is not None and shown.still(scheduler, before, balance, now):
        plan = shown.plan
        before = plan.memory  # (equal to the card's: the one whose log JSON was made with the plan)
    else:
        plan = scheduler.plan(card_id, before, now, balance)
    outcome = scheduler.apply(plan, rating, now)
    after = outcome.memory

    buried: list[Sibling] = []
    if bury_until is not None:
        buried = [
            Sibling(sib_id, deck_id, section, state, due, buried_until)
            for sib_id, deck_id, section, state, due, buried_until, retired, suspended in note_cards
            if sib_id != card_id
            and state in (NEW, REVIEW)
            and not retired
            and not suspended
            and (buried_until is None or buried_until < bury_until)
        ]

    old, new = before.columns(), after.columns()
    # Only the columns the answer changes: an index holding none of them is not rewritten (`suspended`,
    # unchanged but set, rewrote the deck-section index's page on every answer).
    changed = {name: value for name, value in new.items() if value != old[name]}
    version = card_sql.write_memory(con, card_id, changed, versioned=known is not None)
    if known is not None:
        known.check(version)
    if buried:
        card_sql.bury(con, [sib.id for sib in buried], bury_until)
    state_before = before.to_json(buried=[[b.id, iso_utc(b.buried_until)] for b in buried])
    review_id = card_sql.insert_review(con, card_id, now, int(rating), duration_ms, state_before, after.to_json(), detail=detail)
    changes = (
        CardChange(card_id, old, new),
        *(CardChange(b.id, {"buried_until": b.buried_until}, {"buried_until": bury_until}) for b in buried),
    )
    undo = UndoEntry("answer", card_id, changes, review_id)
    return AnswerResult(
        review_id, card_id, row.deck_id, row.section, before, after, outcome.interval, outcome.became_leech,
        tuple(buried), undo, scheduler.settings.preset,
        row.retired, row.buried_until, version,
    )
