"""bias-variance: training error only falls with the degree, validation error is U-shaped,
and more points cure variance, not bias."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Paths, Table
from tests.demos.drawable import assert_drawable
from tests.demos.seeds import NEEDED, holding, reached, runs


def _u_shaped(m: dict[str, float]) -> bool:
    best = m["best_val_mse"]
    return (
        1 < m["best_degree"] < 15
        and m["low_val_mse"] > 1.5 * best
        and m["high_val_mse"] > 1.5 * best
        and m["high_train_mse"] < best  # the overfit model looks best on its training data
        and m["low_bias_sq"] > 0.1
        and m["high_variance"] > 0.3
        and m["high_val_drop"] > 2
        and m["low_val_drop"] < 1.5
    )


def test_validation_error_is_u_shaped_and_only_the_flexible_model_gains_from_data() -> None:
    outcomes = runs("bias-variance")
    assert holding(outcomes, _u_shaped) >= NEEDED
    assert reached(outcomes) >= NEEDED
    # d + 1 coefficients fitted to n points absorb (d + 1)/n of the noise: 1 - 16/20 = 0.2.
    assert holding(outcomes, lambda m: abs(m["train_over_noise"] - 0.2) < 0.03) >= NEEDED
    events = outcomes[0].events
    assert_drawable(events)
    assert {e.key for e in events if isinstance(e, Curves)} == {"errors", "decomposition", "sizes"}
    fits = next(e for e in events if isinstance(e, Paths))
    assert set(fits.paths) == {"degree 1", "degree 3", "degree 15"}
    assert len(fits.points["training points"][0]) == 20
    # Least squares on nested features: the training error never rises with the degree.
    table = next(e for e in events if isinstance(e, Table) and e.key == "degrees")
    train = [float(row[1]) for row in table.rows]
    assert len(train) == 16 and train == sorted(train, reverse=True)


def test_with_little_noise_the_best_degree_moves_up() -> None:
    # Less noise, less variance to fear: a more flexible fit pays (degree 5 here, 3 at σ = 0.3).
    quiet = run_to_end("bias-variance", seed=0, overrides={"noise": 0.1}).result.metrics
    assert quiet["best_degree"] > 3
