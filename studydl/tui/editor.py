"""Run the user's editor from the app (the command itself comes from studydl.editor)."""

from __future__ import annotations

from typing import Any

from textual.app import App

from studydl.editor import editor_argv, editor_command

__all__ = ["editor_argv", "editor_command", "run_editor"]


def run_editor(app: App[Any], argv: list[str]) -> None:
    """Run an editor in the terminal with the app suspended (or as it is, where it cannot be)."""
    import subprocess

    from textual.app import SuspendNotSupported

    def run() -> None:
        try:
            result = subprocess.run(argv, check=False)
        except OSError as exc:
            app.notify(f"Cannot run {argv[0]!r}: {exc.strerror or exc}. Set $VISUAL or $EDITOR.", severity="error")
            return
        if result.returncode:
            app.notify(f"{argv[0]} exited with status {result.returncode}.", severity="warning")

    try:
        with app.suspend():
            run()
    except SuspendNotSupported:  # headless (tests) or Textual Web: run it as it is
        run()
