"""beam-search: greedy takes the likely first word and writes a less probable sentence; the beam
finds the better one, and over many prompts finds the model's best sentence more often."""

from __future__ import annotations

from studydl.demos import run_to_end
from studydl.domain.demos import Scatter, Table
from tests.demos.seeds import NEEDED, holding, reached, runs


def _beam_wins(m: dict[str, float]) -> bool:
    return (
        m["trap_beam_prob"] > 1.5 * m["trap_greedy_prob"]
        and m["beam_best_share"] > m["greedy_best_share"] + 0.1
        and m["beam_worse_share"] == 0
    )


def test_greedy_falls_into_the_trap_and_the_beam_does_not_at_7_of_8_seeds() -> None:
    outcomes = runs("beam-search")
    assert holding(outcomes, _beam_wins) >= NEEDED
    assert reached(outcomes) >= NEEDED
    events = outcomes[0].events
    trap = next(e for e in events if isinstance(e, Table) and e.key == "trap")
    assert trap.rows[0][1].startswith("the ") and trap.rows[-1][2].startswith("a cat .")
    assert len(next(e for e in events if isinstance(e, Scatter)).series["prompts"][0]) == 32


def test_a_beam_of_width_one_is_greedy() -> None:
    m = run_to_end("beam-search", seed=0, overrides={"beam": 1, "steps": 50}).result.metrics
    assert m["trap_beam_prob"] == m["trap_greedy_prob"] and m["beam_better_share"] == 0
    assert m["beam_best_share"] == m["greedy_best_share"]
