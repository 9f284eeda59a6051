"""Card Markdown with its math as Unicode: one token stream for the app and for `review --plain`.

markdown-it-py (with mdit-py-plugins' dollarmath) parses the card; `$...$` and
`$$...$$` become math tokens, which are replaced by text tokens holding the Unicode
form (`studydl.render.math_text`). Code spans and blocks are parsed first, so a `$`
in code stays code; a lone `$5` is not math. The deck keeps its LaTeX: only the
display changes. Textual's Markdown widget takes `MathMarkdown` as its parser; rich's
Markdown (the plain review) is given the same tokens by `RichCard`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from studydl.render.math_text import latex_to_unicode
from studydl.render.one_line import shown_line  # noqa: F401  (re-exported: the browser imports it here)


class MathMarkdown(MarkdownIt):
    """A gfm-like markdown-it parser whose math tokens come out as Unicode text."""

    def __init__(self) -> None:
        super().__init__("gfm-like")
        self.use(dollarmath_plugin, allow_digits=False, double_inline=True)

    def parse(self, src: str, env: Any = None) -> list[Token]:  # type: ignore[override]
        return unicode_math(super().parse(src, env))


def unicode_math(tokens: list[Token]) -> list[Token]:
    """Replace math tokens by text: inline math in place, a display formula as its own paragraph."""
    out: list[Token] = []
    for token in tokens:
        if token.children:
            token.children = [_inline(child) for child in token.children]
        if token.type in ("math_block", "math_block_label"):
            text = Token("text", "", 0, content=latex_to_unicode(token.content))
            inline = Token("inline", "", 0, content=text.content, children=[text], map=token.map)
            out += [Token("paragraph_open", "p", 1, map=token.map), inline, Token("paragraph_close", "p", -1)]
            continue
        out.append(token)
    return out


def _inline(token: Token) -> Token:
    if token.type in ("math_inline", "math_inline_double", "math_single"):
        return Token("text", "", 0, content=latex_to_unicode(token.content))
    return token


@lru_cache(maxsize=1)
def parser() -> MathMarkdown:
    return MathMarkdown()


def math_markdown() -> MathMarkdown:
    """The parser factory for Textual's Markdown widget (one shared, stateless parser)."""
    return parser()


def plain_text(markdown: str) -> str:
    """The card's text with math as Unicode and Markdown marks dropped: one line per paragraph."""
    lines = []
    for token in parser().parse(markdown):
        if token.type == "inline":
            lines.append("".join(c.content for c in token.children or [] if c.type in ("text", "code_inline")))
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
    return "\n".join(lines)
