"""The four answer buttons, each with the interval it would schedule."""

from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

from studydl.domain.review import Rating, format_interval

VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success", Rating.EASY: "primary"}


class AnswerBar(Horizontal):
    """Again / Hard / Good / Easy; clicking one posts `AnswerBar.Chosen` (keys 1-4 do the same)."""

    class Chosen(Message):
        def __init__(self, rating: Rating) -> None:
            super().__init__()
            self.rating = rating

    def compose(self) -> ComposeResult:
        for rating in Rating:
            button = Button(self._label(rating, None), id=f"answer-{rating.name.lower()}", variant=VARIANTS[rating])
            button.can_focus = False  # keys are bindings; focus stays on the card
            yield button

    @staticmethod
    def _label(rating: Rating, interval: timedelta | None) -> str:
        when = f"  {format_interval(interval)}" if interval is not None else ""
        return f"{int(rating)} {rating.name.title()}{when}"

    def show_intervals(self, intervals: dict[Rating, timedelta], ends: str = "") -> None:
        """Each button's interval; `ends`: the word for a rating with none (cram's Good and Easy end the card's turn)."""
        for rating in Rating:
            button = self.query_one(f"#answer-{rating.name.lower()}", Button)
            button.label = self._label(rating, intervals.get(rating)) if rating in intervals or not ends else f"{int(rating)} {rating.name.title()}  {ends}"
            button.set_class(False, "-proposed")

    def propose(self, rating: Rating | None) -> None:
        """Mark the button Enter will press (a typed answer's or a prediction's proposal); None: none."""
        for each in Rating:
            button = self.query_one(f"#answer-{each.name.lower()}", Button)
            proposed = each is rating
            label = str(button.label).removeprefix("⏎ ")
            button.label = f"⏎ {label}" if proposed else label
            button.set_class(proposed, "-proposed")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        name = (event.button.id or "").removeprefix("answer-").upper()
        self.post_message(self.Chosen(Rating[name]))
