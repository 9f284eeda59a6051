"""A card's text on one line, as a list shows it; the Markdown parser is loaded only for text with math."""

from __future__ import annotations

from functools import lru_cache


def shown_line(markdown: str) -> str:
    """A card's text on one line as a list shows it: math as Unicode (the browser, `studydl cards`).

    Text without `$` is returned as it is (no parse, and markdown-it is not even imported:
    a list of a million cards stays cheap).
    """
    if "$" not in markdown:
        return markdown
    return _with_math(markdown)


@lru_cache(maxsize=4096)
def _with_math(markdown: str) -> str:
    """Only text with math is cached: a miss on each of a million distinct questions cost more than the check."""
    from studydl.render.card_markdown import plain_text

    return " ".join(plain_text(markdown).split())
