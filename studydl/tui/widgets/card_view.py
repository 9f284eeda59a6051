"""One card: where it comes from, its markers, the question and (once revealed) the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize

from studydl.domain.cards import CardView
from studydl.render.card_pictures import with_pictures

if TYPE_CHECKING:
    from textual.visual import VisualType

FLAGS = {1: ("red", "red"), 2: ("orange", "dark_orange"), 3: ("green", "green"), 4: ("blue", "blue")}
"""Flag number -> (name, Rich colour); `f` cycles 0 -> 1 -> ... -> 4 -> 0."""

PARTS = ("where", "demo-marker", "question", "task", "check", "answer")
"""What a card shows, top to bottom (the answer under a rule, once revealed)."""


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


class CardPanel(ScrollView, can_focus=True):
    """The card in one widget that draws its own lines; scrolls when the card is longer than the screen.

    Each part (deck line, demo marker, question, task, checked answer, answer) is
    rendered once into strips at the panel's width and kept; a part's strips are redrawn
    only when its content changes, and only the rows whose lines differ are repainted.
    Showing the next card asks Textual for no layout: with a widget per part (Statics, a
    Rule) the parts changed heights and were shown and hidden on every card, and each
    such change made Textual lay out the whole screen in the frame the rating key waits
    for. A layout happens only when the scrollbar comes, goes or changes length (a card
    longer than the panel). Text in it cannot be selected with the mouse (Statics could).
    """

    COMPONENT_CLASSES = {"card-panel--marker", "card-panel--divider"}

    question_source = ""
    """The Markdown of the question shown (and of the answer, below), as the deck has it."""
    answer_source = ""
    source_path = ""
    """The card's deck file: the folder its images (`![](figures/x.png)`) are in."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self._parts: dict[str, VisualType | None] = dict.fromkeys(PARTS)
        self._parts["where"] = ""
        self.revealed = False
        self._strips: dict[str, tuple[int, list[Strip]]] = {}
        """Per part: the width it was rendered at and its lines."""
        self._all: tuple[int, list[Strip]] | None = None
        """The whole card's lines at a width (render_line's source)."""
        self._holding = False
        """Parts being set together (one card): repainted once, at the end."""
        self._painted: tuple[int, list[Strip]] | None = None
        """The lines last handed to Textual to paint (the rows to repaint are those that differ)."""
        self._answer_shown: str | None = None
        """The answer text the answer part holds (rendered at the first reveal of each card)."""
        self._ahead: dict[str, tuple[object, VisualType, int, list[Strip]]] = {}
        """Parts of the card guessed to come next, drawn ahead (`prepare`): per part, what it is
        for (the question's text, the deck line), its content, the width drawn at and its lines."""

    # -- what tests and screens read --------------------------------------------

    def part(self, name: str) -> VisualType | None:
        """What a part shows (None: the part is not shown); the answer only once revealed."""
        if name == "answer" and not self.revealed:
            return None
        return self._parts[name]

    def showing(self, name: str) -> bool:
        return self.part(name) is not None

    # -- changing what is shown ---------------------------------------------------

    def _set(self, name: str, content: VisualType | None) -> None:
        """Set one part; its strips are redrawn only when what it shows changes."""
        old = self._parts[name]
        if old is content or (isinstance(old, (str, Text)) and type(old) is type(content) and old == content):
            return
        self._parts[name] = content
        self._strips.pop(name, None)
        self._changed()

    async def show_card(self, card: CardView, revealed: bool, *, keep_checks: bool = False) -> None:
        """Show `card`; `keep_checks`: the same card again (reloaded), its task and checked answer stay."""
        self._holding = True  # one repaint for all its parts
        try:
            self._show_card(card, revealed, keep_checks)
        finally:
            self._holding = False
            self._changed()
        if not revealed and self.scroll_offset.y:
            self.scroll_home(animate=False)

    def _show_card(self, card: CardView, revealed: bool, keep_checks: bool) -> None:
        from studydl.render.rich_card import RichCard

        self.update_markers(card)
        self.show_demo_marker(card.demo_id, after_prediction=card.check.predict is not None and not revealed)
        self.source_path = card.source_path
        if (card.question != self.question_source or not self.question_source) and not self._take_ahead(
            "question", (card.question, card.source_path)
        ):
            self._set("question", with_pictures(RichCard(card.question), card.question, card.source_path))
        self.question_source = card.question
        self._answer_shown = None if card.answer != self.answer_source else self._answer_shown
        self.answer_source = card.answer
        if not keep_checks:
            self.show_task(None)
            self.show_check(None)
        self.set_revealed(revealed)

    def set_revealed(self, revealed: bool) -> None:
        if revealed and self._answer_shown != self.answer_source:
            from studydl.render.rich_card import RichCard

            self._set("answer", with_pictures(RichCard(self.answer_source), self.answer_source, self.source_path))
            self._answer_shown = self.answer_source
        if revealed != self.revealed:
            self.revealed = revealed
            self._changed()

    def show_demo_marker(self, demo_id: str | None, after_prediction: bool = False) -> None:
        """`▶ demo: ID (d)`; on a predict card not yet predicted, when `d` works."""
        when = "d once you have predicted" if after_prediction else "d"
        self._set("demo-marker", Text(f"▶ demo: {demo_id} ({when})", style="bold") if demo_id else None)

    def show_task(self, text: Text | str | None) -> None:
        """What a typed or predict card asks (the parameters drawn, the choices); None hides it."""
        self._set("task", text)

    def show_check(self, text: Text | str | None) -> None:
        """The typed-answer diff or the prediction beside the measured value; None hides it."""
        self._set("check", text)

    def update_markers(self, card: CardView) -> None:
        """The deck line (flag, leech)."""
        where = where_text(card)
        if not self._take_ahead("where", where):
            self._set("where", where)

    def prepare(self, card: CardView) -> None:
        """Draw `card`'s deck line and question ahead, as `show_card` would: the card a review session
        guesses comes next, drawn while the learner reads this one; shown, it is not drawn again."""
        from studydl.render.rich_card import RichCard

        width = self.scrollable_content_region.width
        if width <= 0 or not self.is_mounted:
            return
        question = with_pictures(RichCard(card.question), card.question, card.source_path)
        where = where_text(card)
        self._ahead = {
            name: (key, content, width, _to_strips(self, content, width, self.visual_style))
            for name, key, content in (("question", (card.question, card.source_path), question), ("where", where, where))
        }

    def _take_ahead(self, name: str, key: object) -> bool:
        """Set a part from what `prepare` drew, if it drew it for `key`."""
        ahead = self._ahead.pop(name, None)
        if ahead is None or ahead[0] != key:
            return False
        _key, content, width, strips = ahead
        self._parts[name] = content
        self._strips[name] = (width, strips)
        self._changed()
        return True

    # -- drawing --------------------------------------------------------------------

    def _changed(self) -> None:
        """Repaint the rows whose lines changed; lay out only if the scrollbar comes, goes or changes."""
        self._all = None
        if self._holding or not self.is_mounted:
            return
        region = self.scrollable_content_region
        lines = self._lines(region.width)
        before, self._painted = self._painted, (region.width, lines)
        size = Size(region.width, len(lines))
        if size != self.virtual_size:
            if self.show_vertical_scrollbar or len(lines) > region.height:
                self.virtual_size = size  # the scrollbar comes, goes or changes: Textual lays it out
                return
            self.set_reactive(CardPanel.virtual_size, size)  # (then only the rows that change are drawn again)
        if before is None or before[0] != region.width:
            self.refresh()
            return
        old = before[1]
        changed = [y for y in range(max(len(old), len(lines))) if y >= len(old) or y >= len(lines) or old[y] != lines[y]]
        for start, end in _runs(changed):  # (rows blank on both cards, or alike, are not drawn again)
            self.refresh_lines(start, end - start)

    def _part_strips(self, name: str, width: int) -> list[Strip]:
        cached = self._strips.get(name)
        if cached is not None and cached[0] == width:
            return cached[1]
        content = self._parts[name]
        style = self.get_visual_style("card-panel--marker") if name == "demo-marker" else self.visual_style
        strips = [] if content is None or width <= 0 else _to_strips(self, content, width, style)
        self._strips[name] = (width, strips)
        return strips

    def _lines(self, width: int) -> list[Strip]:
        if self._all is not None and self._all[0] == width:
            return self._all[1]
        blank = Strip([])  # (Textual fills each line to the width with the background, as around a Static)
        lines = [blank]  # the deck line's top margin
        for name in PARTS[:-1]:
            lines.extend(self._part_strips(name, width))
        if self.revealed and width > 0:  # the rule with a blank line either side, then the answer
            lines += [blank, _rule(self, width), blank, *self._part_strips("answer", width)]
        self._all = (width, lines)
        return lines

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # (a theme change: every part drawn again)
        self._ahead.clear()
        self._all = self._painted = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        lines = self._lines(width)
        index = y + self.scroll_offset.y
        if 0 <= index < len(lines):
            return lines[index]
        return Strip([])

    def on_resize(self) -> None:
        self._changed()


def _to_strips(widget: CardPanel, content: VisualType, width: int, style) -> list[Strip]:  # noqa: ANN001
    """A part's lines at `width`, as a Static of that width draws them."""
    visual = visualize(widget, content)
    strips = Visual.to_strips(widget, visual, width, None, style)
    return [strip.crop(0, width) for strip in strips]


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as [start, end) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for y in rows:
        if runs and runs[-1][1] == y:
            runs[-1] = (runs[-1][0], y + 1)
        else:
            runs.append((y, y + 1))
    return runs


def _rule(widget: CardPanel, width: int) -> Strip:
    """The rule between question and answer, as Textual's Rule draws it."""
    style = widget.get_visual_style("card-panel--divider")
    rule: RenderableType = Text("─" * width)
    return _to_strips(widget, rule, width, style)[0]
