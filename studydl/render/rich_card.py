"""A card as rich renders it for `review --plain`: the app's Markdown, math as Unicode."""

from __future__ import annotations

from rich.markdown import Markdown

from studydl.render.card_markdown import parser


class RichCard(Markdown):
    """rich's Markdown fed the tokens the app's card view renders (math already Unicode)."""

    def __init__(self, markup: str) -> None:
        super().__init__(markup, code_theme="ansi_dark", hyperlinks=False)
        self.parsed = parser().parse(markup)
