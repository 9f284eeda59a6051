"""vanishing-gradients: sigmoid vanishes, tanh with too-large weights explodes, batch norm fixes both."""

from __future__ import annotations

import math

from studydl.demos import run_to_end
from studydl.domain.demos import Curves
from tests.demos.across_seeds import AT_LEAST, holds, reached, runs

CHANCE = math.log(2)


def test_vanishing_exploding_and_the_batch_norm_fix_after_training_at_7_of_8_seeds() -> None:
    outcomes = runs("vanishing-gradients")
    assert reached(outcomes) >= AT_LEAST

    def point(m: dict[str, float]) -> bool:
        return (
            m["sigmoid_first_to_last"] < 1e-3  # vanishing: the first layer's gradient is tiny
            and m["tanh_x4_first_to_last"] > 10  # exploding: it is the largest, not the smallest
            and 1e-2 < m["relu_first_to_last"] < 1e2  # ReLU at the He scale: comparable layers
            # Batch norm, same activations and (bad) weights: comparable layers at init and
            # after training, and both networks learn while their plain twins stay near chance.
            and all(1e-2 < m[f"{n}_first_to_last"] < 1e2 for n in ("sigmoid_bn", "tanh_x4_bn"))
            and all(1e-2 < m[f"{n}_first_to_last_trained"] < 1e2 for n in ("sigmoid_bn", "tanh_x4_bn"))
            and all(m[f"{n}_final_loss"] < CHANCE - 0.15 for n in ("sigmoid_bn", "tanh_x4_bn"))
            and all(m[f"{n}_final_loss"] > CHANCE - 0.1 for n in ("sigmoid", "tanh_x4"))
        )

    assert holds(outcomes, point) >= AT_LEAST

    first = outcomes[0]
    curves = {e.key: e for e in first.events if isinstance(e, Curves)}
    plain, fixed = curves["grad_norms"], curves["grad_norms_bn"]
    assert set(plain.series) == {"sigmoid", "relu", "tanh x4"}
    assert set(fixed.series) == {"sigmoid+BN", "tanh x4+BN", "relu"}
    assert plain.log_y and (plain.y_min, plain.y_max) == (fixed.y_min, fixed.y_max)  # one scale
    exploding = plain.series["tanh x4"][1]
    assert exploding[0] > exploding[-1]  # the gradient grows on its way back to the input


def test_with_no_training_the_point_is_the_gradients_at_init() -> None:
    outcome = run_to_end("vanishing-gradients", seed=0, overrides={"steps": "0"})
    assert outcome.result.reached
    assert math.isnan(outcome.result.metrics["sigmoid_final_loss"])
