"""receptive-field: the gradient of one unit is non-zero exactly inside the field the formula gives."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Heatmap, Table
from tests.demos.seeds import NEEDED, holding, reached, runs


def test_the_gradient_reaches_exactly_the_formulas_field_at_every_layer() -> None:
    outcomes = runs("receptive-field")
    assert holding(outcomes, lambda m: m["rf_size"] == m["rf_measured"] == 7 and m["reached_share"] == 1) >= NEEDED
    assert reached(outcomes) >= NEEDED
    table = next(e for e in outcomes[0].events if isinstance(e, Table))
    assert [row[2:4] for row in table.rows] == [[3, 3], [5, 5], [7, 7]]
    reach = next(e for e in outcomes[0].events if isinstance(e, Heatmap) and e.key == "reach")
    assert len(reach.values) == 9 and sum(map(sum, reach.values)) == 49  # 7×7 inside a 1-pixel border


@pytest.mark.parametrize(
    ("overrides", "side"),
    [
        ({"layers": 4, "kernel": 5}, 17),  # 1 + 4·4
        ({"layers": 3, "stride": 2}, 15),  # 1 + 2·(1 + 2 + 4)
        ({"layers": 2, "kernel": 3, "dilation": 3}, 13),  # 1 + 2·3·2
        ({"layers": 3, "kernel": 4, "stride": 2, "dilation": 2}, 43),  # 1 + 3·2·(1 + 2 + 4)
    ],
)
def test_stride_and_dilation_grow_the_field_as_the_formula_says(overrides: dict, side: int) -> None:
    m = run_to_end("receptive-field", seed=3, overrides=overrides).result.metrics
    assert m["rf_size"] == m["rf_measured"] == side and m["formula_matches"] == 1


def test_dilation_leaves_holes() -> None:
    # Offsets are multiples of 2 along each axis: 7 of the 13 positions per axis are reached.
    m = run_to_end("receptive-field", seed=0, overrides={"dilation": 2}).result.metrics
    assert m["rf_measured"] == 13 and m["reached_share"] == pytest.approx(49 / 169)
