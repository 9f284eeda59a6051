"""lstm-gates: the input gate opens at the mark, the forget gate holds the value after it."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap


def test_forget_gate_holds_the_marked_value_until_recall() -> None:
    outcome = run_to_end("lstm-gates", seed=0)
    metrics = outcome.result.metrics

    assert outcome.result.reached and outcome.result.stopped is None
    assert metrics["test_mse"] < 0.05  # answering 0 every time scores 1/3
    # Gates recomputed by hand from weight_ih/weight_hh (i, f, g, o) reproduce nn.LSTM.
    assert metrics["hand_vs_torch_diff"] < 1e-5
    assert metrics["memory_corr"] > 0.9
    assert metrics["forget_hold"] > 0.8
    assert metrics["input_mark"] > metrics["input_hold"] + 0.3

    memory = next(e for e in outcome.events if isinstance(e, Heatmap) and e.key == "memory")
    assert memory.row_labels[2] == "forget gate f"
    assert "M" in memory.col_labels and "R" in memory.col_labels
    hold = memory.values[2][memory.col_labels.index("M") + 1 : memory.col_labels.index("R")]
    assert min(hold) > 0.8
