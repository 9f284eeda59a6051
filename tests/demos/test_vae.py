"""vae: the KL weight trades sharp reconstructions for a latent space that N(0, I) covers."""

from __future__ import annotations

from studydl.domain.demos import Images, Table
from tests.demos.drawable import assert_drawable
from tests.demos.seeds import NEEDED, holding, reached, runs


def _trade_off(m: dict[str, float]) -> bool:
    return (
        m["low_kl"] > m["mid_kl"] > m["high_kl"]
        and m["high_kl"] < 1  # β = 8: the codes carry almost nothing (posterior collapse)
        and m["high_recon_mse"] > 2 * m["mid_recon_mse"]  # ...and reconstructions blur
        and m["mid_coverage_mse"] < 0.75 * m["low_coverage_mse"]  # β = 0: N(0, I) misses much data
        and m["mid_coverage_mse"] < 0.75 * m["high_coverage_mse"]
    )


def test_the_middle_kl_weight_covers_the_data_and_the_high_one_blurs_at_7_of_8_seeds() -> None:
    outcomes = runs("vae")
    assert holding(outcomes, _trade_off) >= NEEDED
    assert reached(outcomes) >= NEEDED
    events = outcomes[0].events
    assert_drawable(events)
    images = {e.key: e for e in events if isinstance(e, Images)}
    assert len(images["grid"].images) == 25 and len(images["grid"].images[0]) == 12
    assert len(images["reconstructions"].images) == 20 and images["reconstructions"].columns == 5
    assert len(images["samples"].images) == 15
    assert len(next(e for e in events if isinstance(e, Table)).rows) == 3
