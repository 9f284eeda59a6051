"""Demo 4: hand-derived gradients equal autograd's, weight by weight."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Table, Text


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hand_gradients_match_autograd(seed: int) -> None:
    outcome = run_to_end("backprop", seed=seed, overrides={"x1": "1.5", "target": "0.9"})
    assert outcome.result.metrics["max_abs_diff"] < 1e-6
    assert outcome.result.reached


def test_table_has_every_weight_and_the_step_lowers_the_loss() -> None:
    outcome = run_to_end("backprop")
    table = next(e for e in outcome.events if isinstance(e, Table))
    assert len(table.rows) == 9  # 4 + 2 in the hidden layer, 2 + 1 at the output
    assert table.columns[2:4] == ["hand dL/dw", "autograd dL/dw"]
    m = outcome.result.metrics
    assert m["loss_after"] < m["loss_before"]
    assert any(isinstance(e, Text) and "chain rule" in e.title for e in outcome.events)
