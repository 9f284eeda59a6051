"""One card: where it comes from, its markers, the question and (once revealed) the answer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Rule, Static

from studydl.domain.cards import CardView

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
    """Scrolls when a card is longer than the screen (arrows, page keys).

    The question and answer are rich renderings (`RichCard`: the card's Markdown, math
    as Unicode) in one Static each, so showing the next card changes two widgets'
    content: Textual's Markdown widget mounts a widget per block on every update,
    which took ~10 ms of the ~16 ms a card may take from key to screen. The answer is
    rendered when it is revealed.
    """

    question_source = ""
    """The Markdown of the question shown (and of the answer, below), as the deck has it."""
    answer_source = ""

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        yield Static(id="demo-marker")
        yield Static(id="question")
        yield Static(id="task")
        yield Static(id="check")
        yield Rule(id="divider")
        yield Static(id="answer")

    async def show_card(self, card: CardView, revealed: bool, *, keep_checks: bool = False) -> None:
        """Show `card`; `keep_checks`: the same card again (reloaded), its task and checked answer stay."""
        from studydl.render.rich_card import RichCard

        self.query_one("#where", Static).update(where_text(card))
        self.show_demo_marker(card.demo_id, after_prediction=card.check.predict is not None and not revealed)
        if card.question != self.question_source or not self.question_source:
            self.query_one("#question", Static).update(RichCard(card.question))
        self.question_source = card.question
        self._answer_shown = None if card.answer != self.answer_source else self._answer_shown
        self.answer_source = card.answer
        if not keep_checks:
            self.show_task(None)
            self.show_check(None)
        self.set_revealed(revealed)
        if not revealed:
            self.scroll_home(animate=False)

    _answer_shown: str | None = None
    """The answer text the #answer Static holds (rendered at the first reveal of each card)."""

    def set_revealed(self, revealed: bool) -> None:
        if revealed and self._answer_shown != self.answer_source:
            from studydl.render.rich_card import RichCard

            self.query_one("#answer", Static).update(RichCard(self.answer_source))
            self._answer_shown = self.answer_source
        self.query_one("#divider").display = revealed
        self.query_one("#answer").display = revealed

    def show_demo_marker(self, demo_id: str | None, after_prediction: bool = False) -> None:
        """`▶ demo: ID (d)`; on a predict card not yet predicted, when `d` works."""
        marker = self.query_one("#demo-marker", Static)
        marker.display = demo_id is not None
        when = "d once you have predicted" if after_prediction else "d"
        marker.update(Text(f"▶ demo: {demo_id} ({when})", style="bold") if demo_id else "")

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
