"""Every frame type renders as text that fits in 80 columns."""

from __future__ import annotations

import math

import pytest
from rich.console import Console

from studydl.cli.demo_frames import render_frame, shared_sparklines, sparkline
from studydl.domain.demos import Boundary, Curves, Frame, Heatmap, Images, Scatter, Table, Text

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


def test_sparklines_scale_to_their_range_and_share_x() -> None:
    assert sparkline([0.0, 1.0, 2.0]) == "▁▅█"
    frame = Curves("c", "c", {"long": ([0, 1, 2, 3], [4.0, 3, 2, 1]), "short": ([0, 1], [1.0, 0])})
    lines = shared_sparklines(frame, 8)
    assert len(lines["long"]) == 8 and lines["long"][0] == "█" and lines["long"][-1] == "▁"
    assert len(lines["short"]) < len(lines["long"])
