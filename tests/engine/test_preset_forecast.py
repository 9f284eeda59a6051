"""The workload simulator and a card's retrievability follow each deck's preset, not the Default one's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from studydl.domain.review import Rating
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsModel
from studydl.engine.session import ReviewSession
from studydl.engine.settings import DECKS_KEY, PRESETS_KEY, load_settings, save_changes
from studydl.engine.simulate import forecast
from studydl.engine.workload_cards import load_workload
from studydl.search.card_info import scheduling
from tests.engine.engine_samples import card_ids

FAST = list(DEFAULT_PARAMETERS)
FAST[0], FAST[2], FAST[20] = 0.05, 0.4, 0.5
"""Parameters of a learner who forgets fast (another decay too)."""


def _presets(db) -> None:  # noqa: ANN001
    save_changes(
        db,
        {
            "timezone": "UTC",
            PRESETS_KEY: {"Fast": {"parameters": tuple(FAST), "maximum_interval": 4, "learning_steps_min": (5.0,)}},
            DECKS_KEY: {"Other": {"preset": "Fast"}, "Basics": {"retention": 0.8}},
        },
    )


def test_the_forecast_simulates_each_deck_with_its_preset(synced, clock) -> None:
    _presets(synced)
    settings = load_settings(synced)
    days = 30
    together = forecast(load_workload(synced, clock.now, settings), 0.9, days)
    basics = forecast(load_workload(synced, clock.now, settings, {"Basics"}), 0.9, days)
    other = forecast(load_workload(synced, clock.now, settings.for_preset("Fast"), {"Other"}), 0.9, days)
    everything_default = forecast(
        load_workload(synced, clock.now, replace(settings, presets={}, deck_presets={}, deck_retention={})), 0.9, days
    )
    assert together is not None and basics is not None and other is not None and everything_default is not None
    assert together.runs == basics.runs == other.runs
    for field in ("reviews", "new", "minutes"):
        summed = [a + b for a, b in zip(getattr(basics, field), getattr(other, field), strict=True)]
        assert getattr(together, field) == pytest.approx(summed)
    assert sum(together.reviews) != pytest.approx(sum(everything_default.reviews))


def test_a_deck_with_its_own_retention_keeps_it_when_another_is_asked(synced, clock) -> None:
    _presets(synced)
    settings = load_settings(synced)
    workload = load_workload(synced, clock.now, settings, {"Basics"})
    at_own = forecast(workload, 0.8, 60)
    asked_other = forecast(workload, 0.95, 60)
    assert at_own is not None and asked_other is not None
    assert at_own.reviews == asked_other.reviews  # Basics keeps its 0.8


def test_retrievability_follows_the_deck_preset(synced, clock) -> None:
    _presets(synced)
    settings = load_settings(synced)
    session = ReviewSession(synced, clock=clock)
    other = card_ids(synced, "Other")[0]
    for _ in range(3):
        session.answer(other, Rating.GOOD, 1000)
        clock.advance(days=2)
    with synced.read() as s:
        facts = scheduling(s, [other], clock.now, settings)[other]
    assert facts.stability is not None and facts.last_review is not None
    elapsed = (clock.now - facts.last_review).total_seconds() / 86400
    assert facts.retrievability == pytest.approx(FsrsModel(FAST).retrievability(facts.stability, elapsed))
    assert facts.retrievability != pytest.approx(FsrsModel().retrievability(facts.stability, elapsed))
