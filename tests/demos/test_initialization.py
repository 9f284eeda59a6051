"""initialization: per-layer variance through 20 layers under four initial weight scales."""

from __future__ import annotations

import math

from studydl.demos import run_to_end
from studydl.domain.demos import Curves
from tests.demos.drawable import assert_drawable
from tests.demos.seeds import NEEDED, holding, reached, runs


def _decades(ratio: float) -> float:
    return abs(math.log10(ratio)) if 0 < ratio < math.inf else math.inf


def _relu(m: dict[str, float]) -> bool:
    return (
        _decades(m["he_act_ratio"]) < 1 and _decades(m["he_grad_ratio"]) < 1  # He keeps both
        and 1e-7 < m["xavier_act_ratio"] < 1e-5  # Xavier halves it per layer: 2^-19 = 1.9e-6
        and m["small_act_ratio"] < 1e-20 and m["small_grad_ratio"] < 1e-20
        and m["large_act_ratio"] > 1e20 and m["large_grad_ratio"] > 1e20
    )


def _tanh(m: dict[str, float]) -> bool:
    return (
        all(_decades(m[f"{i}_{k}_ratio"]) < 1.5 for i in ("xavier", "he") for k in ("act", "grad"))
        and m["small_act_ratio"] < 1e-20
        and m["large_grad_ratio"] > 1e10  # the gradient explodes on its way back...
        and m["large_saturated"] > 0.7  # ...through units that are mostly saturated
    )


def test_only_he_keeps_a_deep_relu_net_and_both_fan_in_scales_keep_tanh() -> None:
    relu = runs("initialization")
    assert holding(relu, _relu) >= NEEDED and reached(relu) >= NEEDED
    tanh = runs("initialization", {"activation": "tanh"})
    assert holding(tanh, _tanh) >= NEEDED and reached(tanh) >= NEEDED
    assert_drawable(relu[0].events)
    curves = {e.key: e for e in relu[0].events if isinstance(e, Curves)}
    assert set(curves) == {"activations", "gradients"}
    assert all(len(xs) == 20 for xs, _ in curves["activations"].series.values())


def test_xavier_loses_a_factor_two_per_relu_layer() -> None:
    shallow = run_to_end("initialization", seed=0, overrides={"depth": 6}).result.metrics
    assert 2**-5 / 3 < shallow["xavier_act_ratio"] < 2**-5 * 3
