"""The studydl app: screens on top of one database, decks synced in the background."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from studydl.domain.errors import DeckProblem, StudyError
from studydl.home import Home
from studydl.tui.commands import StudyCommands
from studydl.tui.messages import DeckFilesChanged, DecksChanged, DecksSynced, StoreReady
from studydl.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from studydl.domain.cards import CardView
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


class StudyApp(App[None]):
    """Spaced repetition in the terminal. Build with `studydl.tui.launch.make_app`."""

    TITLE = "studydl"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = App.COMMANDS | {StudyCommands}
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", show=False),
        Binding("ctrl+e", "deck_errors", "Deck errors"),
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
        """Opened by the first sync worker; screens wait for StoreReady before using it."""
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
        self.start_cram: str | None = None
        """A deck to cram as soon as the decks are loaded (`studydl review --cram --deck D`)."""
        self._reviewing = False
        """A review screen is in the stack (its leaving ends a session: see `_on_screen_change`)."""

    # -- start-up ----------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return HomeScreen()

    def on_mount(self) -> None:
        if stamp := os.environ.get(EXIT_AFTER_PAINT):
            self.call_after_refresh(self._stamp, Path(stamp), "paint")
        self.sync_decks()
        if self.watch_decks_enabled:
            self.watch_decks()
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self.screen_change_signal.subscribe(self, self._on_screen_change)

    def on_unmount(self) -> None:
        """The app closes: the automatic backup (at most every few hours; see store/backup_policy.py)."""
        try:
            self.backup_now()
        except Exception:
            log.exception("automatic backup at close failed")

    def _stamp(self, stamp: Path, event: str) -> None:
        """Benchmark mode: note when the first paint ("paint") and the counts ("ready") happened."""
        with stamp.open("a", encoding="utf-8") as out:
            out.write(f"{event} {time.time()}\n")
            if event == "ready":
                heavy = [m for m in ("torch", "plotext", "studydl.engine.optimize") if m in sys.modules]
                out.write(f"heavy {','.join(heavy) or '-'}\n")
        if event == "ready":
            self.exit()

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
        """Open the store (first time), then sync every deck folder into it."""
        from studydl.decks.sync import sync_decks
        from studydl.demos.spec_index import SpecIndex

        with self._sync_lock:
            if self.db is None:
                from studydl.engine.settings import load_settings

                db = self.home.open_db()
                self.settings = load_settings(db)
                self.db = db
                self.post_message(StoreReady())
            started = time.perf_counter()
            report = sync_decks(
                self.db, self.deck_roots, roots=self.home.named_roots(), known_demos=SpecIndex(), prune_missing=True, clock=self.clock
            )
            log.info("sync: %d files synced, %d unchanged, %d errors in %.0f ms", len(report.synced), report.unchanged, len(report.errors), (time.perf_counter() - started) * 1000)
        self.post_message(DecksSynced(list(report.errors), report.touched))

    @work(thread=True, exit_on_error=False, group="watch", description="Deck folder watch")
    def watch_decks(self) -> None:
        """Post DeckFilesChanged for each batch of edits, until the app's workers are cancelled."""
        from studydl.tui.watch import watch_changes

        stop = get_current_worker().cancelled_event
        for changed in watch_changes(self.deck_roots, stop):
            self.post_message(DeckFilesChanged(sorted(changed)))

    @work(thread=True, exit_on_error=False, group="settings", description="Saving settings")
    def save_settings(self, changes: dict[str, Any], notice: str = "") -> None:
        """Write only the changed fields (never values read earlier: another process may have changed them)."""
        from studydl.engine.settings import save_changes

        assert self.db is not None
        settings = save_changes(self.db, changes)
        self.call_from_thread(self._settings_saved, settings, notice)

    def _settings_saved(self, settings: Settings, notice: str) -> None:
        self.settings = settings
        if notice:
            self.notify(notice)
            self.broadcast_changed()

    @work(thread=True, exit_on_error=False, group="settings", description="Reading settings")
    def _open_settings(self) -> None:
        from studydl.engine.settings import load_settings

        assert self.db is not None
        settings = load_settings(self.db)
        self.call_from_thread(self._show_settings, settings)

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
        self._reviewing = reviewing

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes a notification and a log line."""
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
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

    def on_store_ready(self, _message: StoreReady) -> None:
        if self.settings and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.broadcast_changed()

    def on_decks_synced(self, message: DecksSynced) -> None:
        self.synced = True
        had_errors = bool(self.deck_errors)
        self.deck_errors = message.errors
        self.refresh_bindings()
        if message.errors:
            count = len(message.errors)
            first = message.errors[0]
            self.notify(
                f"{first}\n{'' if count == 1 else f'and {count - 1} more; '}press ctrl+e to see them.",
                title=f"{count} deck problem{'s' if count > 1 else ''}: those decks were not synced",
                severity="warning",
                timeout=12,
            )
        elif had_errors:
            self.notify("The deck problems are fixed.", title="Decks synced")
        self.broadcast_changed()

    def on_deck_files_changed(self, message: DeckFilesChanged) -> None:
        log.info("deck files changed: %s", ", ".join(str(p) for p in message.paths))
        self.sync_decks()

    def broadcast_changed(self) -> None:
        """Tell every screen in the stack to reload what it shows."""
        for screen in self.screen_stack:
            screen.post_message(DecksChanged())

    def _on_theme_changed(self, theme: Any) -> None:
        if self.settings is not None and self.db is not None and self.settings.theme != self.theme:
            from dataclasses import replace

            self.settings = replace(self.settings, theme=self.theme)
            self.save_settings({"theme": self.theme})

    # -- actions (also offered by the command palette) --------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "deck_errors":
            return bool(self.deck_errors)
        if action in {"review", "browse", "stats", "settings"}:
            return self.db is not None
        return True

    def action_review(self, deck: str | None = None, section: str | None = None, cram: bool = False) -> None:
        """Start a review session of one deck, or of every deck; `cram`: every card of it, schedule untouched."""
        from studydl.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck, section, cram=cram))

    def action_browse(self, query: str = "") -> None:
        try:
            from studydl.tui.screens.browse import BrowseScreen
        except ImportError:
            self.notify("The card browser is not available yet.", severity="warning")
            return
        self.push_screen(BrowseScreen(self.db, query, self.clock))

    def action_stats(self) -> None:
        try:
            from studydl.tui.screens.stats import StatsScreen
        except ImportError:
            self.notify("Statistics are not available yet.", severity="warning")
            return
        self.push_screen(StatsScreen(self.db, self.clock))

    def action_settings(self) -> None:
        """Open the settings dialog on the store's current values (read afresh)."""
        self._open_settings()

    def _show_settings(self, settings: Settings) -> None:
        from studydl.tui.screens.settings import SettingsScreen

        self.settings = settings

        def saved(changes: dict[str, Any] | None) -> None:
            if changes is None:
                return
            theme = changes.get("theme")
            if theme is not None and theme in self.available_themes:
                self.settings = replace(settings, theme=theme)  # so the theme signal saves nothing more
                self.theme = theme
            self.save_settings(changes, "Settings saved." if changes else "Nothing changed.")

        self.push_screen(SettingsScreen(settings, sorted(self.available_themes)), saved)

    def action_help(self) -> None:
        from studydl.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_deck_errors(self) -> None:
        from studydl.tui.screens.errors import DeckErrorsScreen

        self.push_screen(DeckErrorsScreen(self.deck_errors))

    def action_sync(self) -> None:
        self.sync_decks()

    def action_demo(self, demo_id: str) -> None:
        try:
            from studydl.tui.screens.demo import DemoScreen
        except ImportError:
            self.notify("Demos are not available yet.", severity="warning")
            return
        self.push_screen(DemoScreen(demo_id))

    def edit_card(self, card: CardView) -> None:
        """Open the card's deck file at its line in the user's editor, then re-sync.

        A bundled deck is edited as the learner's own copy in the home's decks folder,
        which replaces it (keeping its cards' history); a copy left unchanged is removed.
        """
        from studydl.decks.copies import deck_of_card, edit_target
        from studydl.tui.editor import editor_command, run_editor

        assert self.db is not None
        try:
            target = edit_target(self.home.named_roots(), *deck_of_card(self.db, card.id))
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        run_editor(self, editor_command(target.path, card.source_line))
        if target.copied_from is not None:
            if target.drop_if_unchanged():
                self.notify("Nothing changed: the bundled deck stays as it is.")
            else:
                self.notify(f"Your copy {target.path} now replaces the bundled deck; its cards keep their history.", title="Your copy")
        self.sync_decks()

