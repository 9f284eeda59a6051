"""Anki field HTML -> Markdown: line breaks, blocks, bold/italic, code, lists, entities, MathJax; the rest stripped.

Media (`<img>`, `<audio>`, `[sound:...]`) is dropped and counted, so the
importer can say what it left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SOUND = re.compile(r"\[sound:[^\]]*\]")
_MATHJAX = re.compile(r"\\\[(.+?)\\\]|\\\((.+?)\\\)")
"""Anki's MathJax, `\\[...\\]` and `\\(...\\)`: our `$$...$$` and `$...$` (what `studydl export` wrote, back)."""
_BLOCKS = {"div", "p", "section", "article", "header", "footer", "blockquote", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_INLINE_MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_SKIP_CONTENT = {"script", "style", "head", "title"}


@dataclass
class Converted:
    text: str
    media: int = 0
    """Images, sounds and videos dropped."""


@dataclass
class _Converter(HTMLParser):
    out: list[str] = field(default_factory=list)
    lists: list[list[int]] = field(default_factory=list)
    """Open lists: [counter] for <ol>, [-1] for <ul>."""
    media: int = 0
    pre: int = 0
    skip: int = 0
    code: int = 0
    """Open inline code spans (their text is kept as it is)."""
    code_lang: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_CONTENT:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self._block_break()
        elif tag in _INLINE_MARKS and not self.pre:
            self.out.append(_INLINE_MARKS[tag])
        elif tag == "code" and not self.pre:
            self.code += 1
            self.out.append("\x01")  # placed as a code span on close, with the right backtick run
        elif tag == "code":
            classes = dict(attrs).get("class") or ""
            match = re.search(r"language-([\w+-]+)", classes)
            self.code_lang = match.group(1) if match else self.code_lang
        elif tag == "pre":
            self._block_break()
            self.pre += 1
            self.out.append("\x02")
        elif tag in ("ul", "ol"):
            self._block_break()
            start = dict(attrs).get("start") or "1"
            self.lists.append([int(start) - 1 if tag == "ol" and start.isdigit() and len(start) < 10 else 0 if tag == "ol" else -1])
        elif tag == "li":
            self._line_break()
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                self.out.append(f"{indent}{self.lists[-1][0]}. ")
            else:
                self.out.append(f"{indent}- ")
        elif tag in ("img", "audio", "video", "object", "embed"):
            self.media += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT:
            self.skip = max(self.skip - 1, 0)
        elif tag in _BLOCKS:
            self._block_break()
        elif tag in _INLINE_MARKS and not self.pre:
            self.out.append(_INLINE_MARKS[tag])
        elif tag == "code" and not self.pre:
            self.code = max(self.code - 1, 0)
            self._close_code_span()
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self._close_pre()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._block_break()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"[ \t\r\n]+", " ", data)
            tail = "".join(self.out[-2:])
            if not tail or tail.endswith("\n") or tail.endswith(" "):
                data = data.lstrip(" ")
            if not self.code:
                data = _MATHJAX.sub(lambda m: f"$${m.group(1)}$$" if m.group(1) is not None else f"${m.group(2)}$", data)
        if data:
            self.out.append(data)

    def _line_break(self) -> None:
        if self.out and not "".join(self.out[-2:]).endswith("\n"):
            self.out.append("\n")

    def _block_break(self) -> None:
        if self.pre:
            return
        self._line_break()

    def _close_code_span(self) -> None:
        text = "".join(self.out)
        at = text.rfind("\x01")
        inner = text[at + 1 :].replace("\n", " ")
        longest = max((len(r) for r in re.findall(r"`+", inner)), default=0)
        ticks = "`" * (longest + 1)
        pad = " " if inner.startswith("`") or inner.endswith("`") else ""
        self.out = [text[:at], f"{ticks}{pad}{inner}{pad}{ticks}" if inner.strip() else inner]

    def _close_pre(self) -> None:
        text = "".join(self.out)
        at = text.rfind("\x02")
        code = text[at + 1 :].strip("\n")
        longest = max((len(r) for r in re.findall(r"^`{3,}", code, re.MULTILINE)), default=2)
        fence = "`" * (longest + 1)
        before = text[:at]
        if before and not before.endswith("\n"):
            before += "\n"
        self.out = [before, f"{fence}{self.code_lang}\n{code}\n{fence}\n"]
        self.code_lang = ""


def html_to_markdown(html: str) -> Converted:
    """Markdown for one Anki field; media dropped (and counted)."""
    media = len(_SOUND.findall(html))
    html = _SOUND.sub("", html)
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out).replace("\x01", "").replace("\x02", "").replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    cleaned = "\n".join(lines).strip("\n")
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return Converted(cleaned.strip(), media + converter.media)
