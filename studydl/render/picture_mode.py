"""How pictures reach the terminal: as pixels (Kitty's graphics protocol or Sixel) or as character cells.

Decided once before the app starts, from the environment only (no question sent to the
terminal, nothing imported): Kitty and Ghostty speak Kitty's protocol (with the Unicode
placeholders textual-image draws through); foot, WezTerm, iTerm2, mlterm, Konsole and
contour speak Sixel; any other terminal, or output that is not a terminal, gets cells.
`--images none|cells|auto` (or `STUDYDL_IMAGES`) overrides it, then the `images` setting
(which can only ask for less: `cells` or `none`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

AUTO, CELLS, NONE = "auto", "cells", "none"
KITTY, SIXEL = "kitty", "sixel"
CHOICES = (AUTO, CELLS, NONE)
"""What a learner may ask for (`--images`, the setting)."""
MODES = (KITTY, SIXEL, CELLS, NONE)
ENV = "STUDYDL_IMAGES"

_SIXEL_PROGRAMS = {"wezterm", "iterm.app", "mlterm", "contour", "mintty"}
_SIXEL_TERMS = ("foot", "mlterm", "contour", "yaft")

_detected: str = CELLS
_asked: str | None = None
_setting: str = AUTO


def detect(env: Mapping[str, str] | None = None, tty: bool | None = None) -> str:
    """`kitty`, `sixel` or `cells` for this terminal, from its environment variables."""
    env = os.environ if env is None else env
    if tty is None:
        tty = bool(sys.__stdout__ and sys.__stdout__.isatty())
    if not tty or "TMUX" in env or env.get("TERM", "").startswith("screen"):
        return CELLS  # a multiplexer passes neither protocol on by default
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    if "KITTY_WINDOW_ID" in env or term in ("xterm-kitty", "xterm-ghostty") or program == "ghostty":
        return KITTY
    if program in _SIXEL_PROGRAMS or "KONSOLE_VERSION" in env or term.startswith(_SIXEL_TERMS) or "sixel" in term:
        return SIXEL
    return CELLS


def configure(asked: str | None = None, env: Mapping[str, str] | None = None, tty: bool | None = None) -> str:
    """Before the app starts: detect the terminal and take `--images` (else `STUDYDL_IMAGES`); the mode."""
    global _detected, _asked
    env = os.environ if env is None else env
    asked = asked or env.get(ENV) or None
    if asked is not None and asked not in CHOICES:
        raise ValueError(f"--images takes {', '.join(CHOICES)}, not {asked!r}")
    _asked = asked
    _detected = detect(env, tty) if asked in (None, AUTO) else CELLS
    if _detected in (KITTY, SIXEL):
        from studydl.render.terminal_picture import prime_cell_size

        prime_cell_size()
    return mode()


def apply_setting(value: str) -> str:
    """The store's `images` setting, once it is read (a flag given at start wins)."""
    global _setting
    _setting = value if value in CHOICES else AUTO
    return mode()


def mode() -> str:
    """`kitty`, `sixel`, `cells` or `none`: how pictures are drawn now."""
    wanted = _asked if _asked not in (None, AUTO) else _setting
    if wanted == NONE:
        return NONE
    if wanted == CELLS:
        return CELLS
    return _detected


def pixels() -> bool:
    """Pictures are drawn as pixels (through textual-image)."""
    return mode() in (KITTY, SIXEL)


def app_mode() -> str:
    """The mode inside the Textual app: Kitty's protocol passes through Textual (placeholders are
    characters), Sixel's control sequences do not, so a Sixel terminal gets cells there."""
    current = mode()
    return CELLS if current == SIXEL else current
