"""How wide a demo picture or table needs to be (Rich clamps its own measurements to the width)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table

from studydl.demos.pictures import BoundaryArt, HeatmapArt, ImageGrid

PICTURES = (HeatmapArt, BoundaryArt, ImageGrid)
UNLIMITED = 10_000


def needed_width(renderable: object, width: int) -> int:
    """Columns `renderable` needs to draw whole at `width`: a picture's laid-out width, a table's
    narrowest width with its words whole (Rich cuts cells with … below that); text wraps, so it
    needs nothing. More than `width` means something is cut."""
    console = Console(width=UNLIMITED, color_system="truecolor", file=open("/dev/null", "w"))  # noqa: SIM115
    if isinstance(renderable, PICTURES):
        return renderable.__rich_measure__(console, console.options.update_width(width)).maximum
    if isinstance(renderable, Table):
        return Measurement.get(console, console.options, renderable).minimum
    if isinstance(renderable, Panel):
        return needed_width(renderable.renderable, width - 4) + 4
    if isinstance(renderable, Group):
        return max((needed_width(part, width) for part in renderable.renderables), default=0)
    return 0
