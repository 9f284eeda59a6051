"""transformer: a decoder trained with the causal mask reverses digits it writes itself."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap, Table


def test_trained_with_the_mask_it_generates_the_reversal_and_never_reads_ahead() -> None:
    outcome = run_to_end("transformer", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["causal"] == 1.0
    # The mask is part of training: the model it trained writes the answer on its own.
    assert m["generated_accuracy"] >= 0.95
    assert m["attention_above_diagonal"] == 0.0 and m["future_leak"] < 1e-6
    # After the separator each answer position reads the input from the far end.
    assert m["anti_diagonal_attention"] > 0.5
    attention = [e for e in outcome.events if isinstance(e, Heatmap) and e.key == "attention"]
    assert attention[0].title.startswith("Attention before training") and len(attention) >= 2
    assert any(isinstance(e, Table) and e.key == "generation" for e in outcome.events)


def test_without_the_mask_later_tokens_move_earlier_outputs() -> None:
    outcome = run_to_end("transformer", seed=0, overrides={"causal": "false", "steps": "60"})
    assert outcome.result.metrics["future_leak"] > 1e-3
    assert outcome.result.metrics["attention_above_diagonal"] > 0.0
