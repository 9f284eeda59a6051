"""A PIL image as a Rich renderable for this terminal: pixels through textual-image, or character cells.

Kitty's protocol: textual-image's TGP renderable sends the image once (escape sequences on
the terminal's own stream) and draws Unicode placeholders the terminal replaces with it,
so it works inside Textual and on a plain Rich console. Sixel: textual-image's Sixel
renderable, for a plain console (`demo run`); Textual drops its control sequences, so the
app shows cells there. Cells: half blocks, two pixels a character.

textual-image's `renderable` package asks the terminal what it supports when imported,
which only works before Textual starts (it reads the answer from stdin); studydl decides
before start from the environment (render/picture_mode.py), so the one renderable needed
is imported alone, when the first picture is shown.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from studydl.render import picture_mode

CELL_PIXELS = (10, 20)
"""textual-image's assumed cell size when the terminal tells none (a VT340's)."""
MAX_CELLS_WIDE = 60
"""A picture in cells is at most this many characters wide."""


def protocol_module(kind: str) -> Any:
    """textual-image's `renderable.tgp` or `renderable.sixel`, without its package's terminal query."""
    name = "textual_image.renderable"
    if name not in sys.modules:
        import textual_image

        package = types.ModuleType(name)
        package.__path__ = [str(Path(textual_image.__file__).parent / "renderable")]
        sys.modules[name] = package
    return importlib.import_module(f"{name}.{kind}")


def prime_cell_size() -> None:
    """Ask the terminal for its cell size in pixels now (ioctl), before Textual owns stdin."""
    try:
        from textual_image._terminal import get_cell_size

        get_cell_size()
    except Exception:  # no terminal, a closed stream: textual-image assumes its default later
        pass


class TerminalPicture:
    """One image, drawn as the terminal allows when rendered (picture_mode.mode() then, or `mode`)."""

    def __init__(self, image: Any, mode: str | None = None, max_cells: int | None = None) -> None:
        self.image = image
        self.mode = mode
        self.max_cells = max_cells
        self._pixels: Any = None
        self._width = 0

    def _cells_wide(self, max_width: int) -> int:
        natural = -(-self.image.width // CELL_PIXELS[0])
        return max(1, min(max_width, self.max_cells or max_width, natural))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self._cells_wide(options.max_width)
        return Measurement(width, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        mode = self.mode or picture_mode.mode()
        width = self._cells_wide(options.max_width)
        if mode in (picture_mode.KITTY, picture_mode.SIXEL):
            if self._pixels is None or self._width != width:  # one transfer per size, not per frame
                kind = "tgp" if mode == picture_mode.KITTY else "sixel"
                self._pixels, self._width = protocol_module(kind).Image(self.image, width=width), width
            yield from console.render(self._pixels, options.update(width=width))
            return
        if mode != picture_mode.NONE:
            yield from half_blocks(self.image, min(width, MAX_CELLS_WIDE))


def half_blocks(image: Any, width: int) -> list[Text]:
    """The image in `width` characters, each the upper and lower of two pixels (▀ in colour on colour)."""
    height = max(2, round(image.height * width / max(1, image.width)))
    small = image.convert("RGB").resize((width, height + height % 2))
    pixels = small.load()
    lines = []
    for y in range(0, small.height, 2):
        line = Text(no_wrap=True, overflow="crop")
        for x in range(small.width):
            top, bottom = pixels[x, y], pixels[x, y + 1]
            line.append("▀", style=f"rgb({top[0]},{top[1]},{top[2]}) on rgb({bottom[0]},{bottom[1]},{bottom[2]})")
        lines.append(line)
    return lines


class FramePicture:
    """A demo's Images or Heatmap frame as one picture, its captions (or labels) on a line under it."""

    def __init__(self, frame: Any, mode: str | None = None) -> None:
        self.frame = frame
        self.mode = mode
        self._picture: TerminalPicture | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self._picture is None:
            from studydl.render.pixels import frame_picture

            self._picture = TerminalPicture(frame_picture(self.frame), self.mode)
        yield self._picture
        captions = getattr(self.frame, "captions", None) or []
        if captions:
            yield Text(" · ".join(captions), style="dim", overflow="ellipsis", no_wrap=True)
