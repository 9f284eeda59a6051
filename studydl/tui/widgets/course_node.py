"""One section on the course map: its title, recall and counts, shaded by its mean retrievability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from studydl.domain.words import plural

if TYPE_CHECKING:
    from studydl.course.course_map import MapNode

SHADES = ((0.0, (150, 40, 40)), (0.7, (170, 110, 30)), (0.85, (150, 150, 40)), (0.95, (50, 130, 60)))
"""Recall -> background colour: red when mostly forgotten, green when held."""
UNSTUDIED = "#3a3a46"


def shade(recall: float | None) -> str:
    """The node's background colour for a mean retrievability (grey when nothing is studied)."""
    if recall is None:
        return UNSTUDIED
    colour = SHADES[0][1]
    for low, rgb in SHADES:
        if recall >= low:
            colour = rgb
    return "#{:02x}{:02x}{:02x}".format(*colour)


def recall_text(recall: float | None) -> str:
    return "not studied" if recall is None else f"{recall * 100:.0f} % recall"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class CourseNode(Static, can_focus=True):
    """A section; focus it to see what it needs and what it leads to (enter studies it, b browses it)."""

    def __init__(self, node: MapNode) -> None:
        super().__init__(classes="course-node")
        self.node = node
        self.styles.background = shade(node.retrievability)

    def render(self) -> Text:
        node = self.node
        width = max(8, self.content_size.width or 22)
        text = Text(clip(node.title, width), style="bold", no_wrap=True, overflow="crop")
        text.append("\n" + clip(f"{recall_text(node.retrievability)} · {plural(node.cards, 'card')}", width))
        lapsed = f" · {node.lapsed_week} lapsed" if node.lapsed_week else ""
        text.append("\n" + clip(f"{node.due} due{lapsed} · {node.deck}", width), style="dim" if not node.due else "")
        return text
