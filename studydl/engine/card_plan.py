"""A card as the review shows it: read, its deck's scheduler, its four buttons planned once.

The plan is what `answer` applies (Anki's scheduling states, computed when the card is
shown). Computed here without touching the session, so that a card an answer read ahead
(engine/memory_pick.py `prefetch`) or handed over with its question only can be planned
while the learner reads (ReviewSession.prepare, shown_intervals: its buttons show when the
answer does), off the key's path, and the card shown take the plan as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from studydl.domain.review import DueCard
from studydl.engine import card_sql, fuzz_draws
from studydl.engine.answer import NoSuchCard, Shown
from studydl.engine.load_balancer import LoadBalancer, card_balance
from studydl.engine.queue import Queue, deck_names
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.store.hot import HotSQL
from studydl.store.queries import card_view


@dataclass(frozen=True)
class Planned:
    """A card shown: what the screen draws, the buttons `answer` applies, the card and note as read."""

    due: DueCard
    shown: Shown
    row: SimpleNamespace
    note_cards: list[tuple]
    at: datetime
    """The time it was planned at."""


def deck_name_of(con: HotSQL, queue: Queue, row: SimpleNamespace) -> str:
    """The name of the card's deck (the queue's names read again for a deck synced since the session began)."""
    if row.deck_id not in queue.names:
        queue.names.update(deck_names(con))
    return queue.names.get(row.deck_id, "?")


def plan_card(
    con: HotSQL, queue: Queue, scheduler: CardScheduler, balancer: LoadBalancer | None, card_id: int, now: datetime,
    read: tuple | None = None,
) -> Planned:
    """`card_id` read (or `read`: the card and its note, as card_sql.card_with_note gives them) and planned at `now`."""
    row, note_cards = read if read is not None else card_sql.card_with_note(con, card_id)
    if row is None:
        raise NoSuchCard(f"no card with id {card_id}")
    name = deck_name_of(con, queue, row)
    deck_scheduler = scheduler.for_deck(name)
    balance = card_balance(balancer, deck_scheduler.settings, note_cards)
    if deck_scheduler.settings.fuzz and not fuzz_draws.is_primed(card_id + row.reps):
        # This card's draw and those of the next few hundred cards, in one pass.
        fuzz_draws.prime([*range(card_id + row.reps, card_id + row.reps + 3), *queue.upcoming_seeds(con, now)])
    plan = deck_scheduler.plan(card_id, Memory.from_row(row), now, balance)
    plan.memory.to_json()  # (made now: the answer writes it to the log as the state before)
    shown = Shown(plan, deck_scheduler, balance, balancer.version if balancer is not None else 0)
    return Planned(DueCard(card_view(row, name), deck_scheduler.intervals(plan, now)), shown, row, note_cards, now)
