"""The demo screen's `k`: a predict-then-run card from the run just seen (studydl.tui.screens.capture)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from studydl.tui.messages import DeckFilesChanged

if TYPE_CHECKING:
    from studydl.decks.capture import Added
    from studydl.domain.demos import DemoSpec
    from studydl.tui.widgets.demo_compare import RunRecord


class CaptureKey(Widget):
    """Mixed into DemoScreen, which keeps the demo's spec and its finished runs."""

    spec: DemoSpec | None
    runs: list[RunRecord]

    def capture_state(self) -> bool | None:
        """For check_action: hidden without a home (no decks of one's own), dimmed until a run
        has finished with its metrics measured."""
        if getattr(self.app, "home", None) is None:
            return False
        last = self.runs[-1] if self.runs else None
        return (last is not None and not last.result.stopped and bool(last.result.metrics)) or None

    def action_capture(self) -> None:
        from studydl.tui.screens.capture import CaptureDialog, CaptureSource

        if self.spec is None or self.capture_state() is not True:
            return
        last = self.runs[-1]
        decks_dir = self.app.home.decks_dir  # type: ignore[attr-defined]
        source = CaptureSource(self.spec, dict(last.params), dict(last.result.metrics), last.result.summary, decks_dir, last.number)
        self.app.push_screen(CaptureDialog(source), self._captured)

    def _captured(self, added: Added | None) -> None:
        if added is None:
            return
        decks_dir = self.app.home.decks_dir  # type: ignore[attr-defined]
        where = added.path.relative_to(decks_dir) if added.path.is_relative_to(decks_dir) else added.path
        self.notify(f"Card written to {where}:{added.line}; it syncs now.", title="Predict card")
        self.app.post_message(DeckFilesChanged([added.path]))  # the app syncs the decks at once
