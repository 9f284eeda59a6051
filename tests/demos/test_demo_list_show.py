"""`demo list`: one line a demo at 80 columns; `demo show ID`: the details."""

from __future__ import annotations

from click.testing import CliRunner

from studydl.cli.demo import demo
from studydl.demos import list_specs


def test_list_is_one_line_a_demo_within_80_columns() -> None:
    done = CliRunner().invoke(demo, ["list"], env={"COLUMNS": "80"}, terminal_width=80)
    assert done.exit_code == 0, done.output
    lines = done.stdout.rstrip("\n").splitlines()
    specs = list_specs()
    assert len(lines) <= len(specs) + 2, len(lines)  # was 386 lines for 25 demos
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    for spec in specs:
        assert sum(1 for line in lines if line.startswith(spec.id + " ")) == 1, spec.id
    assert "demo show ID" in done.stdout


def test_show_gives_what_it_teaches_its_parameters_and_metrics() -> None:
    done = CliRunner().invoke(demo, ["show", "xor-mlp"], env={"COLUMNS": "80"}, terminal_width=80)
    assert done.exit_code == 0, done.output
    out = " ".join(done.stdout.split())
    assert "hidden=8 (int, 2..64): hidden units" in out and "accuracy" in out
    assert "XOR" in out and "budget" in out


def test_show_an_unknown_demo_is_one_line() -> None:
    done = CliRunner().invoke(demo, ["show", "nope"])
    assert done.exit_code == 2 and "unknown demo 'nope'" in done.output and "Traceback" not in done.output
