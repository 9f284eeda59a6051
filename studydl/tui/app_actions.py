"""The app's actions (also offered by the command palette): the screens it opens, settings, editing.

A mixin of StudyApp, kept apart so app.py holds start-up, background work and messages.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work

from studydl.domain.errors import StudyError

if TYPE_CHECKING:
    from studydl.domain.cards import CardView
    from studydl.engine.settings import Settings


def short_path(path: object) -> str:
    """A path as a notice shows it: under the home folder as `~/...` (fewer lines to wrap)."""
    from pathlib import Path

    shown, home = Path(str(path)), Path.home()
    return f"~/{shown.relative_to(home)}" if shown.is_relative_to(home) and home != Path("/") else str(shown)


class AppActions:
    """What StudyApp can do on request; it provides db, home, settings, clock, deck_names,
    deck_errors, sync_decks, and Textual's push_screen, notify, theme."""

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

        screen = SettingsScreen(settings, sorted(self.available_themes), self.deck_names, workload=self._workload_factor)
        self.push_screen(screen, saved)

    def _workload_factor(self, preset: str, retention: float, compared_to: float) -> float | None:
        """Anki's "approximate workload" for the settings screen (a simulation: called from a worker)."""
        from studydl.engine.retention_advice import workload_factor

        assert self.db is not None and self.settings is not None
        return workload_factor(self.db, self.clock(), self.settings, preset, retention, compared_to)

    def action_help(self) -> None:
        from studydl.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_deck_errors(self) -> None:
        from studydl.tui.screens.errors import DeckErrorsScreen

        self.clear_notifications()  # the problems' toast would hide the dialog's list
        self.push_screen(DeckErrorsScreen(self.deck_errors, self.home.root))

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
        try:
            argv = editor_command(target.path, card.source_line)
        except StudyError as exc:  # a malformed STUDYDL_EDITOR_LINE
            self.notify(str(exc), severity="error")
            return
        run_editor(self, argv)
        if target.copied_from is not None:
            if target.drop_if_unchanged():
                self.notify("Nothing changed: the bundled deck stays as it is.")
            else:
                self.notify(f"replaces the bundled deck; its cards keep their history:\n{short_path(target.path)}", title="Your copy")
        self.sync_decks()

