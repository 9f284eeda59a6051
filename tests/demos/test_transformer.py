"""transformer: attention learns reversal; the causal mask hides the future exactly."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap, Table


def test_reversal_anti_diagonal_and_causal_mask() -> None:
    outcome = run_to_end("transformer", seed=0)
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["token_accuracy"] >= 0.95
    # Output t reads input L-1-t: most attention sits on the anti-diagonal.
    assert metrics["anti_diagonal_attention"] > 0.5
    # Under the causal mask, weights above the diagonal are exactly zero ...
    assert metrics["masked_upper_max"] == 0.0
    causal = next(e for e in outcome.events if isinstance(e, Heatmap) and e.key == "causal")
    assert all(row[t + 1 :] == [0.0] * (len(row) - t - 1) for t, row in enumerate(causal.values))
    assert all(abs(sum(row) - 1.0) < 1e-3 for row in causal.values)
    # ... so a changed future token cannot move earlier outputs; without the mask it does.
    assert metrics["causal_leak"] < 1e-6
    assert metrics["unmasked_leak"] > 0.1
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "invariance")
    assert len(table.rows) == 5  # positions 1..5 of a length-6 sequence
