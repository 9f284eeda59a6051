"""Warm torch up in the background once a review that may launch a demo starts.

Importing torch and taking the first optimizer step cost 2.5-5 s; done while the learner
reads their first cards, pressing `d` later shows the demo's first frame at once. Start-up
stays light: nothing here runs until a review screen opens on a deck with demo cards.
"""

from __future__ import annotations

import gc
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studydl.store.db import Database

log = logging.getLogger("studydl.tui.warmup")
_started = threading.Event()


def warm_demos_if_needed(db: Database, deck: str | None) -> threading.Thread | None:
    """Start (once per process) a daemon thread that warms demos if `deck` has demo cards."""
    if _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=_warm, args=(db, deck), name="demo-warmup", daemon=True)
    thread.start()
    return thread


def _warm(db: Database, deck: str | None) -> None:
    from studydl.store.queries import has_demo_cards

    try:
        with db.read() as session:
            if not has_demo_cards(session, deck):
                _started.clear()  # another deck may have some
                return
        from studydl.demos import warm_up

        warm = warm_up()
        import studydl.tui.screens.demo  # noqa: F401  (the demo screen's plotting modules)

        gc.freeze()  # as warm_up does for torch's objects: full collections skip these modules too

        log.info("demos warmed: import torch %.2f s, first optimizer step %.2f s", warm.import_s, warm.optimizer_s)
    except Exception:  # a failed warm-up only means the first demo starts cold
        log.exception("demo warm-up failed")
