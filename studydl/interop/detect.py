"""Which importer reads a file: from its first bytes, its extension, then its text.

Rules (also in docs/import-export.md):

1. A zip (`PK\\x03\\x04`) or an `.apkg`/`.colpkg` name: an Anki package. A bare
   SQLite file: an Anki collection (`collection.anki2`).
2. An empty file, a file with a NUL byte, or text that is not UTF-8 (or UTF-16
   with a byte-order mark) is refused with one message.
3. `.csv`: CSV with a header; `.tsv`/`.tab`: one `term<TAB>definition` pair per line.
4. Text with a `#flashcards` tag, an `<!--SR:` comment, a line that is only
   `?` or `??`, or a `question::answer` line: Obsidian Spaced Repetition syntax.
5. Text whose lines are mostly `term<TAB>definition`: tab-separated pairs.
6. Text with no Markdown structure (no headings, lists, quotes, fences, images)
   and an even number of lines per block: alternating term and definition lines.
7. Anything else: plain Markdown notes (definitions only where clearly written).
"""

from __future__ import annotations

import re
from pathlib import Path

from studydl.decks.cloze import mask_code_spans
from studydl.interop.result import ImportFailed

FORMATS = ("apkg", "obsidian", "quizlet", "tsv", "csv", "markdown")
"""`quizlet` is alternating term/definition lines; `tsv` is term<sep>definition lines."""

MAX_TEXT_BYTES = 20 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_SQLITE = b"SQLite format 3\x00"
_FLASHCARDS_TAG = re.compile(r"(?:^|\s)#flashcards(?:/[\w/-]*)?(?=\s|$)", re.MULTILINE)
_SEPARATOR_LINE = re.compile(r"^\s*\?\??\s*$", re.MULTILINE)
_CODE_SCOPE = re.compile(r"\w::[A-Za-z_]\w*\s*[(<]")
_MARKDOWN_BLOCK = re.compile(r"^\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|```|~~~|!\[|={3,}\s*$|-{3,}\s*$)")


def sniff_binary(path: Path, data: bytes) -> str | None:
    """`apkg` for a zip or SQLite file (or an Anki package name); None for anything else."""
    if data.startswith(_ZIP) or data.startswith(_SQLITE):
        return "apkg"
    if path.suffix.lower() in (".apkg", ".colpkg", ".anki2", ".anki21"):
        return "apkg"
    return None


def decode_text(path: Path, data: bytes) -> str:
    """The file's text; an empty, binary or non-UTF-8 file is refused with one message."""
    if not data.strip():
        raise ImportFailed(f"{path}: empty file, nothing to import")
    if len(data) > MAX_TEXT_BYTES:
        raise ImportFailed(f"{path}: file is over 20 MB; text imports are limited to 20 MB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"{path}: broken UTF-16 text at byte {exc.start}") from exc
        return text.replace("\r\n", "\n").replace("\r", "\n")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ImportFailed(f"{path}:{line}: binary file, not a text format studydl can import")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8 and import it again"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_text_format(path: Path, text: str) -> str:
    """The text format of a decoded file (rules 3-7 above)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if looks_obsidian(text):
        return "obsidian"
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and sum("\t" in line for line in lines) >= 0.8 * len(lines):
        return "tsv"
    if looks_alternating(text):
        return "quizlet"
    return "markdown"


def looks_obsidian(text: str) -> bool:
    """Spaced Repetition plugin syntax outside code: tag, scheduling comment, `?` line or `::` card."""
    if "<!--SR:" in text or _FLASHCARDS_TAG.search(text):
        return True
    plain = _without_fences(text)
    if _SEPARATOR_LINE.search(plain):
        return True
    return any(is_inline_card(mask_code_spans(line), strict=True) for line in plain.split("\n"))


def is_inline_card(masked: str, strict: bool = False) -> bool:
    """A `question::answer` line (code spans already masked).

    `strict` (for detection only) also rejects what reads as code, `name::member(`.
    """
    if "::" not in masked or (strict and _CODE_SCOPE.search(masked)):
        return False
    left, _, right = masked.partition("::")
    return bool(left.strip()) and bool(right.lstrip(":").strip())


def looks_alternating(text: str) -> bool:
    """Plain lines, no Markdown structure, each blank-line-separated block an even number of lines."""
    body = _strip_front_matter(text)
    blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip()]
    if not blocks:
        return False
    lines = [line for block in blocks for line in block.split("\n")]
    if len(lines) < 2 or any(_MARKDOWN_BLOCK.match(line) for line in lines):
        return False
    return all(len(block.strip().split("\n")) % 2 == 0 for block in blocks)


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end >= 0:
            return text[text.find("\n", end + 1) + 1 :] if text.find("\n", end + 1) >= 0 else ""
    return text


def _without_fences(text: str) -> str:
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is None and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = stripped[:3]
            out.append("")
        elif fence is not None:
            if stripped.startswith(fence):
                fence = None
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)
