"""Where the bundled decks and demo modules live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_root() -> Path:
    """The folder holding `decks/` and `demos/`.

    A wheel carries them inside the package (`studydl/_bundled/`); a source
    checkout or an editable install has them beside the package.
    """
    inside = _PACKAGE_DIR / "_bundled"
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent


def bundled_decks_dir() -> Path:
    """The bundled Markdown decks."""
    return bundled_root() / "decks"


def bundled_demos_dir() -> Path:
    """The catalogue of demo modules."""
    return bundled_root() / "demos"
