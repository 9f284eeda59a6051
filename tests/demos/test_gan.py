"""gan: a discriminator that sees the batch's spread gets the fakes onto every mode sooner."""

from __future__ import annotations

import math

from studydl.demos import run_to_end
from studydl.domain.demos import Curves, Scatter
from tests.demos.across_seeds import AT_LEAST, holds, reached, runs


def test_with_the_spread_every_mode_is_covered_sooner_at_7_of_8_seeds() -> None:
    """Both GANs train side by side on the same noise until both cover every mode (at most
    2000 steps): the plain one gets there too, later."""
    outcomes = runs("gan")
    assert all(o.result.stopped is None for o in outcomes)
    assert holds(outcomes, lambda m: m["steps_to_cover"] < m["plain_steps_to_cover"]) >= AT_LEAST
    assert reached(outcomes) >= AT_LEAST
    # The strongest opponent is shown: the plain GAN trains on until it covers every mode too.
    assert all(math.isfinite(o.result.metrics["plain_steps_to_cover"]) for o in outcomes)

    first = outcomes[0]
    clouds = {e.key: e for e in first.events if isinstance(e, Scatter)}
    assert set(clouds) == {"samples_spread", "samples_plain"}
    assert all(set(c.series) == {"real", "generated"} for c in clouds.values())
    curves = {e.key: e for e in first.events if isinstance(e, Curves)}
    coverage = curves["coverage"]
    assert set(coverage.series) == {"with the spread", "plain"}
    assert coverage.y_max == 8 and coverage.y_label == "modes"
    assert sorted(r.at for r in coverage.refs) == sorted(
        [first.result.metrics["steps_to_cover"], first.result.metrics["plain_steps_to_cover"]]
    )


def test_a_budget_too_short_for_the_plain_gan_says_so() -> None:
    outcome = run_to_end("gan", seed=0, overrides={"steps": "300"})
    m = outcome.result.metrics
    assert m["steps_run"] == 300 and math.isnan(m["plain_steps_to_cover"])
    assert outcome.result.reached  # the spread's GAN covered every mode; the plain one did not yet
    assert "not within 300 steps" in outcome.result.summary
