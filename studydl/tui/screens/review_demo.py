"""The review screen's `d`: the card's demo (a predict card's with the parameters it drew), or why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studydl.domain.review import DueCard
    from studydl.tui.host import StudyHost


class DemoKey:
    """Mixed into ReviewScreen: it provides due, revealed, params, study_app, app, notify, _queue, _paused."""

    due: DueCard | None
    revealed: bool
    params: dict[str, object]
    study_app: StudyHost
    _paused: float

    def _demo_key(self) -> str:
        """What `d` does on the card shown: its demo, nothing until the prediction, or say there is none."""
        card = self.due.card if self.due is not None else None
        if card is None or card.demo_id is None:
            return "no_demo"
        return "demo_later" if card.check.predict is not None and not self.revealed else "demo"

    def action_demo(self) -> None:
        """The card's demo; on a predict card, with the parameters this review drew and graded."""
        if self._queue("demo"):  # type: ignore[attr-defined]
            return
        action = self._demo_key()
        if action != "demo":
            getattr(self, f"action_{action}")()
            return
        try:
            from studydl.tui.screens.demo import DemoScreen
        except ImportError:
            self.notify("Demos are not available yet.", severity="warning")  # type: ignore[attr-defined]
            return
        from studydl.engine.predict import DEMO_SEED

        started = self.study_app.monotonic()

        def back(_result: object = None) -> None:
            self._paused += self.study_app.monotonic() - started

        card = self.due.card
        drawn = card.check.predict is not None and bool(self.params)
        screen = DemoScreen(card.demo_id, seed=DEMO_SEED, overrides=self.params) if drawn else DemoScreen(card.demo_id)
        self.app.push_screen(screen, back)  # type: ignore[attr-defined]

    def action_demo_later(self) -> None:
        self.notify("The demo opens once you have predicted: it would show the answer.", title="Predict first")  # type: ignore[attr-defined]

    def action_no_demo(self) -> None:
        self.notify("This card has no demo.")  # type: ignore[attr-defined]

