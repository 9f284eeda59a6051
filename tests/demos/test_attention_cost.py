"""attention-cost: the score and mix cost n² FLOPs and keep n² bytes; the projections grow as n.
Counted FLOPs and kept bytes are deterministic; the measured time is only shown, never tested."""

from __future__ import annotations

import pytest

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Table
from tests.demos.seeds import NEEDED, holding, reached, runs


def test_flops_and_memory_grow_as_n_squared_at_every_seed() -> None:
    outcomes = runs("attention-cost", {"max_length": 512, "repeats": 1})
    exact = lambda m: (  # noqa: E731
        m["flops_exponent"] == pytest.approx(2, abs=1e-9)
        and m["memory_exponent"] == pytest.approx(2, abs=1e-9)
        and m["matrix_bytes_ratio"] == 4
        and m["crossover_length"] == 128  # 2d: 8·n·d² projection FLOPs = 4·n²·d
    )
    assert holding(outcomes, exact) >= NEEDED
    assert reached(outcomes) >= NEEDED
    table = next(e for e in outcomes[0].events if isinstance(e, Table))
    assert [row[0] for row in table.rows] == [32, 64, 128, 256, 512]
    # 4·n²·d FLOPs for the score and mix, in millions, as counted by torch.
    assert [float(row[1]) for row in table.rows] == pytest.approx([4 * n * n * 64 / 1e6 for n in (32, 64, 128, 256, 512)], rel=0.01)
    time = next(e for e in outcomes[0].events if isinstance(e, Curves) and e.key == "time")
    assert set(time.series) == {"measured", "c·n² fit"}


def test_the_crossover_is_at_twice_the_width() -> None:
    m = run_to_end("attention-cost", seed=0, overrides={"max_length": 256, "d_model": 100, "repeats": 1}).result.metrics
    assert m["crossover_length"] == pytest.approx(200)
    assert m["attention_share"] == pytest.approx(256 / (256 + 200))
