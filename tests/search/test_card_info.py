"""Retrievability now, as FSRS computes it, for `cards --json` and the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studydl.search.card_info import FSRS5_DECAY, FSRS6_DEFAULT_DECAY, decay_of, retrievability

fsrs = pytest.importorskip("fsrs")


def test_the_default_decay_is_fsrs_own() -> None:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    assert decay_of(None) == FSRS6_DEFAULT_DECAY == DEFAULT_PARAMETERS[20]
    assert decay_of(tuple(DEFAULT_PARAMETERS[:19])) == FSRS5_DECAY
    assert decay_of((*DEFAULT_PARAMETERS[:20], 0.3)) == 0.3


@pytest.mark.parametrize(("stability", "days"), [(1.0, 0), (2.5, 1), (12.5, 7), (80.0, 200)])
def test_retrievability_matches_fsrs_on_whole_days(stability: float, days: int) -> None:
    last = datetime(2026, 3, 1, 9, tzinfo=UTC)
    card = fsrs.Card(stability=stability, difficulty=5.0, last_review=last, state=fsrs.State.Review)
    now = last + timedelta(days=days)
    expected = fsrs.Scheduler().get_card_retrievability(card, now)
    assert retrievability(stability, last, now, FSRS6_DEFAULT_DECAY) == pytest.approx(expected, rel=1e-9)


def test_retrievability_is_none_before_a_first_review_and_falls_with_time() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert retrievability(None, None, now, FSRS6_DEFAULT_DECAY) is None
    at_stability = retrievability(10.0, now - timedelta(days=10), now, FSRS6_DEFAULT_DECAY)
    assert at_stability == pytest.approx(0.9)  # stability is the interval to 90 % recall
    assert retrievability(10.0, now - timedelta(days=10, hours=12), now, FSRS6_DEFAULT_DECAY) < at_stability
