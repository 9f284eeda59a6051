"""add-and-norm: residual connections with layer norm train a deep stack the plain one can't."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves


def test_add_and_norm_trains_where_the_plain_stack_stays_at_chance() -> None:
    outcome = run_to_end("add-and-norm", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["add_norm_val_accuracy"] >= 0.95
    assert m["plain_val_accuracy"] < 0.45  # chance is 1/3
    # At init the plain stack's gradient vanishes toward the input; Add & Norm's does not.
    assert m["plain_grad_first_to_last"] < 1e-6
    assert 0.1 < m["add_norm_grad_first_to_last"] < 10
    assert m["plain_signal_last_layer"] < 1e-6 < 0.1 < m["add_norm_signal_last_layer"]
    # Honest about the alternative: a He init also trains the plain stack.
    assert m["plain_he_val_accuracy"] >= 0.95
    grads = next(e for e in outcome.events if isinstance(e, Curves) and e.key == "grads")
    assert grads.log_y and len(grads.series["Add & Norm"][0]) == 29


def test_the_plain_stack_fails_at_every_rate_even_with_the_whole_budget() -> None:
    # target 1.0 never stops early: every variant gets all 120 steps at all three rates.
    outcome = run_to_end("add-and-norm", seed=0, overrides={"target": "1.0"})
    m = outcome.result.metrics
    assert m["steps"] == 120
    assert m["plain_val_accuracy"] < 0.45  # the best of its three learning rates
    assert m["add_norm_val_accuracy"] >= 0.97
