"""The deck list: decks and their sections with new / learning / due counts in aligned columns."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from studydl.tui.home_data import DeckNode

COLUMN = 6
"""Width of each count column."""
NEW_COLUMN = 9
"""Width of the New column: `20/89` when today's limit leaves fewer than there are."""
STYLES = ("bold blue", "bold red", "bold green")
BUNDLED_MARK = " · bundled"
"""After the name of a deck that ships with studydl (`e` on its cards edits your own copy)."""


@dataclass(frozen=True)
class Target:
    """What a tree node studies: every deck (deck None), a deck, or a section of one."""

    deck: str | None = None
    section: str | None = None


def count_cells(new: int, learning: int, review: int, new_all: int = 0) -> Text:
    """The three counts; the new count as `today/all` when the daily limit leaves fewer than there are."""
    text = Text()
    shown_new = f"{new}/{new_all}" if new_all > new else str(new)
    text.append(f"{shown_new:>{NEW_COLUMN}}", style=STYLES[0] if new else "dim")
    for value, style in zip((learning, review), STYLES[1:], strict=True):
        text.append(f"{value:>{COLUMN}}", style=style if value else "dim")
    return text


def heading(width: int) -> Text:
    """The column titles, placed above the counts."""
    return Text(" " * width + f"{'New':>{NEW_COLUMN}}" + "".join(f"{t:>{COLUMN}}" for t in ("Learn", "Due")), style="dim")


class DeckTree(Tree[Target]):
    """Enter (or a click) on a node posts NodeSelected: the home screen starts a review of it."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Study"),
        Binding("right", "open_node", "Open a deck's sections", show=False),
        Binding("left", "close_node", "Close them (or go up)", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("All decks"), data=Target(), id=id)  # (a str label is markup: rich's emoji table, 3 ms)
        self.auto_expand = False
        self.name_width = 20

    def action_open_node(self) -> None:
        """Right arrow: show the sections under the cursor (space toggles, as in any tree)."""
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_close_node(self) -> None:
        """Left arrow: hide the sections under the cursor, or go to the deck they belong to."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node is not self.root:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    def _label(self, name: str, depth: int, counts: tuple[int, ...], bundled: bool = False, leaf: bool = False) -> Text:
        # The tree draws an expand icon before the label of a node with children; a leaf
        # has none, so its name gets those cells and its counts stay in their columns.
        indent = depth * self.guide_depth - (len(self.ICON_NODE) if leaf else 0)
        room = max(4, self.name_width - indent)
        mark = BUNDLED_MARK if bundled else ""
        shown = name if len(name) + len(mark) <= room else name[: max(1, room - len(mark) - 1)] + "…"
        style = "bold" if depth <= 1 else ""
        if not mark:
            return Text.assemble((shown.ljust(room), style), count_cells(*counts))
        pad = " " * max(0, room - len(shown) - len(mark))
        return Text.assemble((shown, style), (mark, "dim italic"), (pad, style), count_cells(*counts))

    def show(self, decks: list[DeckNode], totals: tuple[int, int, int]) -> None:
        """Rebuild the tree, keeping the cursor and which nodes were open."""
        selected = self.cursor_node.data if self.cursor_node else None
        opened = {n.data for n in self._walk(self.root) if n.is_expanded and n.data is not None}
        first_build = not self.root.children
        self.name_width = self._width_needed(decks, 1) + 1
        self.clear()
        self.root.set_label(self._label("All decks", 0, (*totals, sum(d.new_all for d in decks))))
        by_target: dict[Target, TreeNode[Target]] = {Target(): self.root}
        for deck in decks:
            self._add(self.root, deck, 1, opened, by_target)
        self.root.expand()
        if first_build:
            return
        node = by_target.get(selected) if selected is not None else None
        if node is not None:
            self.call_after_refresh(self.move_cursor, node)

    def _walk(self, node: TreeNode[Target]):  # noqa: ANN202
        yield node
        for child in node.children:
            yield from self._walk(child)

    def _width_needed(self, nodes: list[DeckNode], depth: int) -> int:
        widest = len("All decks")
        for node in nodes:
            own = depth * self.guide_depth + len(node.label) + (len(BUNDLED_MARK) if node.bundled else 0)
            widest = max(widest, own, self._width_needed(node.children, depth + 1))
        return min(widest, 48)

    def _add(self, parent: TreeNode[Target], node: DeckNode, depth: int, opened: set, by_target: dict) -> None:  # noqa: ANN001
        target = Target(node.deck, node.section or None)
        label = self._label(node.label, depth, (node.new, node.learning, node.review, node.new_all), node.bundled, leaf=not node.children)
        child = parent.add(label, data=target, allow_expand=bool(node.children), expand=target in opened)
        by_target[target] = child
        for sub in node.children:
            self._add(child, sub, depth + 1, opened, by_target)
