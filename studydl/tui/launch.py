"""Build and run the app: the one factory the CLI, the benchmark and the tests share."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studydl.home import Home
from studydl.tui import start_heap

if TYPE_CHECKING:
    from studydl.tui.app import StudyApp

_HANDLER_NAME = "studydl-log-file"


def setup_logging(home: Home) -> None:
    """Send the `studydl` logger to the home's log file (once per file; replaces an older one)."""
    logger = logging.getLogger("studydl")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            logger.removeHandler(handler)
            handler.close()
    home.root.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(home.log_path, encoding="utf-8", delay=True)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def make_app(
    home: Home,
    *,
    clock: Callable[[], datetime] | None = None,
    deck_roots: Sequence[Path] | None = None,
    watch: bool = True,
) -> StudyApp:
    """A StudyApp on `home`, logging to its log file."""
    from studydl.tui.app import StudyApp

    setup_logging(home)
    kwargs = {"clock": clock} if clock is not None else {}
    return StudyApp(home, deck_roots=deck_roots, watch=watch, **kwargs)


def open_app(home: Home, cram_deck: str | None = None) -> None:
    """Run the app in this terminal; an unexpected error ends it with one line, not a traceback.

    A database server (`--db`) that cannot be reached, or a SQLite file damaged at a
    glance (see store/damage.py), is reported before the app starts, as one line, as
    every command reports it: nothing in the app would work. `cram_deck`: open straight
    into a cram of that deck (`studydl review --cram --deck D`).
    """
    from studydl.store.damage import DatabaseDamaged, check_file

    if home.server is not None:
        home.open_db().dispose()
    elif problem := check_file(home.db_path):
        raise DatabaseDamaged(home.db_path, problem)
    start_heap.hold()  # (until the first frame: see start_heap.py)
    try:
        app = make_app(home)
        app.start_cram = cram_deck
        app.run()
    finally:
        start_heap.release()
        gc.enable()  # (also when the app ended before its first frame)
    if app.return_code:
        sys.exit(app.return_code)
