"""The eight demos of issue 13 run clean through `studydl demo run`, as text and as JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from studydl.cli.demo import demo

QUICK = {
    "gradients-through-time": ["steps=20"],
    "learning-rate": [],
    "conv-arithmetic": ["padding=1", "stride=2"],
    "batch-norm": ["steps=20"],
    "add-and-norm": ["steps=10", "depth=8"],
    "softmax-cross-entropy": ["steps=60"],
    "encoder-decoder": ["steps=25"],
    "gru": ["steps=20"],
}
"""Short runs: these tests check the front end, each demo's own test checks its point."""


def _sets(demo_id: str) -> list[str]:
    return [arg for item in QUICK[demo_id] for arg in ("--set", item)]


@pytest.mark.parametrize("demo_id", sorted(QUICK))
def test_runs_in_the_terminal_within_80_columns(demo_id: str) -> None:
    done = CliRunner().invoke(demo, ["run", demo_id, *_sets(demo_id)])
    assert done.exit_code == 0, done.output
    assert "Traceback" not in done.output
    assert "Final metrics" in done.stdout and "reached" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())


@pytest.mark.parametrize("demo_id", sorted(QUICK))
def test_runs_as_json(demo_id: str) -> None:
    done = CliRunner().invoke(demo, ["run", demo_id, "--json", *_sets(demo_id)])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["id"] == demo_id and document["stopped"] is None
    assert document["metrics"] and isinstance(document["reached"], bool)


def test_the_catalogue_lists_them_with_their_parameters() -> None:
    done = CliRunner().invoke(demo, ["list", "--json"])
    assert done.exit_code == 0, done.output
    catalogue = {entry["id"]: entry for entry in json.loads(done.stdout)}
    for demo_id in QUICK:
        spec = catalogue[demo_id]
        assert spec["title"] and spec["teaches"] and spec["concepts"]
        for param in spec["params"]:
            assert param["choices"] or (param["min"] is not None and param["max"] is not None)
