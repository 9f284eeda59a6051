"""A run that stops at its time budget has no verdict, and every front end says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli.demo import demo
from tests.demos.slow_demo import slow_demos

NO_VERDICT = "stopped at its time budget: no verdict"


pytestmark = pytest.mark.usefixtures("demos_own_budget")  # about the budget: not the tests' (conftest)


def test_demo_run_says_stopped_at_its_budget_no_verdict(tmp_path: Path) -> None:
    folder = slow_demos(tmp_path / "demos")
    done = CliRunner().invoke(demo, ["run", "slow", "--demos-dir", str(folder)])
    assert done.exit_code == 0, done.output
    shown = " ".join(done.stdout.split())
    assert NO_VERDICT in shown
    assert "│ yes" not in shown and "│ no " not in shown


def test_demo_run_json_gives_reached_null_when_stopped(tmp_path: Path) -> None:
    folder = slow_demos(tmp_path / "demos")
    done = CliRunner().invoke(demo, ["run", "slow", "--json", "--demos-dir", str(folder)])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["stopped"] == "budget" and document["reached"] is None
    assert document["verdict"] == NO_VERDICT
