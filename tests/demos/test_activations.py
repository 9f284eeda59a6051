"""Demo 3: activation functions, their autograd derivatives and softmax."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table


def test_derivative_peaks_and_softmax() -> None:
    outcome = run_to_end("activations", overrides={"points": "50"})
    m = outcome.result.metrics
    assert m["max_grad_sigmoid"] == pytest.approx(0.25)
    assert m["max_grad_tanh"] == pytest.approx(1.0)
    assert m["max_grad_relu"] == 1.0
    assert m["autograd_vs_formula"] < 1e-9
    assert m["softmax_sum"] == pytest.approx(1.0)
    assert outcome.result.reached
    curves = {e.key: e for e in outcome.events if isinstance(e, Curves)}
    derivatives = [c for key, c in curves.items() if key.startswith("derivatives")]
    assert all((c.y_min, c.y_max) == (0.0, 1.0) for c in derivatives)  # sigmoid's 0.25 looks a quarter of tanh's 1
    assert {name for c in derivatives for name in c.series} == {
        "sigmoid",
        "tanh",
        "softsign",
        "relu",
        "leaky_relu",
        "softplus",
    }
    softmax = next(e for e in outcome.events if isinstance(e, Table) and e.key == "softmax")
    assert softmax.rows[0][2] > softmax.rows[-1][2]


def test_high_temperature_flattens_softmax() -> None:
    cold = run_to_end("activations", overrides={"temperature": "0.5"}).result.metrics
    hot = run_to_end("activations", overrides={"temperature": "10"}).result.metrics
    assert hot["softmax_max"] < cold["softmax_max"]
