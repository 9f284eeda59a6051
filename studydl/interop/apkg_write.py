r"""Export notes -> an Anki package (genanki), with fixed note type ids and stable note guids.

Re-exporting the same cards gives the same note guids (from our note uids)
and the same note type ids, so importing the package into Anki again updates
the notes instead of duplicating them. Sections become subdecks
(`Deck::Section::Sub`). Card text is Markdown, rendered to HTML for Anki; its
`$...$` and `$$...$$` math goes to Anki as MathJax, `\(...\)` and `\[...\]`
(mdit-py-plugins' dollarmath finds it, so Markdown never touches a `_` or `*` inside).
A typed card (`answer: typed`) becomes Anki's type-in-the-answer note.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import genanki
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from studydl.interop.export_notes import ExportNote

BASIC_MODEL_ID = 1_731_060_001
BOTH_MODEL_ID = 1_731_060_002
CLOZE_MODEL_ID = 1_731_060_003
TERM_MODEL_ID = 1_731_060_004
TYPED_MODEL_ID = 1_731_060_005
TERM_MODEL_NAME = "studydl Term"
"""A `term :: definition` card: a basic note type of its own, so a re-import writes it back as one line."""
_CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; } pre { text-align: left; }"
_ANSWER = "{{FrontSide}}<hr id=answer>"


@lru_cache(maxsize=1)
def _models() -> dict[str, genanki.Model]:
    fields = [{"name": "Front"}, {"name": "Back"}]
    forward = {"name": "Card 1", "qfmt": "{{Front}}", "afmt": _ANSWER + "{{Back}}"}
    backward = {"name": "Card 2", "qfmt": "{{Back}}", "afmt": _ANSWER + "{{Front}}"}
    return {
        "basic": genanki.Model(BASIC_MODEL_ID, "studydl Basic", fields=fields, templates=[forward], css=_CSS),
        "term": genanki.Model(TERM_MODEL_ID, TERM_MODEL_NAME, fields=fields, templates=[forward], css=_CSS),
        "typed": genanki.Model(
            TYPED_MODEL_ID,
            "studydl Basic (type in the answer)",
            fields=fields,
            templates=[{"name": "Card 1", "qfmt": "{{Front}}\n\n{{type:Back}}", "afmt": "{{Front}}<hr id=answer>{{type:Back}}"}],
            css=_CSS,
        ),
        "both": genanki.Model(BOTH_MODEL_ID, "studydl Basic (and reversed card)", fields=fields, templates=[forward, backward], css=_CSS),
        "cloze": genanki.Model(
            CLOZE_MODEL_ID,
            "studydl Cloze",
            fields=[{"name": "Text"}],
            templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
            css=_CSS,
            model_type=genanki.Model.CLOZE,
        ),
    }


def _mathjax(latex: str, options: dict) -> str:
    """A formula as Anki's MathJax reads it: `\\[...\\]` on its own, `\\(...\\)` inline."""
    left, right = ("\\[", "\\]") if options.get("display_mode") else ("\\(", "\\)")
    return html.escape(f"{left}{latex}{right}", quote=False)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"breaks": True}).use(
        dollarmath_plugin, allow_digits=False, double_inline=True, renderer=_mathjax
    )


def to_html(text: str) -> str:
    """Card Markdown as Anki field HTML (a lone paragraph is unwrapped)."""
    html = _markdown().render(text).strip()
    match = re.fullmatch(r"<p>(.*)</p>", html, re.DOTALL)
    if match and "<p>" not in match.group(1):
        html = match.group(1)
    return html


def _deck_id(name: str) -> int:
    return (1 << 30) + int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big") % (1 << 30)


def _anki_tag(tag: str) -> str:
    return re.sub(r"\s+", "_", tag.strip())


def write_apkg(notes: list[ExportNote], out: Path) -> int:
    """Write the package (atomically); returns the number of Anki cards it holds."""
    decks: dict[str, genanki.Deck] = {}
    cards = 0
    for note in notes:
        name = "::".join([note.deck, *(part.strip() for part in note.section.split(" / ") if part.strip())])
        deck = decks.setdefault(name, genanki.Deck(_deck_id(name), name))
        if note.kind == "cloze":
            fields = [to_html(note.front)]
            cards += len(set(re.findall(r"\{\{c(\d+)::", note.front)))
        else:
            fields = [to_html(note.front), to_html(note.back)]
            cards += 2 if note.kind == "both" else 1
        deck.add_note(
            genanki.Note(
                model=_models()[note.kind],
                fields=fields,
                tags=[_anki_tag(t) for t in note.tags if t.strip()],
                guid=genanki.guid_for("studydl", note.uid),
            )
        )
    fd, tmp = tempfile.mkstemp(prefix=".studydl-export-", suffix=".apkg", dir=out.parent)
    os.close(fd)
    try:
        genanki.Package(list(decks.values())).write_to_file(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return cards
