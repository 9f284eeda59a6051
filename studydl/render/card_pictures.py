"""Images a card references (`![](figures/lstm.png)`, a file beside its deck): found, checked, shown.

`image_refs` finds the local references outside code; `picture_problems` is what
`studydl check` and sync report about them (`file:line`); `with_pictures` puts them under
the card's text in review, as pixels or cells (render/terminal_picture.py). A URL is
left as the Markdown shows it: decks never fetch anything.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
MAX_IMAGES = 8
"""Images shown per side of a card at most."""


def image_refs(text: str) -> list[str]:
    """The local image paths a card's Markdown references, in order (URLs and code left out)."""
    if "![" not in text:
        return []
    bare = _CODE.sub("", _FENCE.sub("", text))
    return [target for _alt, target in IMAGE.findall(bare) if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)]


def image_path(deck_file: Path, target: str) -> Path | str:
    """The file `target` names beside the deck, or why it may not be read (outside the deck's folder)."""
    if target.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", target):
        return f"image {target}: give a path relative to the deck file (figures/x.png)"
    folder = deck_file.resolve().parent
    path = (folder / target).resolve()
    if folder not in path.parents:
        return f"image {target}: the file must be in the deck's folder or below it"
    return path


def picture_problems(deck_file: Path, text: str) -> list[str]:
    """What keeps each referenced image from being shown: missing, unreadable, too large."""
    refs = image_refs(text)
    if not refs:
        return []
    from studydl.render.pixels import PictureError, check_picture

    problems = []
    for target in refs:
        path = image_path(deck_file, target)
        if isinstance(path, str):
            problems.append(path)
            continue
        try:
            check_picture(path)
        except PictureError as exc:
            problems.append(f"{exc} ({target})" if target not in str(exc) else str(exc))
    return problems


def with_pictures(renderable: Any, text: str, source_path: str | None) -> Any:
    """The card's rendering in the app with its images under it (nothing added for a card without, or with `--images none`)."""
    refs = image_refs(text)
    if not refs or not source_path:
        return renderable
    from rich.console import Group
    from rich.text import Text

    from studydl.render import picture_mode

    mode = picture_mode.app_mode()
    if mode == picture_mode.NONE:
        return renderable
    from studydl.render.pixels import PictureError, read_picture
    from studydl.render.terminal_picture import TerminalPicture

    parts = [renderable]
    for target in refs[:MAX_IMAGES]:
        path = image_path(Path(source_path), target)
        try:
            if isinstance(path, str):
                raise PictureError(path)
            parts.append(TerminalPicture(read_picture(path), mode, max_cells=60))
        except PictureError as exc:
            parts.append(Text(f"[{exc}]", style="dim"))
    return Group(*parts)
