"""Retrievability now, as FSRS computes it, for `cards --json` and the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsModel
from studydl.search.card_info import retrievability

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("stability", [0.5, 2.5, 12.5, 80.0])
@pytest.mark.parametrize("decay", [DEFAULT_PARAMETERS[20], 0.5, 0.3])
def test_recall_is_90_percent_after_stability_days(stability: float, decay: float) -> None:
    """Stability is by definition the time to 90 % recall, whatever the curve's decay."""
    model = FsrsModel((*DEFAULT_PARAMETERS[:20], decay))
    at_stability = retrievability(model, stability, NOW - timedelta(days=stability), NOW)
    assert at_stability == pytest.approx(0.9, rel=1e-9)


def test_fsrs5_decay_gives_the_fsrs45_power_curve() -> None:
    """Decay 0.5 is FSRS-4.5/5's curve: (1 + 19/81 * t/S) ** -0.5."""
    model = FsrsModel((*DEFAULT_PARAMETERS[:20], 0.5))
    got = retrievability(model, 10.0, NOW - timedelta(days=30), NOW)
    assert got == pytest.approx((1 + 19 / 81 * 30 / 10) ** -0.5, rel=1e-9)


def test_retrievability_is_none_before_a_first_review_and_falls_with_time() -> None:
    model = FsrsModel()
    assert retrievability(model, None, None, NOW) is None
    at_stability = retrievability(model, 10.0, NOW - timedelta(days=10), NOW)
    later = retrievability(model, 10.0, NOW - timedelta(days=10, hours=12), NOW)
    assert at_stability is not None and later is not None and later < at_stability
    assert retrievability(model, 10.0, NOW, NOW) == pytest.approx(1.0)
