"""Heatmaps, decision regions, grey-scale images and tables as Rich renderables, for the CLI and the app alike.

Each picture is a renderable that lays itself out for the width it is given (numbers in
heatmap cells when they fit, half-block pixels, images wrapped into rows) and never draws
wider than that width; `__rich_measure__` reports the width it really uses, so a test can
tell a picture that fits from one that had to be cut. On a terminal without colour the
pictures fall back to numbers and shade characters. No textual, no torch.
"""

from studydl.demos.pictures.boundary import BoundaryArt
from studydl.demos.pictures.heatmap import HeatmapArt
from studydl.demos.pictures.images import ImageGrid, image_lines
from studydl.demos.pictures.palette import (
    CLASS_COLOURS,
    MARKERS,
    RGB,
    HeatScale,
    heat_scale,
    hex_colour,
    markers_along,
)
from studydl.demos.pictures.tables import table_art

__all__ = [
    "CLASS_COLOURS",
    "MARKERS",
    "RGB",
    "BoundaryArt",
    "HeatScale",
    "HeatmapArt",
    "ImageGrid",
    "heat_scale",
    "hex_colour",
    "image_lines",
    "markers_along",
    "table_art",
]
