"""One card: where it comes from, its markers, the question and (once revealed) the answer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Rule, Static

from studydl.domain.cards import CardView
from studydl.render.card_markdown import math_markdown

FLAGS = {1: ("red", "red"), 2: ("orange", "dark_orange"), 3: ("green", "green"), 4: ("blue", "blue")}
"""Flag number -> (name, Rich colour); `f` cycles 0 -> 1 -> ... -> 4 -> 0."""


def next_flag(flag: int) -> int:
    return (flag + 1) % (len(FLAGS) + 1)


def where_text(card: CardView) -> Text:
    """`Deck › Section   ■ red flag  leech` above the question."""
    text = Text(card.deck, style="bold")
    if card.section:
        text.append(f" › {card.section}", style="dim")
    if card.flag in FLAGS:
        name, colour = FLAGS[card.flag]
        text.append(f"   ■ {name} flag", style=colour)
    if card.leech:
        text.append("   leech", style="bold magenta")
    return text


class CardPanel(VerticalScroll):
    """Scrolls when a card is longer than the screen (arrows, page keys)."""

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        yield Static(id="demo-marker")
        yield Markdown(id="question", parser_factory=math_markdown)
        yield Static(id="task")
        yield Static(id="check")
        yield Rule(id="divider")
        yield Markdown(id="answer", parser_factory=math_markdown)

    async def show_card(self, card: CardView, revealed: bool) -> None:
        self.query_one("#where", Static).update(where_text(card))
        marker = self.query_one("#demo-marker", Static)
        marker.display = card.demo_id is not None
        marker.update(Text(f"▶ demo: {card.demo_id} (d)", style="bold") if card.demo_id else "")
        await self.query_one("#question", Markdown).update(card.question)
        await self.query_one("#answer", Markdown).update(card.answer)
        self.show_task(None)
        self.show_check(None)
        self.set_revealed(revealed)
        if not revealed:
            self.scroll_home(animate=False)

    def set_revealed(self, revealed: bool) -> None:
        self.query_one("#divider").display = revealed
        self.query_one("#answer").display = revealed

    def show_task(self, text: Text | str | None) -> None:
        """What a typed or predict card asks (the parameters drawn, the choices); None hides it."""
        task = self.query_one("#task", Static)
        task.display = text is not None
        task.update(text or "")

    def show_check(self, text: Text | str | None) -> None:
        """The typed-answer diff or the prediction beside the measured value; None hides it."""
        check = self.query_one("#check", Static)
        check.display = text is not None
        check.update(text or "")

    def update_markers(self, card: CardView) -> None:
        self.query_one("#where", Static).update(where_text(card))
