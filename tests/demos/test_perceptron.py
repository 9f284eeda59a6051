"""Demo 1: a perceptron learns AND and OR but not XOR."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Boundary, Table


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_and_or_are_learned_xor_never_beats_three_of_four(seed: int) -> None:
    outcome = run_to_end("perceptron", seed=seed)
    metrics = outcome.result.metrics
    assert metrics["acc_and"] == 1.0 and metrics["acc_or"] == 1.0
    assert metrics["acc_xor"] <= 0.75 and metrics["best_acc_xor"] <= 0.75
    assert outcome.result.reached


def test_frames_show_one_line_per_gate() -> None:
    outcome = run_to_end("perceptron", overrides={"epochs": "5"})
    boundaries = {e.key for e in outcome.events if isinstance(e, Boundary)}
    assert boundaries == {"boundary-and", "boundary-or", "boundary-xor"}
    table = [e for e in outcome.events if isinstance(e, Table)][-1]
    assert [row[0] for row in table.rows] == ["AND", "OR", "XOR"]
    assert outcome.first_progress_s is not None
