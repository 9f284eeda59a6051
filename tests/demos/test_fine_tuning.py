"""fine-tuning: from 100 examples, a pretrained network (fine-tuned or frozen) beats the same
network from scratch, each at its best rate."""

from __future__ import annotations

from studydl.domain.demos import Boundary, Table
from tests.demos.seeds import NEEDED, holding, reached, runs


def _transfer_wins(m: dict[str, float]) -> bool:
    return (
        m["source_accuracy"] > 0.9
        and m["finetune_accuracy"] > m["scratch_accuracy"] + 0.05
        and m["features_accuracy"] > m["scratch_accuracy"] + 0.05
    )


def test_transfer_beats_training_from_scratch_on_100_examples_at_7_of_8_seeds() -> None:
    outcomes = runs("fine-tuning")
    assert holding(outcomes, _transfer_wins) >= NEEDED
    assert reached(outcomes) >= NEEDED
    events = outcomes[0].events
    regions = [e for e in events if isinstance(e, Boundary)]
    assert [e.key for e in regions] == ["source", "regions_scratch", "regions_finetune", "regions_features"]
    assert len(regions[0].points) == 200 and all(len(e.points) == 100 for e in regions[1:])
    table = next(e for e in events if isinstance(e, Table))
    assert [row[0] for row in table.rows] == ["from scratch", "fine-tuned", "feature extraction"]
