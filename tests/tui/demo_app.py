"""A bare app that opens one demo screen, for the demo screen's tests and snapshots."""

from __future__ import annotations

from textual.app import App

from studydl.tui.screens.demo import DemoScreen


class DemoApp(App[None]):
    def __init__(self, screen: DemoScreen) -> None:
        super().__init__()
        self.demo = screen

    def on_mount(self) -> None:
        self.push_screen(self.demo)
