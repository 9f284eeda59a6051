"""The demo runner: catalogue, parameters, budgets, cancel, determinism and failures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from studydl.demos import (
    BadDemoModule,
    BadParameter,
    DemoFailed,
    UnknownDemo,
    get_spec,
    known_ids,
    list_specs,
    parse_assignments,
    resolve_params,
    run_demo,
    run_to_end,
)
from studydl.domain.demos import Progress, Result
from tests.demos.slow_demo import slow_demos

BUDGET_ENV = "STUDYDL_DEMO_BUDGET"

HEADER = """
from studydl.domain.demos import DemoSpec, Param, Progress, Result, Text
"""


pytestmark = pytest.mark.usefixtures("demos_own_budget")  # about the budget: not the tests' (conftest)


def write_demo(folder: Path, module: str, body: str, *, spec: str | None = None) -> None:
    """Write a test-only demo module into `folder`."""
    demo_id = module.replace("_", "-")
    spec = spec or f'SPEC = DemoSpec(id="{demo_id}", title="t", teaches="t", budget_s=5.0)'
    (folder / f"{module}.py").write_text(HEADER + spec + "\n" + textwrap.dedent(body))


@pytest.fixture
def demos_dir(tmp_path: Path) -> Path:
    """A catalogue folder of misbehaving and well-behaved test demos."""
    (tmp_path / "_helpers.py").write_text("ANSWER = 42\n")
    write_demo(
        tmp_path,
        "forever",
        """
        def run(ctx):
            step = 0
            while not ctx.should_stop():
                step += 1
                yield Progress(step, None, {"step": float(step)})
        """,
    )
    write_demo(
        tmp_path,
        "deaf",
        """
        def run(ctx):
            step = 0
            while True:  # never polls should_stop
                step += 1
                yield Progress(step, None, {"step": float(step)})
        """,
    )
    write_demo(
        tmp_path,
        "polite",
        """
        from ._helpers import ANSWER

        def run(ctx):
            step = 0
            while not ctx.should_stop():
                step += 1
                yield Progress(step, None)
            yield Result({"answer": float(ANSWER), "steps": float(step)}, reached=True)
        """,
    )
    write_demo(
        tmp_path,
        "raises",
        """
        def run(ctx):
            yield Progress(1, 2)
            raise ValueError("boom at step 2")
        """,
    )
    slow_demos(tmp_path)  # 0.3 s of work against a 0.05 s budget
    write_demo(tmp_path, "no_result", "def run(ctx):\n    yield Progress(1, 1)\n")
    write_demo(tmp_path, "not_event", "def run(ctx):\n    yield 42\n")
    write_demo(
        tmp_path,
        "wrong_id",
        "def run(ctx):\n    yield Result({}, True)\n",
        spec='SPEC = DemoSpec(id="other", title="t", teaches="t")',
    )
    write_demo(tmp_path, "no_run", "")
    write_demo(tmp_path, "no_spec", "def run(ctx):\n    yield Result({}, True)\n", spec="x = 1")
    return tmp_path


def test_listing_the_catalogue_imports_neither_torch_nor_textual() -> None:
    code = (
        "import sys\n"
        "from studydl.demos import known_ids, list_specs\n"
        "ids = known_ids(); specs = list_specs()\n"
        "assert sorted(ids) == [s.id for s in specs], (ids, specs)\n"
        "bad = [m for m in ('torch', 'textual', 'numpy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_catalogue_holds_the_first_five_demos_sorted() -> None:
    ids = [spec.id for spec in list_specs()]
    assert ids == sorted(ids)
    assert {"perceptron", "xor-mlp", "activations", "backprop", "gradient-descent"} <= set(ids)
    assert get_spec("xor-mlp").id == "xor-mlp"


def test_unknown_id_lists_the_known_ids() -> None:
    with pytest.raises(UnknownDemo) as caught:
        get_spec("no-such-demo")
    message = str(caught.value)
    assert "no-such-demo" in message
    assert "perceptron" in message and "xor-mlp" in message


@pytest.mark.parametrize("demo_id", ["../etc/passwd", "os", "_common", "xor_mlp", ""])
def test_ids_that_are_paths_or_private_modules_are_unknown(demo_id: str) -> None:
    with pytest.raises(UnknownDemo):
        run_demo(demo_id)


def test_private_modules_are_not_demos(demos_dir: Path) -> None:
    assert "helpers" not in known_ids(demos_dir)
    assert "-helpers" not in known_ids(demos_dir)
    assert "polite" in known_ids(demos_dir)


def test_overrides_are_parsed_to_the_param_types() -> None:
    spec = get_spec("xor-mlp")
    params = resolve_params(spec, {"hidden": "3", "lr": "0.1", "activation": "relu"})
    assert params["hidden"] == 3 and params["lr"] == 0.1 and params["activation"] == "relu"
    assert params["steps"] == spec.param("steps").default
    assert resolve_params(spec, {"lr": 1})["lr"] == 1.0


def test_unknown_parameter_lists_the_valid_ones() -> None:
    with pytest.raises(BadParameter) as caught:
        resolve_params(get_spec("xor-mlp"), {"hiden": "3"})
    message = str(caught.value)
    assert "hiden" in message
    assert "hidden=8 (int, 2..64)" in message and "activation=tanh" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("hidden", "three", "expected int"),
        ("hidden", "1", ">= 2"),
        ("hidden", "65", "<= 64"),
        ("lr", "fast", "expected float"),
        ("activation", "gelu", "one of tanh, relu, sigmoid"),
        ("hidden", 2.5, "expected int"),
    ],
)
def test_bad_values_say_what_fits(key: str, value: object, expected: str) -> None:
    with pytest.raises(BadParameter) as caught:
        resolve_params(get_spec("xor-mlp"), {key: value})
    assert expected in str(caught.value)
    assert key in str(caught.value)


def test_booleans_and_assignments_parse() -> None:
    from studydl.domain.demos import DemoSpec, Param

    spec = DemoSpec("x", "x", "x", params=(Param("flag", False, "a flag"),))
    assert resolve_params(spec, {"flag": "yes"})["flag"] is True
    assert resolve_params(spec, {"flag": "0"})["flag"] is False
    with pytest.raises(BadParameter):
        resolve_params(spec, {"flag": "maybe"})
    assert parse_assignments(["a=1", " b = x=y "]) == {"a": "1", "b": "x=y"}
    with pytest.raises(BadParameter, match="key=value"):
        parse_assignments(["epochs"])


def test_bad_parameters_fail_before_anything_runs() -> None:
    with pytest.raises(BadParameter):
        run_demo("perceptron", overrides={"epochs": "0"})


def test_a_tiny_budget_stops_the_demo(demos_dir: Path) -> None:
    outcome = run_to_end("forever", budget_s=0.05, demos_dir=demos_dir)
    assert outcome.result.stopped == "budget"
    assert outcome.result.reached is None  # the point was not measured: no verdict
    assert outcome.result.metrics["step"] >= 1  # the last Progress metrics
    assert outcome.events[-1] is outcome.result


def test_a_real_demo_out_of_budget_gets_a_synthesised_result() -> None:
    outcome = run_to_end("xor-mlp", budget_s=0.0)
    assert outcome.result.stopped == "budget"
    assert outcome.result.reached is None


def test_a_demos_own_result_after_a_stop_has_no_verdict(demos_dir: Path) -> None:
    # polite answers a stop with its Result and reached=True: the runner keeps the metrics, not the verdict.
    outcome = run_to_end("polite", budget_s=0.05, demos_dir=demos_dir)
    assert outcome.result.stopped == "budget" and outcome.result.reached is None
    assert outcome.result.metrics["answer"] == 42.0


def test_run_to_end_has_no_wall_clock_budget_the_app_keeps_the_specs(demos_dir: Path) -> None:
    # slow trains for 0.3 s against a 0.05 s budget: a headless run (tests, --seeds, check --evidence)
    # ends when the demo's own steps say so; a front end's run stops at the budget.
    outcome = run_to_end("slow", demos_dir=demos_dir)
    assert outcome.result.stopped is None and outcome.result.reached is True
    assert run_demo("slow", demos_dir=demos_dir).budget_s == 0.05
    live = run_to_end("slow", budget_s=None, demos_dir=demos_dir)
    assert live.result.stopped == "budget" and live.result.reached is None


def test_the_budget_variable_replaces_the_specs_budget(demos_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUDGET_ENV, "60")
    assert run_demo("slow", demos_dir=demos_dir).budget_s == 60.0  # a slow machine gives demos more time
    monkeypatch.setenv(BUDGET_ENV, "0.001")
    assert run_demo("polite", demos_dir=demos_dir).budget_s == 0.001
    assert run_demo("polite", budget_s=1.0, demos_dir=demos_dir).budget_s == 0.001
    for bad in ("soon", "-1", "0", "nan", "inf"):
        monkeypatch.setenv(BUDGET_ENV, bad)
        with pytest.raises(BadParameter, match=BUDGET_ENV):
            run_demo("polite", demos_dir=demos_dir)


def test_a_demo_that_ignores_the_stop_flag_is_closed(demos_dir: Path) -> None:
    outcome = run_to_end("deaf", budget_s=0.05, demos_dir=demos_dir)
    assert outcome.result.stopped == "budget"
    assert isinstance(outcome.events[-2], Progress)


def test_cancel_stops_the_run_and_keeps_the_demos_result(demos_dir: Path) -> None:
    cancel = threading.Event()
    run = run_demo("polite", cancel=cancel, demos_dir=demos_dir)
    events = []
    for event in run:
        events.append(event)
        if len(events) == 3:
            cancel.set()
    result = events[-1]
    assert isinstance(result, Result)
    assert result.stopped == "cancelled"
    assert result.metrics["answer"] == 42.0  # relative import of a private helper
    assert run.result is result


def test_the_budget_cannot_exceed_the_spec() -> None:
    assert run_demo("perceptron", budget_s=1e6).budget_s == get_spec("perceptron").budget_s


def test_same_seed_same_metrics_other_seed_other_metrics() -> None:
    small = {"samples": "32", "epochs": "2"}
    first = run_to_end("gradient-descent", seed=7, overrides=small)
    again = run_to_end("gradient-descent", seed=7, overrides=small)
    other = run_to_end("gradient-descent", seed=8, overrides=small)
    assert first.result.metrics == again.result.metrics
    assert first.result.metrics != other.result.metrics
    assert first.params == {**get_spec("gradient-descent").defaults(), "samples": 32, "epochs": 2}


def test_a_demo_that_raises_becomes_demo_failed(demos_dir: Path) -> None:
    run = run_demo("raises", demos_dir=demos_dir)
    events = []
    with pytest.raises(DemoFailed) as caught:
        for event in run:
            events.append(event)
    assert "boom at step 2" in str(caught.value) and "raises" in str(caught.value)
    assert isinstance(caught.value.__cause__, ValueError)
    assert len(events) == 1


@pytest.mark.parametrize(
    ("demo_id", "expected"), [("no-result", "without yielding a Result"), ("not-event", "int")]
)
def test_contract_breaches_become_demo_failed(demos_dir: Path, demo_id: str, expected: str) -> None:
    with pytest.raises(DemoFailed, match=expected):
        run_to_end(demo_id, demos_dir=demos_dir)


@pytest.mark.parametrize(
    ("demo_id", "expected"), [("wrong-id", "'other'"), ("no-run", "run"), ("no-spec", "SPEC")]
)
def test_modules_off_contract_are_reported(demos_dir: Path, demo_id: str, expected: str) -> None:
    with pytest.raises(BadDemoModule, match=expected):
        get_spec(demo_id, demos_dir)


def test_a_run_is_an_iterator_that_records_its_timings() -> None:
    run = run_demo("backprop")
    assert isinstance(next(run), Progress)
    events = list(run)
    assert isinstance(events[-1], Result)
    assert run.first_progress_s is not None and run.wall_s is not None
    assert list(run) == []


def test_closing_a_run_early_closes_the_demo(demos_dir: Path) -> None:
    run = run_demo("forever", demos_dir=demos_dir)
    next(run)
    run.close()
    assert run.result is None
    assert list(run) == []
