"""conv-arithmetic: sliding dot products by hand equal conv2d; output sizes follow the formula."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap, Table
from tests.demos.drawable import assert_drawable


def test_hand_computed_feature_map_equals_conv2d_and_pooling_halves_it() -> None:
    outcome = run_to_end("conv-arithmetic", seed=0)
    m = outcome.result.metrics
    assert_drawable(outcome.events)
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["output_size"] == 6 and m["pooled_size"] == 3  # 8x8, k=3, s=1, p=0; 2x2 pool
    assert m["max_abs_diff_conv"] < 1e-12 and m["max_abs_diff_pool"] < 1e-12
    feature = [e for e in outcome.events if isinstance(e, Heatmap) and e.key == "feature"]
    assert len(feature) > 6  # the map fills in row by row before the final frame
    assert len(feature[-1].values) == 6 and all(len(r) == 6 for r in feature[-1].values)
    # The vertical-edge kernel answers the T's vertical edges: both signs appear.
    flat = [v for row in feature[-1].values for v in row]
    assert min(flat) < 0 < max(flat)


@pytest.mark.parametrize(
    ("size", "stride", "padding", "pool", "out", "pooled"),
    [(7, 2, 1, 2, 4, 2), (12, 3, 0, 1, 4, 4), (9, 1, 2, 3, 11, 3), (5, 4, 3, 2, 3, 1)],
)
def test_output_size_follows_the_formula(
    size: int, stride: int, padding: int, pool: int, out: int, pooled: int
) -> None:
    overrides = {
        "size": size,
        "stride": stride,
        "padding": padding,
        "pool": pool,
        "kernel": "sharpen",
    }
    outcome = run_to_end("conv-arithmetic", overrides=overrides)
    m = outcome.result.metrics
    assert outcome.result.reached
    assert (m["output_size"], m["pooled_size"]) == (out, pooled)
    sizes = next(e for e in outcome.events if isinstance(e, Table) and e.key == "sizes")
    assert sizes.rows[0][2] == out  # this run's row: torch agrees with ⌊(n + 2p − k)/s⌋ + 1
