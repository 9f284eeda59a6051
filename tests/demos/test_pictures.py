"""Heatmaps, decision regions and images as text: they fit the width they get and say what they show."""

from __future__ import annotations

import math

import pytest
from rich.console import Console

from studydl.demos.pictures import MARKERS, BoundaryArt, HeatmapArt, ImageGrid, heat_scale
from studydl.domain.demos import Boundary, Heatmap, Images
from tests.demos.fit import needed_width


def draw(renderable: object, width: int, colour: bool = True) -> list[str]:
    console = Console(width=width, record=True, color_system="truecolor" if colour else None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text().splitlines()


def gates(cols: int, labels: list[str] | None = None) -> Heatmap:
    return Heatmap(
        "g",
        "gates",
        values=[[round(0.05 * ((i + j) % 20), 2) for j in range(cols)] for i in range(3)],
        row_labels=["input gate i", "forget gate f", "output gate o"],
        col_labels=labels if labels is not None else [str(t) for t in range(cols)],
        v_min=0.0,
        v_max=1.0,
    )


@pytest.mark.parametrize("width", [24, 40, 60, 76, 100, 140])
@pytest.mark.parametrize("cols", [3, 12, 16, 40])
def test_a_heatmap_never_draws_wider_than_its_width(width: int, cols: int) -> None:
    art = HeatmapArt(gates(cols, [f"L{t}" for t in range(cols)]))
    lines = draw(art, width)
    assert max(len(line) for line in lines) <= width
    assert (needed_width(art, width) <= width) == (art.layout(width).columns == cols)  # says when it cuts


def test_small_heatmaps_show_their_numbers_and_labels_sit_over_their_cells() -> None:
    lines = draw(HeatmapArt(gates(4)), 60)
    header, first = lines[0], lines[1]
    assert "0.00" in first and "0.15" in first  # numbers, not just colours (the CLI had none)
    for label, value in (("0", "0.00"), ("3", "0.15")):  # each label ends where its number ends
        assert header.index(label) + len(label) == first.index(value) + len(value)


def test_twelve_columns_fit_80_columns_with_numbers() -> None:
    # lstm-gates and the transformer's attention at 80x24: .73-style numbers rather than wrapping.
    lines = draw(HeatmapArt(gates(12)), 72)
    assert max(len(line) for line in lines) <= 72
    assert lines[2].split()[-12:] == [f".{5 * k:02d}" for k in range(1, 13)]


def test_more_columns_than_fit_keep_every_label_readable() -> None:
    labels = [f"L{t + 1}" for t in range(15)] + ["out"]
    lines = draw(HeatmapArt(gates(16, labels)), 50)
    header = " ".join(lines[:2])
    assert all(label in header.split() for label in labels)  # staggered, never cut to one letter


def test_a_fixed_scale_colours_the_same_value_the_same_in_two_maps() -> None:
    before = HeatmapArt(Heatmap("a", "a", [[0.7, 0.75]], v_min=0.0, v_max=1.0))
    after = HeatmapArt(Heatmap("b", "b", [[0.7, 0.99]], v_min=0.0, v_max=1.0))
    assert before.scale.rgb(0.7) == after.scale.rgb(0.7)
    free = HeatmapArt(Heatmap("c", "c", [[0.7, 0.75]]))
    assert free.scale.rgb(0.7) != before.scale.rgb(0.7)  # its own range makes 0.7 the darkest


def test_values_of_both_signs_are_centred_on_zero() -> None:
    scale = heat_scale([[-1.0, 3.0]])
    assert scale.diverging and (scale.lo, scale.hi) == (-3.0, 3.0)
    assert not heat_scale([[0.0, 3.0]]).diverging


def test_a_plain_terminal_gets_numbers_and_shades() -> None:
    lines = draw(HeatmapArt(gates(4)), 60, colour=False)
    assert "0.15" in lines[1]
    wide = draw(HeatmapArt(gates(40)), 60, colour=False)
    assert any(c in "░▒▓█" for c in "".join(wide[1:4]))


def classes(k: int) -> Boundary:
    axis = [float(i) for i in range(24)]
    grid = [[float(min(k - 1, j * k // 24)) for j in range(24)] for _ in range(24)]
    points = [(float(3 + 24 * c // k), 12.0, c) for c in range(k)]
    return Boundary("b", "regions", axis, axis, grid, points)


@pytest.mark.parametrize("k", [2, 4, 6])
def test_the_legend_names_every_class(k: int) -> None:
    for colour in (True, False):
        text = "\n".join(draw(BoundaryArt(classes(k)), 80, colour=colour))
        for c in range(k):
            assert f"{MARKERS[c]} class {c}" in text
        assert f"class {k}" not in text


def test_more_than_two_classes_get_their_own_colours() -> None:
    art = BoundaryArt(classes(4))
    colours = {art.region_rgb(c) for c in range(4)}
    assert len(colours) == 4


def test_regions_are_half_block_pixels_within_the_width_highest_y_on_top() -> None:
    axis = [0.0, 0.5, 1.0]
    grid = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    art = BoundaryArt(Boundary("b", "t", axis, axis, grid, [(0.0, 0.0, 0), (1.0, 1.0, 1)]))
    lines = draw(art, 40)
    assert lines[0].startswith("▀▀x")  # (1, 1) is top right
    assert lines[1].startswith("o")
    big = BoundaryArt(classes(3))
    assert max(len(line) for line in draw(big, 20)[:-2]) <= 20


def test_images_share_one_drawing_captions_wrap_and_small_images_grow() -> None:
    image = [[float((i + j) % 2) for j in range(12)] for i in range(12)]
    frame = Images("i", "t", [image] * 3, ["train: square", "unseen: h-bar", "third"], columns=3)
    lines = draw(ImageGrid(frame), 80)
    assert lines[0].count("▀") == 36 and len(lines) == 6 + 1  # 12 rows as 6 half-block lines, captions
    assert "train: square" in lines[-1] and "unseen: h-bar" in lines[-1]
    kernel = Images("k", "k", [[[0.0, 1.0, 0.5]] * 3], ["k1"])
    assert draw(ImageGrid(kernel), 40)[0].count("▀") == 6  # a 3x3 kernel is drawn twice as large
    plain = draw(ImageGrid(frame), 80, colour=False)
    assert len(plain) == 12 + 1 and "▀" not in plain[0]


def test_non_finite_values_do_not_break_a_picture() -> None:
    frame = Heatmap("n", "nan", [[math.nan, 1.0], [math.inf, -2.0]])
    assert draw(HeatmapArt(frame), 40)
    axis = [0.0, 1.0]
    assert draw(BoundaryArt(Boundary("b", "b", axis, axis, [[math.nan, 1.0], [0.0, 1.0]], [])), 40)


def _standard_colours(art: BoundaryArt, width: int = 80) -> list[tuple[str, int | None, int | None]]:
    """(text, foreground, background) of every drawn cell as a 16-colour terminal shows it
    (TERM=xterm, no COLORTERM: Rich maps each colour to the nearest of the 16)."""
    from rich.color import ColorSystem

    console = Console(width=width, color_system="standard", file=open("/dev/null", "w"))  # noqa: SIM115
    cells = []
    for line in console.render_lines(art, console.options, pad=False)[: -2]:  # the legend apart
        for segment in line:
            style = segment.style
            fg = style.color.downgrade(ColorSystem.STANDARD).number if style and style.color else None
            bg = style.bgcolor.downgrade(ColorSystem.STANDARD).number if style and style.bgcolor else None
            cells.extend((char, fg, bg) for char in segment.text)
    return cells


@pytest.mark.parametrize("k", [3, 4, 6])
def test_on_16_colours_every_class_region_keeps_its_own_colour_and_every_point_shows(k: int) -> None:
    art = BoundaryArt(classes(k))
    cells = _standard_colours(art)
    region = {art.region_rgb(c) for c in range(k)}
    assert len(region) == k
    fills = {bg for char, _, bg in cells if char == "▀"} | {fg for char, fg, _ in cells if char == "▀"}
    assert len(fills) == k  # no two classes fall onto one grey
    markers = [(fg, bg) for char, fg, bg in cells if char in MARKERS]
    assert len(markers) == k and all(fg != bg for fg, bg in markers)  # never yellow on yellow
