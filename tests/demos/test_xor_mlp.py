"""Demo 2: an MLP with a hidden layer learns XOR."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Boundary, Curves


@pytest.mark.parametrize(("seed", "activation"), [(0, "tanh"), (1, "relu"), (2, "sigmoid")])
def test_mlp_classifies_all_four_xor_points(seed: int, activation: str) -> None:
    outcome = run_to_end("xor-mlp", seed=seed, overrides={"activation": activation, "lr": "0.1"})
    assert outcome.result.metrics["accuracy"] == 1.0
    assert outcome.result.reached and outcome.result.stopped is None


def test_boundary_and_loss_frames_track_training() -> None:
    outcome = run_to_end("xor-mlp", seed=0)
    boundary = [e for e in outcome.events if isinstance(e, Boundary)][-1]
    assert len(boundary.points) == 4 and len(boundary.grid) == len(boundary.ys)
    loss = [e for e in outcome.events if isinstance(e, Curves) and e.key == "loss"][-1]
    _, ys = loss.series["loss"]
    assert ys[-1] < ys[0]
