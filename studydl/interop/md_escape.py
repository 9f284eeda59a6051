"""Make imported text safe to place inside our deck syntax.

Imported text is Markdown already; what must not happen is that a line of it
reads as *our* syntax (`Q:`, `A:`, `demo:`, a trailing `#tag`, a stray `{{`)
or as a Markdown block that would break a card's paragraph (a list item, a
heading, a quote, a fence). Each such spot gets a Markdown backslash escape,
which renders as the plain character.
"""

from __future__ import annotations

import re

from studydl.decks.cloze import mask_code_spans

_DETAIL_OR_SIDE = re.compile(r"^(\s*)(demo|id|tags|Q|A)(\s*):", re.IGNORECASE)
_BLOCK_START = re.compile(
    r"^(\s*)(?:(?=[*+-](?:\s|$))|(?=#{1,6}(?:\s|$))|(?=>)|(?=<[A-Za-z/!?])|(?=`{3,}|~{3,})"
    r"|(?=(?:[*_-]\s*){3,}$)|(?==+\s*$))(.)"
)
_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])")
_LINK_DEF = re.compile(r"^(\s{0,3})\[([^\]]*)\]:")
_TRAILING_TAG = re.compile(r"(\s)#([A-Za-z][\w/-]*)(?=(?:\s+#[A-Za-z][\w/-]*)*\s*$)")
_TERM_SEP = re.compile(r"(?<=\s)(:::?)(?=\s)")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def protect_braces(text: str) -> str:
    """Escape `{{` and `}}` outside code spans so they are never read as a cloze gap."""
    masked = mask_code_spans(text)
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = masked[i : i + 2]
        if pair in ("{{", "}}"):
            out.append(text[i] + "\\" + text[i + 1])
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def gap_text(text: str) -> str:
    """Text for inside a `{{gap}}`: one line, with no `::`, `{{` or `}}` of its own."""
    flat = " ".join(text.split())
    return flat.replace("::", ":\\:").replace("{{", "{\\{").replace("}}", "}\\}")


def escape_line(line: str, first: bool = False) -> str:
    """Escape what would make this line our syntax or a new Markdown block."""
    line = _DETAIL_OR_SIDE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}\\:", line, count=1)
    if _ORDERED.match(line):
        line = _ORDERED.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line, count=1)
    elif _BLOCK_START.match(line):
        line = _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line, count=1)
    if first and _LINK_DEF.match(line):
        line = _LINK_DEF.sub(lambda m: f"{m.group(1)}\\[{m.group(2)}]:", line, count=1)
    return line


def escape_trailing_tags(line: str) -> str:
    """`... #word` at the end of a card's last line would become a tag: escape the `#`."""
    masked = mask_code_spans(line)
    spots = [m.start(2) - 1 for m in _TRAILING_TAG.finditer(masked)]
    for pos in reversed(spots):
        line = line[:pos] + "\\" + line[pos:]
    return line


def escape_term_separators(line: str) -> str:
    """` :: ` or ` ::: ` outside code in a one-line paragraph would make a term card."""
    masked = mask_code_spans(line)
    spots = [m.start(1) + 1 for m in _TERM_SEP.finditer(masked)]
    for pos in reversed(spots):
        line = line[:pos] + "\\" + line[pos:]
    return line


def has_term_separator(text: str) -> bool:
    return bool(_TERM_SEP.search(mask_code_spans(text)))


def is_fence(line: str) -> bool:
    return bool(_FENCE.match(line))


def inline_code(line: str) -> str:
    """One line of code as an inline code span (a run of backticks longer than any inside)."""
    if not line.strip():
        return ""
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{ticks}{pad}{line}{pad}{ticks}"
