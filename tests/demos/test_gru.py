"""gru: the GRU carries a value across 20 noisy steps like the LSTM; the vanilla RNN cannot."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap


def test_gru_and_lstm_solve_the_recall_the_rnn_fails_with_more_steps() -> None:
    outcome = run_to_end("gru", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["gru_test_mse"] < 0.01 and m["lstm_test_mse"] < 0.01
    assert m["rnn_test_mse"] > 0.3  # guessing 0 scores 1/3
    # The RNN trained at least as long as either gated network needed.
    assert m["rnn_steps"] >= 1.5 * max(m["gru_steps"], m["lstm_steps"])
    # Two gates instead of three: a quarter fewer weights than the LSTM at the same width.
    assert m["gru_params"] < 0.8 * m["lstm_params"]
    # The gates recomputed from the weights reproduce torch's GRU, and the memory units'
    # update gates stay near 1 ("keep") while the value is held.
    assert m["gru_hand_vs_torch_diff"] < 1e-5
    assert m["gru_update_gate_while_holding"] > 0.8
    maps = {e.key: e for e in outcome.events if isinstance(e, Heatmap)}
    before, after = maps["update_gate_before"], maps["update_gate"]
    assert before.row_labels == after.row_labels  # the same units, on one fixed scale
    assert (before.v_min, before.v_max) == (after.v_min, after.v_max) == (0.0, 1.0)
    assert max(v for row in before.values for v in row) < 0.7  # keeping is not built in: it is learned
    assert max(v for row in after.values for v in row) > 0.95


def test_the_rnn_also_fails_at_a_ten_times_larger_learning_rate() -> None:
    outcome = run_to_end("gru", seed=0, overrides={"lr_rnn": "0.1"})
    assert outcome.result.metrics["rnn_test_mse"] > 0.3
