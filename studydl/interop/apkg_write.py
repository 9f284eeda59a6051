r"""Export notes -> an Anki package (genanki), with fixed note type ids and stable note guids.

Re-exporting the same cards gives the same note guids (from our note uids)
and the same note type ids, so importing the package into Anki again updates
the notes instead of duplicating them. Sections become subdecks
(`Deck::Section::Sub`). Card text is Markdown, rendered to HTML for Anki; its
`$...$` and `$$...$$` math goes to Anki as MathJax, `\(...\)` and `\[...\]`
(mdit-py-plugins' dollarmath finds it, so Markdown never touches a `_` or `*` inside).
A typed card (`answer: typed`) becomes Anki's type-in-the-answer note.

genanki writes the notes and new cards into an SQLite file of our own (its
`write_to_db`, since its `write_to_file` zips at once); apkg_schedule then gives the
cards their scheduling state and adds the review log, and the file is zipped.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from functools import lru_cache
from pathlib import Path

import genanki
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from studydl.interop import notetype_names
from studydl.interop.apkg_schedule import ScheduleExport, write_schedule
from studydl.interop.export_notes import ExportNote

BASIC_MODEL_ID = 1_731_060_001
BOTH_MODEL_ID = 1_731_060_002
CLOZE_MODEL_ID = 1_731_060_003
TERM_MODEL_ID = 1_731_060_004
TYPED_MODEL_ID = 1_731_060_005
TYPED_TERM_MODEL_ID = 1_731_060_006
TYPED_BOTH_MODEL_ID = 1_731_060_007
TYPED_CLOZE_MODEL_ID = 1_731_060_008
_CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; } pre { text-align: left; }"
_ANSWER = "{{FrontSide}}<hr id=answer>"


def _card(name: str, front: str, back: str, typed: bool) -> dict[str, str]:
    """A template: Anki's Basic, or with `typed` its "Basic (type in the answer)" (the box under the question)."""
    if typed:
        return {"name": name, "qfmt": f"{{{{{front}}}}}\n\n{{{{type:{back}}}}}", "afmt": f"{{{{{front}}}}}<hr id=answer>{{{{type:{back}}}}}"}
    return {"name": name, "qfmt": f"{{{{{front}}}}}", "afmt": _ANSWER + f"{{{{{back}}}}}"}


@lru_cache(maxsize=1)
def _models() -> dict[tuple[str, bool], genanki.Model]:
    """By (ExportNote.kind, typed)."""
    fields = [{"name": "Front"}, {"name": "Back"}]
    models: dict[tuple[str, bool], genanki.Model] = {}
    for typed, suffix, ids in (
        (False, "", (BASIC_MODEL_ID, TERM_MODEL_ID, BOTH_MODEL_ID, CLOZE_MODEL_ID)),
        (True, " (type in the answer)", (TYPED_MODEL_ID, TYPED_TERM_MODEL_ID, TYPED_BOTH_MODEL_ID, TYPED_CLOZE_MODEL_ID)),
    ):
        forward, backward = _card("Card 1", "Front", "Back", typed), _card("Card 2", "Back", "Front", typed)
        basic, term, both, cloze = ids
        models[("basic", typed)] = genanki.Model(basic, f"studydl Basic{suffix}", fields=fields, templates=[forward], css=_CSS)
        term_name = notetype_names.TYPED_TERM if typed else notetype_names.TERM
        models[("term", typed)] = genanki.Model(term, term_name, fields=fields, templates=[forward], css=_CSS)
        both_name = "studydl Basic (and reversed card, type in the answer)" if typed else "studydl Basic (and reversed card)"
        models[("both", typed)] = genanki.Model(both, both_name, fields=fields, templates=[forward, backward], css=_CSS)
        gaps = "{{cloze:Text}}\n\n{{type:cloze:Text}}" if typed else "{{cloze:Text}}"
        models[("cloze", typed)] = genanki.Model(
            cloze,
            f"studydl Cloze{suffix}",
            fields=[{"name": "Text"}],
            templates=[{"name": "Cloze", "qfmt": gaps, "afmt": gaps}],
            css=_CSS,
            model_type=genanki.Model.CLOZE,
        )
    return models


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


def write_apkg(notes: list[ExportNote], out: Path, schedule: ScheduleExport | None = None) -> tuple[int, int]:
    """Write the package (atomically): genanki's notes, then with `schedule` the cards' state and the review log.

    Returns (Anki cards, revlog rows).
    """
    decks: dict[str, genanki.Deck] = {}
    for position, note in enumerate(notes):
        name = "::".join([note.deck, *(part.strip() for part in note.section.split(" / ") if part.strip())])
        deck = decks.setdefault(name, genanki.Deck(_deck_id(name), name))
        fields = [to_html(note.front)] if note.kind == "cloze" else [to_html(note.front), to_html(note.back)]
        deck.add_note(
            genanki.Note(
                model=_models()[(note.kind, note.typed)],
                fields=fields,
                tags=[_anki_tag(t) for t in note.tags if t.strip()],
                guid=genanki.guid_for("studydl", note.uid),
                due=position,
            )
        )
    with tempfile.TemporaryDirectory(prefix=".studydl-export-", dir=out.parent) as tmp:
        collection = Path(tmp) / "collection.anki2"
        con = sqlite3.connect(collection)
        try:
            timestamp = schedule.now.timestamp() if schedule is not None else time.time()
            genanki.Package(list(decks.values())).write_to_db(con.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            revlog = write_schedule(con, notes, schedule) if schedule is not None else 0
            (cards,) = con.execute("select count(*) from cards").fetchone()
            con.commit()
        finally:
            con.close()
        package = Path(tmp) / "package.apkg"
        with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(collection, "collection.anki2")
            archive.writestr("media", "{}")
        os.replace(package, out)
    return cards, revlog
