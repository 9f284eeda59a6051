"""A demo over several seeds: every metric's spread and in how many seeds the point holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli.demo import demo
from studydl.demos import BadParameter, run_to_end
from studydl.demos.seeds import parse_seeds, run_seeds

BY_SEED = '''
from studydl.domain.demos import DemoSpec, Param, Progress, Result

SPEC = DemoSpec(
    id="by-seed", title="By seed", teaches="Holds at even seeds.", budget_s=0.001,
    params=(Param("scale", 1.0, "multiplies the seed"),),
    metrics=(("value", "the seed times scale", ""), ("odd", "1 at odd seeds", "0 or 1")),
)


def run(ctx):
    total = 0
    for step in range(20_000):  # far past its 0.001 s budget: seeds run with none
        total += step
    yield Progress(1, 1)
    value = ctx.seed * float(ctx.params["scale"])
    yield Result({"value": value, "odd": float(ctx.seed % 2), "nan": float("nan")}, reached=ctx.seed % 2 == 0)
'''


@pytest.fixture
def demos_dir(tmp_path: Path) -> Path:
    (tmp_path / "by_seed.py").write_text(BY_SEED, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "first", "seeds"),
    [("8", 0, list(range(8))), ("3", 100, [100, 101, 102]), ("3,7,11", 0, [3, 7, 11]), ("8..11", 5, [8, 9, 10, 11])],
)
def test_seeds_are_a_count_from_the_first_a_list_or_a_range(text: str, first: int, seeds: list[int]) -> None:
    assert parse_seeds(text, first) == seeds


@pytest.mark.parametrize("text", ["0", "-2", "many", "5..3", "1,1", "1,,2", "10001", "0..20000"])
def test_bad_seeds_say_what_fits(text: str) -> None:
    with pytest.raises(BadParameter, match="seeds"):
        parse_seeds(text)


def test_every_metric_gets_its_spread_and_the_point_its_count(demos_dir: Path) -> None:
    report = run_seeds("by-seed", [0, 1, 2, 3, 4], {"scale": "2"}, demos_dir=demos_dir)
    assert [run.seed for run in report.runs] == [0, 1, 2, 3, 4]
    assert all(run.stopped is None for run in report.runs)  # no wall-clock budget
    assert (report.holds, report.fails, report.no_verdict) == (3, 2, 0)
    spreads = {s.metric: s for s in report.spreads()}
    assert list(spreads) == ["value", "odd", "nan"]  # declared first, then the rest
    value = spreads["value"]
    assert (value.median, value.low, value.high, value.finite) == (4.0, 0.0, 8.0, 5)
    assert (spreads["odd"].median, spreads["odd"].low, spreads["odd"].high) == (0.0, 0.0, 1.0)
    assert spreads["nan"].median is None and spreads["nan"].finite == 0


def test_two_processes_give_the_same_report(demos_dir: Path) -> None:
    one = run_seeds("by-seed", [0, 1, 2, 3], demos_dir=demos_dir)
    two = run_seeds("by-seed", [0, 1, 2, 3], demos_dir=demos_dir, jobs=2)
    assert two.to_json() == {**one.to_json(), "runs": two.to_json()["runs"]}
    assert [(r["seed"], r["metrics"]) for r in two.to_json()["runs"]] == [(r["seed"], r["metrics"]) for r in one.to_json()["runs"]]


def test_demo_run_seeds_json_is_one_document_matching_single_runs() -> None:
    done = CliRunner().invoke(demo, ["run", "backprop", "--seeds", "3", "--seed", "4", "--set", "lr=0.1", "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["id"] == "backprop" and document["seeds"] == [4, 5, 6] and document["params"]["lr"] == 0.1
    assert document["reached"] == {"holds": 3, "fails": 0, "no_verdict": 0, "of": 3}
    single = run_to_end("backprop", seed=5, overrides={"lr": "0.1"}).result.metrics
    assert document["runs"][1]["metrics"] == single and document["runs"][1]["seed"] == 5
    spread = document["metrics"]["max_abs_diff"]
    assert set(spread) == {"median", "min", "max", "finite"} and spread["min"] <= spread["median"] <= spread["max"]


def test_demo_run_seeds_text_shows_spreads_and_the_count(demos_dir: Path) -> None:
    done = CliRunner().invoke(demo, ["run", "by-seed", "--seeds", "0..4", "--demos-dir", str(demos_dir)])
    assert done.exit_code == 0, done.output
    out = " ".join(done.stdout.split())
    assert "point holds in 3 of 5 seeds" in out
    assert "value" in out and "0 … 4" in out and "median" in out


def test_demo_run_seeds_refuses_bad_seeds_in_one_line() -> None:
    done = CliRunner().invoke(demo, ["run", "backprop", "--seeds", "lots"])
    assert done.exit_code == 2 and "--seeds 'lots': give a count" in done.output
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1
