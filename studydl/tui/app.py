"""The studydl app: screens on top of one database, decks synced in the background."""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, ScreenStackError, UnknownModeError
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from studydl.domain.errors import DeckProblem, StudyError
from studydl.domain.words import problems_in_files
from studydl.home import Home
from studydl.tui import start_heap
from studydl.tui.answer_sync import AnswerSync
from studydl.tui.app_actions import AppActions
from studydl.tui.commands import StudyCommands
from studydl.tui.messages import DeckFilesChanged, DecksChanged, DecksSynced, HomeLoaded, StoreReady
from studydl.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from studydl.engine.settings import Settings
    from studydl.store.db import Database

log = logging.getLogger("studydl.tui")

EXIT_AFTER_PAINT = "STUDYDL_EXIT_AFTER_PAINT"
"""Set to a file path: the app writes the time of its first paint there and exits (bench/startup.py)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def describe_error(error: BaseException, log_path: Path, db_path: Path | None = None) -> str:
    """A user-facing line for an error: its own message when it is ours, else type, text and log."""
    if isinstance(error, StudyError):
        return str(error)
    from studydl.store.damage import damage_message, sqlite_damage

    if db_path is not None and (detail := sqlite_damage(error)):
        return damage_message(db_path, detail)
    return f"{type(error).__name__}: {error}\n(details in {log_path})"


class StudyApp(AnswerSync, AppActions, App[None]):
    """Spaced repetition in the terminal. Build with `studydl.tui.launch.make_app`."""

    TITLE = "studydl"
    CSS_PATH = ["styles/app.tcss", "styles/home.tcss"]
    """The deck list's styles are the app's, and it is the default screen: as a screen of MODES
    with a CSS_PATH of its own, Textual parsed the app's sheets four times before the first
    frame instead of once (from scratch to add the screen's sheet, again to refresh the new
    mode's styles, again as the first widgets mounted)."""
    COMMANDS = App.COMMANDS | {StudyCommands}
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", show=False),
        Binding("ctrl+e", "deck_errors", "Deck problems"),
    ]

    def __init__(
        self,
        home: Home,
        clock: Callable[[], datetime] = utcnow,
        *,
        deck_roots: Sequence[Path] | None = None,
        watch: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.home = home
        self.clock = clock
        self.monotonic = monotonic
        """Measures answer times (injectable so tests get exact durations)."""
        self.deck_roots = list(deck_roots) if deck_roots is not None else home.deck_roots()
        self.watch_decks_enabled = watch
        self.db: Database | None = None
        """Set when the store is open and the first sync is done (StoreReady); None until then."""
        self._store: Database | None = None
        """The store as the sync worker opened it (before the first sync finished)."""
        self.settings: Settings | None = None
        """The store's settings as last read (at start, on opening the settings); screens that
        depend on them (review, home counts) read the store themselves."""
        self.deck_errors: list[DeckProblem] = []
        self.deck_names: list[str] = []
        """Filled by the home screen; the command palette offers one review command per deck."""
        self._sync_lock = threading.Lock()
        self.synced = False
        """At least one deck sync has finished."""
        self._ready_stamped = False
        self._heap_settled: set[str] = set()
        self.start_cram: str | None = None
        """A deck to cram as soon as the decks are loaded (`studydl review --cram --deck D`)."""
        self._reviewing = False
        """A review screen is in the stack (its leaving ends a session: see `_on_screen_change`)."""

    # -- start-up ----------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        """The deck list, under every other screen."""
        return HomeScreen()

    def on_mount(self) -> None:
        if stamp := os.environ.get(EXIT_AFTER_PAINT):
            self.call_after_refresh(self._stamp, Path(stamp), "paint")
        self.call_after_refresh(start_heap.first_frame_painted)
        # After the first frame: the worker would compete with it for the interpreter.
        # The folder watch starts once the sync is done (see on_store_ready).
        self.call_after_refresh(self.sync_decks)
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self.screen_change_signal.subscribe(self, self._on_screen_change)

    def on_unmount(self) -> None:
        """The app closes: the automatic backup (at most every few hours; see store/backup_policy.py), and
        with a shared log a last sync."""
        try:
            self.backup_now()
        except Exception:
            log.exception("automatic backup at close failed")
        try:
            self.push_at_close()
        except Exception:
            log.exception("sync at close failed")

    def _stamp(self, stamp: Path, event: str) -> None:
        """Benchmark mode: note when the first paint ("paint") and the counts ("ready") happened."""
        with stamp.open("a", encoding="utf-8") as out:
            out.write(f"{event} {time.time()}\n")
            if event == "ready":
                heavy = [m for m in ("torch", "plotext", "studydl.engine.optimize") if m in sys.modules]
                out.write(f"heavy {','.join(heavy) or '-'}\n")
        if event == "ready":
            self.exit()

    def settle_heap(self, stage: str) -> None:
        """Once per stage (start-up, the first review): freeze what is allocated by then.

        The objects of the modules and widgets loaded so far move out of the cyclic
        garbage collector's reach (gc.freeze), so a full collection walks only what
        came after: during a review they took 85-160 ms (the long tail of key-to-screen
        times), frozen 2-6 ms. What was garbage at that moment stays, once per stage.
        """
        if stage not in self._heap_settled:
            self._heap_settled.add(stage)
            gc.freeze()

    def home_ready(self) -> None:
        """The home screen shows its counts after the first sync (ends a benchmark run; starts a cram asked for)."""
        if self.start_cram is not None:
            deck, self.start_cram = self.start_cram, None
            self.action_review(deck, cram=True)
        if (stamp := os.environ.get(EXIT_AFTER_PAINT)) and not self._ready_stamped:
            self._ready_stamped = True
            self.call_after_refresh(self._stamp, Path(stamp), "ready")

    # -- background work ---------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="sync", description="Deck sync")
    def sync_decks(self) -> None:
        """Sync every deck folder into the store; the first time, open it and load the deck list too.

        At start-up, opening the store, the sync and the deck list's first load are one
        ordered step in this one worker: the first counts the learner sees already hold
        a deck file added while the app was closed (two loads racing, one before the sync
        and one after, could show the older last). Nothing here loads SQLAlchemy when no
        deck file changed (see decks/sync.py and engine/deck_counts.py).
        """
        from studydl.decks.sync import sync_decks
        from studydl.demos.spec_index import SpecIndex

        with self._sync_lock:
            first = self._store is None
            if first:
                self._store = self.home.open_db()
            db = self._store
            started = time.perf_counter()
            try:
                report = sync_decks(
                    db, self.deck_roots, roots=self.home.named_roots(), known_demos=SpecIndex(), prune_missing=True, clock=self.clock
                )
            finally:  # a failed sync still opens the app on the store as it is (the failure is reported)
                if first:
                    self._post_first_load(db, started)
            log.info("sync: %d files synced, %d unchanged, %d errors in %.0f ms", len(report.synced), report.unchanged, len(report.errors), (time.perf_counter() - started) * 1000)
        self.post_message(DecksSynced(list(report.errors), report.touched, first=first))

    def _post_first_load(self, db: Database, started: float) -> None:
        from studydl.tui.home_data import load_home_data

        data = load_home_data(db, self.clock())
        self.post_message(StoreReady(db, HomeLoaded(data, True, time.perf_counter() - started)))

    @work(thread=True, exit_on_error=False, group="watch", description="Deck folder watch")
    def watch_decks(self) -> None:
        """Post DeckFilesChanged for each batch of edits, until the app's workers are cancelled."""
        from studydl.tui.watch import watch_changes

        stop = get_current_worker().cancelled_event
        for changed in watch_changes(self.deck_roots, stop):
            self.post_message(DeckFilesChanged(sorted(changed)))

    @work(thread=True, exit_on_error=False, group="backup", description="Automatic backup")
    def auto_backup(self) -> None:
        self.backup_now()

    def backup_now(self) -> Path | None:
        """An automatic backup, unless one is recent or nothing changed; None then."""
        if self.db is None or self.home.server is not None:  # (a server's database: its own tools back it up)
            return None
        from studydl.domain.days import local_zone
        from studydl.store.backup_policy import auto_backup

        made = auto_backup(self.home.db_path, self.home.backups_dir, self.clock(), local_zone())
        if made is not None:
            log.info("backup: %s", made)
        return made

    def _on_screen_change(self, _screen: Screen) -> None:
        """A review session ends when its screen leaves the stack (summary, escape, nothing due)."""
        review = sys.modules.get("studydl.tui.screens.review")
        reviewing = review is not None and any(isinstance(s, review.ReviewScreen) for s in self.screen_stack)
        if self._reviewing and not reviewing:
            self.auto_backup()
            if self.home.shared_log is not None:
                self.sync_answers()
        self._reviewing = reviewing

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes a notification and a log line."""
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        start_heap.release()  # (a failed start-up sync shows no counts)
        error = event.worker.error
        what = event.worker.description or event.worker.name
        log.error("%s failed", what, exc_info=(type(error), error, error.__traceback__))
        self.notify(describe_error(error, self.home.log_path, self.home.db_path), title=f"{what} failed", severity="error", timeout=10)

    def _fatal_error(self) -> None:
        """An error nothing caught: log the traceback, end with one line instead of printing it."""
        error = self._exception
        if error is not None:
            log.critical("unexpected error", exc_info=(type(error), error, error.__traceback__))
        self._exit_renderables.append(
            Text(f"studydl stopped on an unexpected error: {describe_error(error or Exception('?'), self.home.log_path, self.home.db_path)}")
        )
        self._close_messages_no_wait()

    # -- messages from workers -----------------------------------------------------
    # A worker's message can arrive at any point of the app's life: before the first
    # screen is up, or after closing began and the screens are gone. Each handler touches
    # screens only through `_screens_up` / `screen_stack` (empty then), never `self.screen`.

    def _screens_up(self) -> bool:
        """The app is running with a screen on its stack (not before its first, not while closing)."""
        if self._exit or not self.is_running:
            return False
        try:
            self.screen  # noqa: B018 - raises with no screen on the stack
        except (ScreenStackError, UnknownModeError):
            return False
        return True

    def refresh_bindings(self) -> None:
        """The footer's keys again, when there is a screen to show them."""
        if self._screens_up():
            super().refresh_bindings()

    def _screens(self) -> list[Screen]:
        """The screens on the stack now; none before the first or once closing began."""
        return self.screen_stack if self._screens_up() else []

    def on_store_ready(self, message: StoreReady) -> None:
        """The store is open and synced: every action opens at once, on counts taken after the sync."""
        self.db = message.db
        self.settings = message.home.data.settings
        self.synced = True
        if self.settings and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings:
            from studydl.render.picture_mode import apply_setting

            apply_setting(self.settings.images)
        self.refresh_bindings()
        for screen in self._screens():
            screen.post_message(message.home if isinstance(screen, HomeScreen) else DecksChanged())
        if self.watch_decks_enabled:  # (an edit from now on is seen; one made before is in this sync)
            self.watch_decks()
        self.start_answer_sync()
        self.call_after_refresh(self.settle_heap, "start-up")
        self.call_after_refresh(start_heap.release)

    def on_decks_synced(self, message: DecksSynced) -> None:
        had_errors = bool(self.deck_errors)
        self.deck_errors = message.errors
        self.refresh_bindings()
        if message.errors:
            count = len(message.errors)
            first = message.errors[0]
            files = len({str(p.path) for p in message.errors})
            self.notify(
                f"{first}\n{'' if count == 1 else f'and {count - 1} more; '}press ctrl+e to see {'it' if count == 1 else 'them'}.",
                title=f"{problems_in_files(message.errors)}: {'it was' if files == 1 else 'they were'} not synced",
                severity="warning",
                timeout=12,
            )
        elif had_errors:
            self.notify("The deck problems are fixed.", title="Decks synced")
        if not message.first:  # (the first sync's counts came with StoreReady)
            self.broadcast_changed()

    def on_deck_files_changed(self, message: DeckFilesChanged) -> None:
        log.info("deck files changed: %s", ", ".join(str(p) for p in message.paths))
        self.sync_decks()

    def broadcast_changed(self) -> None:
        """Tell every screen in the stack to reload what it shows."""
        for screen in self._screens():
            screen.post_message(DecksChanged())

    def _on_theme_changed(self, theme: Any) -> None:
        if self.settings is not None and self.db is not None and self.settings.theme != self.theme:
            from dataclasses import replace

            self.settings = replace(self.settings, theme=self.theme)
            self.save_settings({"theme": self.theme})
