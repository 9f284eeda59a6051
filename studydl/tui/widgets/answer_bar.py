"""The bar under the card: "Show answer", then the four answer buttons with their intervals.

One widget draws both, as Textual's buttons look, so that moving from one card to the
next only repaints it: hiding one widget and showing another made Textual lay out the
whole screen on every card (~4 ms of the ~17 a card took on screen, bench/review_paint.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Offset, Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from studydl.domain.review import Rating, format_interval

VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success", Rating.EASY: "primary"}
REVEAL_LABEL = "Show answer  (space)"
REVEAL_WIDTH = 40
BUTTON_WIDTH = 22
"""An answer button's widest (each takes a quarter of the bar up to it)."""
GAP = 1
"""Columns either side of each button."""


class Showing(Enum):
    NOTHING = "nothing"
    REVEAL = "reveal"
    ANSWERS = "answers"


@dataclass(frozen=True)
class Face:
    """One button as drawn: its text, its colour class, and whether it is hovered or proposed."""

    label: str
    variant: str
    hover: bool = False
    proposed: bool = False


class AnswerBar(Widget):
    """"Show answer (space)" before the answer is shown, then Again / Hard / Good / Easy.

    A click posts `AnswerBar.RevealPressed` or `AnswerBar.Chosen`, as the keys do
    (space, 1-4); what changes between cards repaints this widget only.
    """

    DEFAULT_CSS = """
    AnswerBar {
        height: 3;
        width: 100%;
    }
    AnswerBar > .answer-bar--primary { background: $primary; color: $button-color-foreground; text-style: bold; }
    AnswerBar > .answer-bar--success { background: $success; color: $button-color-foreground; text-style: bold; }
    AnswerBar > .answer-bar--warning { background: $warning; color: $button-color-foreground; text-style: bold; }
    AnswerBar > .answer-bar--error { background: $error; color: $button-color-foreground; text-style: bold; }
    AnswerBar > .answer-bar--proposed { text-style: bold reverse; }
    """
    COMPONENT_CLASSES = {"answer-bar--primary", "answer-bar--success", "answer-bar--warning", "answer-bar--error", "answer-bar--proposed"}
    ALLOW_SELECT = False

    class Chosen(Message):
        """An answer button clicked."""

        def __init__(self, rating: Rating) -> None:
            super().__init__()
            self.rating = rating

    class RevealPressed(Message):
        """"Show answer" clicked."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.showing = Showing.NOTHING
        self.labels: dict[Rating, str] = {rating: self._label(rating, None) for rating in Rating}
        self.proposed: Rating | None = None
        self._hover: int | None = None
        self._strips: dict[Showing, tuple[object, list[Strip]]] = {}
        """What was last drawn for each of "Show answer" and the answers (the first is the same card after card)."""

    # -- what it shows ------------------------------------------------------------

    @staticmethod
    def _label(rating: Rating, interval: timedelta | None) -> str:
        when = f"  {format_interval(interval)}" if interval is not None else ""
        return f"{int(rating)} {rating.name.title()}{when}"

    def show(self, showing: Showing) -> None:
        """Nothing (a typed card's input asks first), "Show answer", or the four answers."""
        if showing is not self.showing:
            self.showing, self._hover = showing, None
            self.refresh()

    def show_intervals(self, intervals: dict[Rating, timedelta], ends: str = "") -> None:
        """Each button's interval; `ends`: the word for a rating with none (cram's Good and Easy end the card's turn)."""
        labels = {
            rating: self._label(rating, intervals.get(rating)) if rating in intervals or not ends else f"{int(rating)} {rating.name.title()}  {ends}"
            for rating in Rating
        }
        if labels != self.labels or self.proposed is not None:
            self.labels, self.proposed = labels, None
            if self.showing is Showing.ANSWERS:  # (else they are drawn when shown)
                self.refresh()

    def propose(self, rating: Rating | None) -> None:
        """Mark the button Enter will press (a typed answer's or a prediction's proposal); None: none."""
        if rating is not self.proposed:
            self.proposed = rating
            self.refresh()

    def label(self, rating: Rating) -> str:
        """The button's text as shown (`⏎ ` before the proposed one)."""
        return f"⏎ {self.labels[rating]}" if rating is self.proposed else self.labels[rating]

    # -- where things are ---------------------------------------------------------

    def _spans(self, width: int) -> list[tuple[int, int]]:
        """(x, width) of each button drawn now, left to right."""
        if self.showing is Showing.REVEAL:
            w = max(0, min(REVEAL_WIDTH, width - 2 * GAP))
            return [((width - w) // 2, w)]
        if self.showing is Showing.ANSWERS:
            w = max(1, min(BUTTON_WIDTH, width // 4 - 2 * GAP))  # (narrower than the bar allows: they shrink, never overflow)
            total = 4 * (w + 2 * GAP)
            left = max(0, (width - total) // 2)
            return [(left + i * (w + 2 * GAP) + GAP, w) for i in range(4)]
        return []

    def button_region(self, rating: Rating | None = None) -> Region:
        """Where a button is on screen: an answer's, or "Show answer" (None)."""
        spans = self._spans(self.content_region.width)
        index = 0 if rating is None else list(Rating).index(rating)
        if index >= len(spans):
            return Region(0, 0, 0, 0)
        x, w = spans[index]
        return Region(self.content_region.x + x, self.content_region.y, w, 3)

    def button_offset(self, rating: Rating | None = None) -> Offset:
        """A point inside a button, relative to this widget (for a click)."""
        region = self.button_region(rating)
        return Offset(region.x - self.content_region.x + region.width // 2, 1)

    def _hit(self, x: int) -> int | None:
        for index, (left, w) in enumerate(self._spans(self.content_region.width)):
            if left <= x < left + w:
                return index
        return None

    # -- mouse ----------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        event.stop()
        index = self._hit(event.x)
        if index is None:
            return
        if self.showing is Showing.REVEAL:
            self.post_message(self.RevealPressed())
        elif self.showing is Showing.ANSWERS:
            self.post_message(self.Chosen(list(Rating)[index]))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._hit(event.x)
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    # -- drawing ----------------------------------------------------------------------

    def _faces(self) -> list[Face]:
        if self.showing is Showing.REVEAL:
            return [Face(REVEAL_LABEL, "primary", hover=self._hover == 0)]
        if self.showing is Showing.ANSWERS:
            return [
                Face(self.label(rating), VARIANTS[rating], hover=self._hover == i, proposed=rating is self.proposed)
                for i, rating in enumerate(Rating)
            ]
        return []

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # (a theme change)

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        key = (width, tuple(self._faces()))
        drawn = self._strips.get(self.showing)
        if drawn is None or drawn[0] != key:
            drawn = self._strips[self.showing] = (key, self._draw(width, key[1]))
        strips = drawn[1]
        return strips[y] if 0 <= y < len(strips) else Strip.blank(width, self.rich_style)

    def _draw(self, width: int, faces: list[Face]) -> list[Strip]:
        """Three rows: each button's top edge, its label, its bottom edge (Textual's default button)."""
        base = self.rich_style
        rows: list[list[Segment]] = [[], [], []]
        x = 0
        for (left, w), face in zip(self._spans(width), faces, strict=True):
            for row in rows:
                row.append(Segment(" " * (left - x), base))
            style = self.get_component_rich_style(f"answer-bar--{face.variant}", partial=True)
            fill = Color.from_rich_color(style.bgcolor or base.bgcolor)
            if face.hover:
                fill = fill.darken(0.1)
            body = base + style + Style(bgcolor=fill.rich_color)
            if face.proposed:
                body += self.get_component_rich_style("answer-bar--proposed", partial=True)
            top = base + Style(color=fill.lighten(0.25).rich_color, bgcolor=fill.rich_color)
            bottom = base + Style(color=fill.darken(0.25).rich_color, bgcolor=fill.rich_color)
            text = face.label[:w].center(w)
            rows[0].append(Segment("▔" * w, top))
            rows[1].append(Segment(text, body))
            rows[2].append(Segment("▁" * w, bottom))
            x = left + w
        return [Strip([*row, Segment(" " * max(0, width - x), base)], width) for row in rows]
