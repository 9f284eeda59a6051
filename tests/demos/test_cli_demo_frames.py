"""Every frame type renders as text that fits in 80 columns."""

from __future__ import annotations

import math

import pytest
from rich.console import Console

from studydl.cli.demo_frames import SPARKS, render_frame, shared_sparklines, sparkline
from studydl.domain.demos import (
    Boundary,
    Curves,
    Frame,
    Heatmap,
    Images,
    Paths,
    Scatter,
    Table,
    Text,
)

FRAMES: list[Frame] = [
    Curves(
        "c", "curves", {"a": ([1, 2, 3], [3.0, 2.0, 1.0]), "b": ([1.0], [math.nan])}, log_y=True
    ),
    Heatmap("h", "heat", [[0.0, 1.0], [2.0, 3.0]], ["r1", "r2"], ["c1", "c2"]),
    Heatmap("h2", "big heat", [[float(i * j) for j in range(60)] for i in range(40)]),
    Boundary(
        "b", "probabilities", [0.0, 1.0], [0.0, 1.0], [[0.1, 0.9], [0.4, 0.6]], [(0.0, 1.0, 1)]
    ),
    Boundary(
        "b2",
        "classes",
        [float(i) for i in range(100)],
        [float(i) for i in range(100)],
        [[float((i + j) % 3) for j in range(100)] for i in range(100)],
        [(5.0, 5.0, 0), (50.0, 90.0, 2)],
    ),
    Scatter("s", "scatter", {"one": ([0.0, 1.0], [0.0, 1.0]), "two": ([0.5], [0.5])}),
    Images("i", "images", [[[0.0, 1.0], [0.5, 0.25]]] * 7, [f"digit {k}" for k in range(7)]),
    Table("t", "table", ["a", "b"], [[1, 0.123456789], ["x", None]]),
    Text("x", "text", "hello\nworld"),
]


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.key)
def test_frames_render_within_80_columns(frame: Frame) -> None:
    console = Console(width=80, record=True, color_system="truecolor")
    console.print(render_frame(frame))
    text = console.export_text()
    assert frame.title in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_sparklines_share_one_honest_y_axis_and_x() -> None:
    assert sparkline([0.0, 1.0, 2.0]) == "▁▅█"
    frame = Curves("c", "c", {"long": ([0, 1, 2, 3], [4.0, 3, 2, 1]), "short": ([0, 1], [1.0, 0])})
    lines = shared_sparklines(frame, 8)
    assert len(lines["long"]) == 8 and lines["long"][0] == "█"
    assert len(lines["short"]) < len(lines["long"])
    # One axis from 0: the short series' 1.0 stands as tall as the long one's 1.0.
    assert lines["short"][0] == lines["long"][-1] == "▃"


def test_small_slopes_look_small_next_to_big_ones() -> None:
    frame = Curves("d", "derivatives", {"sigmoid": ([0, 1, 2], [0.1, 0.25, 0.1]), "tanh": ([0, 1, 2], [0.2, 1.0, 0.2])})
    lines = shared_sparklines(frame, 3)
    assert lines["tanh"][1] == "█" and lines["sigmoid"][1] in "▂▃"


def test_a_series_starting_later_is_padded_not_an_error() -> None:
    # rnn-vs-lstm's baseline starts at x=0, the curves at x=25: this raised IndexError.
    frame = Curves(
        "m",
        "test MSE",
        {"RNN": ([25.0, 50.0], [0.17, 0.16]), "base": ([0.0, 50.0], [1 / 6, 1 / 6])},
        log_y=True,
    )
    lines = shared_sparklines(frame, 10)
    assert lines["RNN"].startswith(" ") and lines["RNN"].strip()
    console = Console(width=80, record=True)
    console.print(render_frame(frame))
    assert "log scale 0.1 … 1; x: step 0 … 50" in console.export_text()


def test_noise_is_not_drawn_as_a_swing() -> None:
    frame = Curves("n", "noise", {"loss": ([1, 2, 3, 4], [0.1567, 0.1633, 0.1567, 0.1633])})
    levels = {SPARKS.index(c) for c in shared_sparklines(frame, 4)["loss"]}
    assert max(levels) - min(levels) <= 1  # a 4% wiggle is at most one eighth of the axis


def test_images_keep_their_rows_and_fit_80_columns() -> None:
    image = [[float((i + j) % 2) for j in range(12)] for i in range(12)]
    frame = Images("i", "pairs", [image] * 10, [f"original {k}" for k in range(5)] + [f"rebuilt {k}" for k in range(5)], columns=5)
    for colour in ("truecolor", None):
        console = Console(width=80, record=True, color_system=colour)
        console.print(render_frame(frame))
        lines = console.export_text().splitlines()
        assert all(len(line) <= 80 for line in lines)
        captions = [line for line in lines if "original" in line or "rebuilt" in line]
        assert len(captions) == 2 and "rebuilt" not in captions[0]


def _printed(frame: Frame, colour: str | None = "truecolor") -> str:
    console = Console(width=80, record=True, color_system=colour, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_frame(frame))
    return console.export_text()


def test_a_dense_path_is_drawn_even_where_its_points_share_cells() -> None:
    # regularization's fits: 101 points over 56 columns, so every step lands in the same or the
    # next cell; only the end markers showed.
    xs = [i / 100 for i in range(101)]
    frame = Paths("fits", "fits", paths={"fit": (xs, [x * x for x in xs])}, markers=False)
    canvas = [line[2:-2] for line in _printed(frame, None).splitlines()[1:15]]  # inside the panel
    drawn = [j for j in range(len(canvas[0])) if any(row[j] != " " for row in canvas)]
    assert len(drawn) >= 50  # a dot in (almost) every column the curve crosses


def test_a_sweep_of_five_rates_is_five_points_not_a_line() -> None:
    rates = [0.001, 0.01, 0.1, 1.0, 10.0]
    frame = Curves("sweep", "sweep", {"acc": (rates, [0.3, 0.6, 0.9, 0.8, 0.3])}, log_x=True, y_min=0.0, y_max=1.0)
    line = shared_sparklines(frame, 22)["acc"]
    assert sum(c != " " for c in line) == 5
    dense = Curves("loss", "loss", {"loss": ([float(i) for i in range(40)], [1 / (i + 1) for i in range(40)])})
    assert " " not in shared_sparklines(dense, 22)["loss"]


def test_a_heatmap_legend_is_never_cut_in_a_narrow_panel() -> None:
    kernel = Heatmap("k", "Kernel (vertical-edge) 3×3", [[1.0, 0.0, -1.0]] * 3, ["r0", "r1", "r2"], ["c0", "c1", "c2"])
    assert "(grey = 0)" in _printed(kernel)


def test_a_log_axis_is_labelled_down_to_its_smallest_value() -> None:
    # rnn-vs-lstm's gradients: the RNN's smallest is 1e-20, the axis note read 1e-17 … 0.01.
    steps = [float(t) for t in range(1, 20)]
    frame = Curves("g", "gradient per step", {"rnn": (steps, [10.0 ** -(t + 2) for t in range(19)])}, log_y=True)
    assert "log scale 1e-20 … 0.01" in _printed(frame)
