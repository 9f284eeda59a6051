"""`studydl demo inspect ID --at ...`: the step-through views as text, through click's CliRunner."""

from __future__ import annotations

from click.testing import CliRunner

from studydl.cli.demo import demo


def invoke(*args: str):  # noqa: ANN201 - click's Result
    return CliRunner().invoke(demo, list(args), env={"COLUMNS": "80"})


def test_a_backprop_node_shows_its_chain_rule_factors_and_autograds_value() -> None:
    done = invoke("inspect", "backprop", "--at", "w1[0,1]")
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert "Step 12 of 16: dL/dw1[0,1]" in out
    assert "backprop: dL/dw1[0,1] = dL/dz_h1 × x2" in out
    for factor in ("2(out − t)", "out(1 − out)", "w2[0]", "h1(1 − h1)", "x2"):
        assert factor in out
    assert "autograd:" in out and "✓" in out and "✗" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_a_convolution_cell_shows_window_kernel_products_and_the_sum() -> None:
    done = invoke("inspect", "conv-arithmetic", "--set", "size=6", "--at", "2,1")
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert "Output (2, 1) of 4×4 map vertical-edge" in out
    assert "window" in out and "× kernel vertical-edge" in out and "= products" in out
    assert "sum of the 9 products" in out and "the layer's own output at (2, 1)" in out and "✓" in out


def test_a_query_shows_its_scores_softmax_and_value_mix() -> None:
    done = invoke("inspect", "encoder-decoder", "--set", "steps=20", "--set", "d_model=16", "--at", "1")
    assert done.exit_code == 0, done.output
    assert "Query 1" in done.stdout and "Σ weight × value" in done.stdout and "the head's output" in done.stdout


def test_bad_selections_and_demos_without_a_view_are_one_line_errors() -> None:
    done = invoke("inspect", "conv-arithmetic", "--at", "9,9")
    assert done.exit_code == 2 and "cell (9, 9): the output is 6x6" in done.output and "Traceback" not in done.output
    done = invoke("inspect", "backprop", "--at", "w9")
    assert done.exit_code == 2 and "give a step number (1..16) or a node: L, out" in done.output
    done = invoke("inspect", "backprop", "--map", "2")
    assert done.exit_code == 2 and "--map picks a convolution's output map" in done.output
    done = invoke("inspect", "xor-mlp", "--set", "steps=20")
    assert done.exit_code == 1 and "demo 'xor-mlp' yields nothing to step through" in done.output
    done = invoke("inspect", "no-such-demo")
    assert done.exit_code == 2 and "unknown demo" in done.output
