"""Open the app on a home folder (placeholder until the full TUI lands)."""

from __future__ import annotations

from studydl.home import Home


def open_app(home: Home) -> None:
    from studydl.tui.app import StudyApp

    StudyApp(home=home).run()
