"""The course map: sections layer by layer (prerequisites first), shaded by what you remember.

The layout is studydl.course's (layers by longest prerequisite chain, barycenter order);
here each layer is a grid of section nodes that scrolls. The focused node's
prerequisites and the sections that build on it are marked, and named at the bottom;
enter studies the section, b opens its cards in the browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from studydl.domain.words import plural
from studydl.tui.host import host
from studydl.tui.messages import DecksChanged
from studydl.tui.widgets.course_node import CourseNode, recall_text
from studydl.tui.widgets.footer import StudyFooter

if TYPE_CHECKING:
    from studydl.course.course_map import CourseMap, MapNode
    from studydl.tui.host import StudyHost

NODE_WIDTH = 26
"""Columns per node, its margin included: three nodes a row at 80 columns."""


def browse_query(node: MapNode) -> str:
    """The browser's search for a section's cards (its sub-sections too, as a section review)."""
    section = node.section.replace('"', "")
    return f'deck:{node.deck_key} section:"{section}"' if section else f"deck:{node.deck_key}"


class CourseMapScreen(Screen[None]):
    """Every section of every deck as a node, layer by layer."""

    CSS_PATH = "../styles/course_map.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Decks"),
        Binding("enter", "study", "Study section"),
        Binding("b", "browse", "Browse cards"),
        Binding("left", "move(0, -1)", "Left", show=False, priority=True),
        Binding("right", "move(0, 1)", "Right", show=False, priority=True),
        Binding("up", "move(-1, 0)", "Up", show=False, priority=True),
        Binding("down", "move(1, 0)", "Down", show=False, priority=True),
    ]

    class Loaded(Message):
        def __init__(self, course: CourseMap) -> None:
            super().__init__()
            self.course = course

    def __init__(self) -> None:
        super().__init__()
        self.course: CourseMap | None = None
        self.nodes: list[list[CourseNode]] = []

    @property
    def study_app(self) -> StudyHost:
        return host(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Reading the course…", style="dim"), id="map-title")
        yield VerticalScroll(id="map")
        yield Static(id="map-detail")
        yield StudyFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Course map"
        self._load()

    def on_decks_changed(self, _message: DecksChanged) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, group="course-map", description="Reading the course map")
    def _load(self) -> None:
        from studydl.course.course_map import load_course_map

        app = self.study_app
        assert app.db is not None
        self.post_message(self.Loaded(load_course_map(app.db, app.clock())))

    async def on_course_map_screen_loaded(self, message: Loaded) -> None:
        focused = self.focused.node.key if isinstance(self.focused, CourseNode) else None
        self.course = course = message.course
        studied = [n.retrievability for n in course.nodes if n.retrievability is not None]
        mean = f"{sum(studied) / len(studied) * 100:.0f} % recall over the studied sections" if studied else "nothing studied yet"
        self.query_one("#map-title", Static).update(
            Text.assemble((f"{len(course.nodes)} sections", "bold"), f" in {len(course.rows)} layers, prerequisites first · {mean}")
        )
        area = self.query_one("#map", VerticalScroll)
        await area.remove_children()
        self.nodes = []
        for layer, row in enumerate(course.rows):
            label = "foundations" if layer == 0 else f"needs layer {layer - 1}"
            nodes = [CourseNode(node) for node in row]
            self.nodes.append(nodes)
            await area.mount(Static(Text(f"Layer {layer} · {label}", style="bold"), classes="layer-title"))
            await area.mount(Grid(*nodes, classes="layer"))
        self._fit_columns()
        target = next((w for row in self.nodes for w in row if w.node.key == focused), None)
        if target is None and self.nodes:
            target = self.nodes[0][0]
        if target is not None:
            target.focus()

    def on_resize(self) -> None:
        self._fit_columns()

    def _columns(self) -> int:
        return max(1, (self.size.width - 2) // NODE_WIDTH)

    def _fit_columns(self) -> None:
        for grid in self.query(".layer").results(Grid):
            grid.styles.grid_size_columns = self._columns()

    def on_descendant_focus(self, event) -> None:  # noqa: ANN001
        if isinstance(event.widget, CourseNode):
            self._mark(event.widget.node)

    def _mark(self, node: MapNode) -> None:
        """Mark the focused node's prerequisites and the sections that need it; name them below."""
        if self.course is None:
            return
        needs = set(node.prerequisites)
        leads = {n.key for n in self.course.nodes if node.key in n.prerequisites}
        titles = {}
        for row in self.nodes:
            for widget in row:
                widget.set_class(widget.node.key in needs, "-needed")
                widget.set_class(widget.node.key in leads, "-leads")
                titles[widget.node.key] = widget.node
        text = Text.assemble((node.section or node.deck, "bold"), f" · {node.deck} · {recall_text(node.retrievability)}")
        text.append(f" · {plural(node.cards, 'card')}, {node.new} new, {node.due} due, {node.lapsed_week} lapsed this week")
        text.append("\nneeds ", style="bold")
        text.append(", ".join(f"{titles[k].title} ({recall_text(titles[k].retrievability)})" for k in node.prerequisites) or "nothing")
        text.append(" · leads to ", style="bold")
        text.append(", ".join(titles[k].title for k in leads) or "nothing yet")
        self.query_one("#map-detail", Static).update(text)

    def _position(self) -> tuple[int, int] | None:
        for layer, row in enumerate(self.nodes):
            for index, widget in enumerate(row):
                if widget is self.focused:
                    return layer, index
        return None

    def action_move(self, rows: int, cols: int) -> None:
        """Arrows move between nodes: left/right along a layer, up/down a grid row (into the next layer)."""
        where = self._position()
        if where is None:
            if self.nodes:
                self.nodes[0][0].focus()
            return
        layer, index = where
        width = self._columns()
        if cols:
            index = max(0, min(len(self.nodes[layer]) - 1, index + cols))
        elif rows > 0:
            if index + width < len(self.nodes[layer]):
                index += width
            elif layer + 1 < len(self.nodes):
                layer, index = layer + 1, min(index % width, len(self.nodes[layer + 1]) - 1)
        elif rows < 0:
            if index - width >= 0:
                index -= width
            elif layer > 0:
                above = len(self.nodes[layer - 1])
                last_row = (above - 1) // width * width
                layer, index = layer - 1, min(last_row + index % width, above - 1)
        widget = self.nodes[layer][index]
        widget.focus()
        widget.scroll_visible()

    def _focused_node(self) -> MapNode | None:
        return self.focused.node if isinstance(self.focused, CourseNode) else None

    def action_study(self) -> None:
        """Review this section (and its sub-sections), as enter on the deck list does."""
        node = self._focused_node()
        if node is not None:
            self.study_app.action_review(node.deck, node.section or None)

    def action_browse(self) -> None:
        node = self._focused_node()
        if node is not None:
            self.study_app.action_browse(browse_query(node))
