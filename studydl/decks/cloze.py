"""Cloze gaps (`{{hidden}}`, `{{hidden::hint}}`) inside a paragraph, code spans left alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BACKTICKS = re.compile(r"`+")


class ClozeError(Exception):
    """A malformed gap; `line_offset` counts lines from the paragraph's first line."""

    def __init__(self, message: str, line_offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.line_offset = line_offset


@dataclass(frozen=True)
class Cloze:
    start: int
    end: int
    text: str
    hint: str | None


def mask_code_spans(text: str) -> str:
    """Blank out inline code spans (same length) so their `{{` and `::` are not syntax."""
    if "`" not in text:
        return text
    out = list(text)
    pos = 0
    while True:
        opening = _BACKTICKS.search(text, pos)
        if not opening:
            break
        run = opening.group(0)
        closing = re.compile(rf"(?<!`){re.escape(run)}(?!`)").search(text, opening.end())
        if not closing:
            pos = opening.end()
            continue
        for i in range(opening.start(), closing.end()):
            if out[i] != "\n":
                out[i] = " "
        pos = closing.end()
    return "".join(out)


def find_clozes(text: str) -> list[Cloze]:
    """The gaps of a paragraph, in order; raises ClozeError for an unclosed or empty one."""
    masked = mask_code_spans(text)
    clozes: list[Cloze] = []
    pos = 0
    while True:
        start = masked.find("{{", pos)
        if start < 0:
            return clozes
        end = masked.find("}}", start + 2)
        nested = masked.find("{{", start + 2)
        line = masked.count("\n", 0, start)
        if end < 0 or (0 <= nested < end):
            raise ClozeError("cloze `{{` is not closed with `}}`", line)
        inner = text[start + 2 : end]
        body, sep, hint = inner.partition("::")
        if not body.strip():
            raise ClozeError("empty cloze `{{}}`", line)
        clozes.append(Cloze(start, end + 2, body.strip(), hint.strip() if sep and hint.strip() else None))
        pos = end + 2


def render_cloze(text: str, clozes: list[Cloze], hidden: int) -> tuple[str, str]:
    """(question, answer) for the card hiding gap number `hidden`."""
    question: list[str] = []
    answer: list[str] = []
    pos = 0
    for n, cloze in enumerate(clozes):
        question.append(text[pos : cloze.start])
        answer.append(text[pos : cloze.start])
        if n == hidden:
            question.append(f"[{cloze.hint or '...'}]")
            answer.append(f"**{cloze.text}**")
        else:
            question.append(cloze.text)
            answer.append(cloze.text)
        pos = cloze.end
    question.append(text[pos:])
    answer.append(text[pos:])
    return "".join(question).strip(), "".join(answer).strip()
