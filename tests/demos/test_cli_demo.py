"""`demo list` and `demo run` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from studydl.cli.demo import demo


def invoke(*args: str):  # noqa: ANN201 - click's Result
    """Run the `demo` group with `args`, keeping stdout and stderr apart."""
    return CliRunner().invoke(demo, list(args))


def test_list_json_describes_every_demo() -> None:
    done = invoke("list", "--json")
    assert done.exit_code == 0, done.output
    catalogue = {entry["id"]: entry for entry in json.loads(done.stdout)}
    assert {"perceptron", "xor-mlp", "activations", "backprop", "gradient-descent"} <= set(
        catalogue
    )
    hidden = next(p for p in catalogue["xor-mlp"]["params"] if p["name"] == "hidden")
    assert hidden == {
        "name": "hidden",
        "type": "int",
        "default": 8,
        "min": 2,
        "max": 64,
        "choices": None,
        "help": "hidden units",
    }
    assert catalogue["perceptron"]["teaches"]


def test_list_names_each_demo_and_show_its_parameters() -> None:
    done = invoke("list")
    assert done.exit_code == 0
    assert "perceptron" in done.stdout
    shown = invoke("show", "perceptron")
    assert shown.exit_code == 0 and "epochs=25" in shown.stdout


def test_run_json_prints_exactly_one_document() -> None:
    done = invoke("run", "backprop", "--json", "--seed", "3", "--set", "lr=0.1")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert set(document) == {
        "id",
        "seed",
        "params",
        "metrics",
        "reached",
        "verdict",
        "stopped",
        "wall_seconds",
    }
    assert document["id"] == "backprop" and document["seed"] == 3
    assert document["params"]["lr"] == 0.1
    assert document["reached"] is True and document["stopped"] is None
    assert document["verdict"] == "point reached"
    assert document["metrics"]["max_abs_diff"] < 1e-6


def test_run_shows_frames_and_final_metrics() -> None:
    done = invoke("run", "perceptron", "--set", "epochs=10")
    assert done.exit_code == 0, done.output
    assert "One straight line per gate" in done.stdout
    assert "Final metrics" in done.stdout and "acc_xor" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())


def test_unknown_demo_is_a_usage_error_on_one_line() -> None:
    done = invoke("run", "no-such-demo")
    assert done.exit_code == 2
    assert "unknown demo 'no-such-demo'" in done.stderr and "perceptron" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.output and done.stdout == ""


def test_bad_parameters_are_usage_errors() -> None:
    for assignment, expected in [
        ("nope=1", "unknown parameter 'nope'"),
        ("epochs=many", "expected int"),
        ("epochs=0", ">= 1"),
        ("epochs", "key=value"),
    ]:
        done = invoke("run", "perceptron", "--set", assignment, "--json")
        assert done.exit_code == 2, assignment
        assert expected in done.stderr
        assert "Traceback" not in done.output and done.stdout == ""


def test_a_failing_demo_exits_1_with_its_message(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "from studydl.domain.demos import DemoSpec, Progress\n"
        'SPEC = DemoSpec(id="broken", title="t", teaches="t")\n'
        "def run(ctx):\n"
        "    yield Progress(1, 2)\n"
        '    raise RuntimeError("tensor shapes do not match")\n'
    )
    done = invoke("run", "broken", "--json", "--demos-dir", str(tmp_path))
    assert done.exit_code == 1
    assert "demo 'broken' failed: RuntimeError: tensor shapes do not match" in done.stderr
    assert "Traceback" not in done.output
