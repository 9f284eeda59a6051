"""A preset's minimum recommended retention and the workload of another desired retention.

Both run fsrs-rs's simulator (`fsrs_rs_python`, Anki's engine) on the learner's own
cards of the preset's decks, with the preset's parameters, limits and steps and the
learner's own answer habits (`workload_cards`, `answer_profile`):

- **Minimum recommended retention** (Anki's "Compute minimum recommended retention"):
  fsrs-rs's `optimal_retention(config, parameters, cards)`, its own search for the
  retention with the least time per card remembered, over a year, clamped to 0.70-0.95
  as Anki clamps it. The cards already studied keep the current retention; the new
  ones (the preset's waiting new cards, at least a month of them at the daily limit)
  are left to fsrs-rs, so they are scheduled at each retention the search tries. Below
  this retention, more forgetting costs more time in relearning than it saves.
- **Workload factor** (Anki's "Approximate workload: 1.23x"): the simulated minutes of
  study over a year at the new retention divided by those at the current one, every
  card at the retention tried (`simulate.forecast`, seeded: the same cards give the
  same factor). Anki estimates it analytically (fsrs-rs's
  `expected_workload_with_existing_cards`, not in fsrs-rs-python); a simulation is the
  approximation we can reach from Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from studydl.engine.fsrs_rs_config import simulator_cards, simulator_config
from studydl.engine.settings import Settings
from studydl.engine.simulate import forecast
from studydl.engine.workload_cards import DeckWorkload, StudiedCards, Workload, load_workload
from studydl.store.db import Database

DAYS = 365
"""Days simulated (Anki's simulator default)."""
ANKI_CLAMP = (0.70, 0.95)
"""Anki clamps the minimum recommended retention to this range."""
MIN_NEW_DAYS = 30
"""New cards simulated: the preset's waiting ones, at least this many days of them at the limit."""


def preset_decks(db: Database, settings: Settings, preset: str) -> set[str]:
    """The names of the decks in the store that use `preset`."""
    from studydl.engine.queue_counts import deck_names

    with db.raw_read() as con:
        names = set(deck_names(con).values())
    return set(settings.decks_of(preset, names))


def preset_cards(db: Database, settings: Settings, preset: str) -> set[int]:
    """The ids of the cards in decks that use `preset`."""
    decks = preset_decks(db, settings, preset)
    with db.raw_read() as con:
        rows = con.execute("SELECT cards.id, decks.name FROM cards JOIN decks ON decks.id = cards.deck_id").fetchall()
    return {card_id for card_id, name in rows if name in decks}


def preset_workload(db: Database, now: datetime, settings: Settings, preset: str) -> Workload:
    """The preset's cards as one deck, with the preset's options (its daily limits for all of them)."""
    seen = settings.for_preset(preset)
    workload = load_workload(db, now, seen, preset_decks(db, settings, preset))
    merged = DeckWorkload(
        name=preset,
        new_limit=seen.new_per_day,
        review_limit=seen.reviews_per_day,
        studied=StudiedCards.of(card for deck in workload.decks for card in deck.studied),
        new_cards=sum(deck.new_cards for deck in workload.decks),
        introduced_today=min(seen.new_per_day, sum(deck.introduced_today for deck in workload.decks)),
    )
    return replace(workload, decks=(merged,))


@dataclass(frozen=True)
class RetentionAdvice:
    preset: str
    minimum: float | None
    """The minimum recommended retention; None with no cards to simulate."""
    studied: int
    """Cards with a memory state the advice is based on."""


def minimum_recommended_retention(db: Database, now: datetime, settings: Settings, preset: str) -> RetentionAdvice:
    """fsrs-rs's optimal retention for the preset's own cards (see the module docstring)."""
    import fsrs_rs_python as fsrs_rs

    workload = preset_workload(db, now, settings, preset)
    deck = workload.decks[0]
    new_cards = max(deck.new_cards, MIN_NEW_DAYS * deck.new_limit)
    if not deck.studied and new_cards == 0:
        return RetentionAdvice(preset, None, 0)
    config = simulator_config(workload, replace(deck, new_cards=new_cards), DAYS)
    config.deck_size = len(deck.studied) + new_cards
    cards = _studied_cards(workload, deck, settings.for_preset(preset).desired_retention)
    found = fsrs_rs.optimal_retention(config, list(workload.parameters), cards)
    low, high = ANKI_CLAMP
    return RetentionAdvice(preset, round(min(max(float(found), low), high), 2), len(deck.studied))


def _studied_cards(workload: Workload, deck: DeckWorkload, retention: float) -> list:
    """The studied cards as fsrs-rs simulator cards, at `retention` (new ones are left to fsrs-rs)."""
    return simulator_cards(workload, replace(deck, new_cards=0), retention)


def workload_factor(
    db: Database, now: datetime, settings: Settings, preset: str, retention: float, compared_to: float
) -> float | None:
    """Simulated study time at `retention` over that at `compared_to` (None: nothing to simulate)."""
    workload = preset_workload(db, now, settings, preset)
    if workload.cards == 0:
        return None
    new = forecast(workload, retention, DAYS)
    old = forecast(workload, compared_to, DAYS)
    if new is None or old is None:
        return None
    before = math.fsum(old.minutes)
    return math.fsum(new.minutes) / before if before > 0 else None


def workload_text(factor: float | None, compared_to: float) -> str:
    """Anki's sentence: `Approximate workload: 1.23x (compared to 90% desired retention)`."""
    if factor is None:
        return "Approximate workload: no cards to simulate yet"
    return f"Approximate workload: {factor:.2f}x (compared to {compared_to * 100:g}% desired retention)"

