"""A card as rich renders it for `review --plain`: the app's Markdown, math as Unicode."""

from __future__ import annotations

from functools import lru_cache

from rich.markdown import Markdown

from studydl.render.card_markdown import parser


@lru_cache(maxsize=1)
def _settings() -> dict[str, object]:
    """What rich's Markdown sets up besides the parsed text (made once: its own parser costs ~0.3 ms to build)."""
    return dict(vars(Markdown("", code_theme="ansi_dark", hyperlinks=False)))


class RichCard(Markdown):
    """rich's Markdown fed the tokens the app's card view renders (math already Unicode)."""

    def __init__(self, markup: str) -> None:  # (not Markdown's __init__: it would parse the text again, with its own parser)
        vars(self).update(_settings())
        self.markup = markup
        self.parsed = parser().parse(markup)
