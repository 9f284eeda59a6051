"""Pictures as PIL images: demo frames (Images, Heatmap) and image files a deck references.

PIL is imported here only, when a picture is about to be shown or a deck's image checked.
An image file is read within caps (bytes and pixels): a decompression bomb is refused,
never decoded. A deck image that cannot be read is a `PictureError` (its message is the
deck problem), never an exception that reaches the screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from studydl.demos.pictures.palette import heat_scale
from studydl.domain.demos import Heatmap, Images

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_FILE_BYTES = 8 * 1024 * 1024
"""An image file beside a deck may be at most 8 MB."""
MAX_PIXELS = 16_000_000
"""... and at most 16 megapixels (PIL refuses more as a decompression bomb)."""
FRAME_SCALE = 8
"""Screen pixels per data pixel of a demo image, before the terminal's own fit."""
GAP = 4


class PictureError(ValueError):
    """An image file that cannot be shown; the message says why."""


def _pil() -> Any:
    from PIL import Image as PILImage

    PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS  # over it: DecompressionBombWarning -> error below
    return PILImage


def check_picture(path: Path) -> tuple[int, int]:
    """An image file's size in pixels from its header, within the caps; PictureError otherwise (nothing decoded)."""
    import warnings

    pil = _pil()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PictureError(f"image {path.name}: {'not found' if isinstance(exc, FileNotFoundError) else exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise PictureError(f"image {path.name} is {size / 1048576:.1f} MB; at most {MAX_FILE_BYTES // 1048576} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pil.DecompressionBombWarning)
            with pil.open(path) as opened:
                width, height = opened.size
    except (pil.DecompressionBombError, pil.DecompressionBombWarning):
        raise PictureError(f"image {path.name} is too large to decode (at most {MAX_PIXELS // 1_000_000} megapixels)") from None
    except (OSError, ValueError, SyntaxError) as exc:  # PIL's UnidentifiedImageError is an OSError
        raise PictureError(f"image {path.name} cannot be read: {str(exc).splitlines()[0] if str(exc) else 'not an image'}") from None
    if width * height > MAX_PIXELS:
        raise PictureError(f"image {path.name} is {width}x{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels")
    return width, height


def read_picture(path: Path) -> Image:
    """An image file, checked (check_picture) and then decoded as RGB; PictureError with the reason otherwise."""
    check_picture(path)
    pil = _pil()
    try:
        with pil.open(path) as opened:
            opened.load()
            return opened.convert("RGB")
    except (OSError, ValueError, SyntaxError, pil.DecompressionBombError) as exc:
        raise PictureError(f"image {path.name} cannot be read: {str(exc).splitlines()[0] if str(exc) else 'broken file'}") from None


def frame_picture(frame: Images | Heatmap) -> Image:
    """A demo frame as one RGB image: the images side by side (grey), or the heatmap's colours."""
    pil = _pil()
    if isinstance(frame, Heatmap):
        scale = heat_scale(frame.values, frame.v_min, frame.v_max)
        rows = len(frame.values)
        cols = max((len(r) for r in frame.values), default=0)
        image = pil.new("RGB", (max(1, cols), max(1, rows)), (0, 0, 0))
        image.putdata([scale.rgb(row[c]) if c < len(row) else (0, 0, 0) for row in frame.values for c in range(cols)])
        return image.resize((max(1, cols) * FRAME_SCALE * 2, max(1, rows) * FRAME_SCALE * 2), pil.NEAREST)
    tiles = [_grey(pil, image) for image in frame.images]
    if not tiles:
        return pil.new("RGB", (1, 1))
    per_row = frame.columns or len(tiles)
    tile_w = max(t.width for t in tiles)
    tile_h = max(t.height for t in tiles)
    rows = (len(tiles) + per_row - 1) // per_row
    sheet = pil.new("RGB", (per_row * (tile_w + GAP) - GAP, rows * (tile_h + GAP) - GAP), (40, 40, 48))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, ((i % per_row) * (tile_w + GAP), (i // per_row) * (tile_h + GAP)))
    return sheet


def _grey(pil: Any, image: list[list[float]]) -> Any:
    h = len(image)
    w = max((len(r) for r in image), default=0)
    tile = pil.new("L", (max(1, w), max(1, h)))
    tile.putdata([int(255 * min(1.0, max(0.0, row[c] if c < len(row) else 0.0))) for row in image for c in range(w)])
    return tile.resize((max(1, w) * FRAME_SCALE, max(1, h) * FRAME_SCALE), pil.NEAREST).convert("RGB")
