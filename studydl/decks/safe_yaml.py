"""YAML for front matter that a hostile file cannot blow up: no aliases, bounded size and depth.

PyYAML's `safe_load` stops code from running but not a "billion laughs" file:
nine anchors of nine aliases each are a few hundred bytes that expand to
hundreds of millions of values as soon as anything walks them. Front matter
never needs an alias (`deck:` and `tags:` are one line each), so an alias is
refused at its line instead of capping the expansion: the message can say what
to write instead. Deep nesting (a recursion error in PyYAML's composer) and
values Python refuses to build (a 5,000-digit integer, 2024-99-99) are refused
the same way, as a YAMLError with the line it is on.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MAX_CHARS = 64 * 1024
"""Front matter is a few `key: value` lines; 64 KB is far beyond any real one."""
MAX_DEPTH = 32
"""Nesting deeper than this is refused (PyYAML's composer recurses once per level)."""


class RefusedYAML(ComposerError):
    """YAML that is valid but refused: an alias, too deep, too long. `problem_mark` is where."""


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise RefusedYAML(
                None,
                None,
                f"YAML alias *{event.anchor} is not allowed here (aliases can expand without bound); write the value out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise RefusedYAML(None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"cannot read the value: {str(exc).split(';')[0]}", node.start_mark) from exc


def load(text: str) -> Any:
    """`yaml.safe_load` without aliases, limited to MAX_CHARS and MAX_DEPTH; raises yaml.YAMLError."""
    if len(text) > MAX_CHARS:
        mark = yaml.Mark("<front matter>", 0, 0, 0, None, None)
        raise RefusedYAML(None, None, f"{len(text) // 1024} KB long; front matter may be at most {MAX_CHARS // 1024} KB", mark)
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
