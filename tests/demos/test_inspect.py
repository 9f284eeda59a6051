"""The step-through explanations use the model's own numbers and add up to what it computed.

Real demo runs (real torch, small sizes, fixed seeds and steps): the products of a window and
its kernel sum to the convolution's output, the chain-rule factors multiply to autograd's
gradient, and the softmax of the scores times the values is the attention head's output.
"""

from __future__ import annotations

import math

import pytest

from studydl.demos import inspect, run_to_end
from studydl.demos.inspect import Selection, SelectionError
from studydl.domain.demos import (
    AttentionInspect,
    ConvInspect,
    GradNode,
    GradSteps,
    Heatmap,
    Images,
    Inspect,
    Table,
)


def frames_of(demo_id: str, **overrides: object) -> tuple[Inspect, dict[str, object], object]:
    outcome = run_to_end(demo_id, seed=0, overrides=overrides)
    found = [e for e in outcome.events if isinstance(e, Inspect)]
    assert len(found) == 1, found
    last = {e.key: e for e in outcome.events if hasattr(e, "key")}
    return found[0], last, outcome.result


def close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


@pytest.mark.parametrize(
    "overrides", [{}, {"size": 9, "stride": 2, "padding": 1, "kernel": "sharpen"}], ids=["defaults", "stride-2-padded"]
)
def test_conv_arithmetic_every_cell_is_its_window_times_the_kernel(overrides: dict) -> None:
    frame, last, _ = frames_of("conv-arithmetic", **overrides)
    assert isinstance(frame, ConvInspect)
    maps, rows, cols = inspect.conv_shape(frame)
    feature = last["feature"]
    assert isinstance(feature, Heatmap) and (rows, cols) == (len(feature.values), len(feature.values[0]))
    for r in range(rows):
        for c in range(cols):
            cell = inspect.conv_cell(frame, Selection(0, r, c))
            assert cell.total == pytest.approx(cell.output, abs=1e-12)  # torch's conv2d, recomputed by hand
            assert cell.output == pytest.approx(feature.values[r][c], abs=1e-4)  # the demo's own map
            assert cell.products == [[k * w for k, w in zip(kr, wr, strict=True)] for kr, wr in zip(cell.kernel, cell.window, strict=True)]
    assert frame.at == max(((r, c) for r in range(rows) for c in range(cols)), key=lambda rc: abs(frame.outputs[0][rc[0]][rc[1]]))


def test_cnn_first_layer_cells_sum_to_the_layers_own_output() -> None:
    frame, last, result = frames_of("cnn", steps=20, train_size=200, channels=4)
    assert isinstance(frame, ConvInspect) and frame.padding == 1 and len(frame.bias) == 4
    maps, rows, cols = inspect.conv_shape(frame)
    assert maps == 4 and (rows, cols) == (len(frame.image), len(frame.image[0]))  # padding 1 keeps the size
    worst = 0.0
    for m in range(maps):
        for r in range(rows):
            for c in range(cols):
                cell = inspect.conv_cell(frame, Selection(m, r, c))
                worst = max(worst, abs(cell.total - cell.output))
    assert worst < 1e-5  # float32 in the layer, exact sums here
    # The outputs are the ones the demo drew: ReLU of them, rescaled, are its feature maps.
    shown = last["feature_maps"]
    assert isinstance(shown, Images) and shown.images[0] == frame.image
    for m, output in enumerate(frame.outputs):
        relu = [[max(0.0, v) for v in row] for row in output]
        lo, hi = min(min(row) for row in relu), max(max(row) for row in relu)
        drawn = shown.images[m + 1]
        for r in range(rows):
            for c in range(cols):
                assert drawn[r][c] == pytest.approx((relu[r][c] - lo) / (hi - lo + 1e-8), abs=1e-5)


def test_backprop_chain_rule_factors_multiply_to_autograds_gradient() -> None:
    frame, last, result = frames_of("backprop")
    assert isinstance(frame, GradSteps) and len(frame.nodes) == 16
    assert frame.nodes[0].name == "L" and frame.nodes[0].value == pytest.approx(result.metrics["loss_before"], rel=1e-12)
    for index, node in enumerate(frame.nodes):
        chain = inspect.chain(frame, Selection(row=index))
        assert chain.path[0] == "L" and chain.path[-1] == node.name
        assert chain.product == pytest.approx(node.grad, rel=1e-12, abs=1e-15), node.name
        if chain.parent is not None:  # backprop's one step: the parent's gradient times one factor
            assert chain.parent.grad * node.local == pytest.approx(node.grad, rel=1e-12, abs=1e-15)
    table = last["weights"]
    assert isinstance(table, Table)
    autograd = {row[0].split()[0]: float(row[3]) for row in table.rows}  # "w1[0,1] x2→h1" -> its autograd dL/dw
    by_name = {n.name: n for n in frame.nodes}
    for name, grad in autograd.items():
        assert by_name[name.rstrip()].grad == pytest.approx(grad, rel=1e-3), name
    assert len(autograd) == 9


@pytest.mark.parametrize(
    ("demo_id", "overrides", "heatmap"),
    [
        ("transformer", {"length": 4, "d_model": 16, "steps": 80, "batch": 32}, "attention"),
        ("encoder-decoder", {"d_model": 16, "steps": 40, "batch": 32}, "cross_attention"),
    ],
)
def test_attention_softmax_of_the_scores_times_the_values_is_the_heads_output(demo_id: str, overrides: dict, heatmap: str) -> None:
    frame, last, _ = frames_of(demo_id, **overrides)
    assert isinstance(frame, AttentionInspect)
    drawn = last[heatmap]
    assert isinstance(drawn, Heatmap)
    for query in range(len(frame.queries)):
        a = inspect.attend(frame, Selection(row=query))
        assert max(abs(x - y) for x, y in zip(a.softmax, a.weights, strict=True)) < 1e-6
        assert max(abs(x - y) for x, y in zip(a.mix, a.output, strict=True)) < 1e-5
        assert max(abs(x - y) for x, y in zip(a.weights, drawn.values[query], strict=True)) < 1e-3  # the map the demo drew
    if demo_id == "transformer":  # the causal mask: no query scores a later key
        assert all(frame.scores[q][k] == -math.inf for q in range(len(frame.queries)) for k in range(q + 1, len(frame.keys)))


# ------------------------------------------------------------------ selections, on small hand-made frames

CONV = ConvInspect(
    key="c",
    title="t",
    image=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
    kernels=[[[1.0, 0.0], [0.0, -1.0]], [[0.5, 0.5], [0.5, 0.5]]],
    outputs=[[[-4.0, -4.0], [-4.0, -4.0]], [[6.0, 8.0], [12.0, 14.0]]],
    bias=[0.0, 0.0],
    at=(1, 0),
)


def test_conv_selection_steps_through_positions_and_stops_at_the_ends() -> None:
    sel = inspect.first_selection(CONV)
    assert sel == Selection(0, 1, 0)
    assert inspect.step(CONV, sel, 1) == Selection(0, 1, 1)
    assert inspect.step(CONV, Selection(0, 0, 1), 1) == Selection(0, 1, 0)  # the next row
    assert inspect.step(CONV, Selection(0, 1, 1), 1) == Selection(0, 1, 1)  # the last position
    assert inspect.move(CONV, sel, rows=-5, cols=9) == Selection(0, 0, 1)
    assert inspect.switch(CONV, sel, 1) == Selection(1, 1, 0) and inspect.switch(CONV, sel, 7).map == 1
    cell = inspect.conv_cell(CONV, Selection(1, 1, 1))
    assert cell.window == [[5.0, 6.0], [8.0, 9.0]] and cell.total == cell.output == 14.0


def test_bad_selections_say_what_there_is() -> None:
    with pytest.raises(SelectionError, match=r"output is 2x2, rows 0..1, columns 0..1"):
        inspect.parse_at(CONV, "5,0")
    with pytest.raises(SelectionError, match="ROW,COL"):
        inspect.parse_at(CONV, "x")
    with pytest.raises(SelectionError, match="maps 1..2"):
        inspect.parse_at(CONV, None, map_number=3)
    assert inspect.parse_at(CONV, " 0 , 1 ", map_number=2) == Selection(1, 0, 1)
    steps = GradSteps(key="g", title="t", nodes=[GradNode("L", 1.0, 1.0), GradNode("y", 2.0, 3.0, "L", 3.0, "3")])
    assert inspect.parse_at(steps, "y") == inspect.parse_at(steps, "2") == Selection(row=1)
    with pytest.raises(SelectionError, match="a node: L, y"):
        inspect.parse_at(steps, "z")
    loop = GradSteps(key="g", title="t", nodes=[GradNode("a", 1.0, 1.0, "b"), GradNode("b", 1.0, 1.0, "a")])
    with pytest.raises(SelectionError, match="not on a path to the loss"):
        inspect.chain(loop, Selection(row=0))


def test_softmax_gives_masked_keys_nothing() -> None:
    weights = inspect.softmax([0.0, math.log(3.0), -math.inf])
    assert weights == pytest.approx([0.25, 0.75, 0.0])
