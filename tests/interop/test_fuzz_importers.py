"""Every importer fuzzed with bounded inputs: it returns cards or refuses the file with a message naming it,
never anything else, and the deck it would write parses back with no errors.

Sizes and example counts are bounded so the whole file runs in a few seconds:
text up to ~2 KB per file, packages of a few KB mutated in up to 8 places.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydl.interop.deck_writer import write_deck
from studydl.interop.importer import ImportOptions, read_source
from studydl.interop.result import ImportFailed
from tests.interop.anki_builder import BASIC, CLOZE, REVERSED, Collection, meta

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "Q: ", "A: ", "::", ":::", " :: ", " ::: ", "?", "??", "#flashcards", "#flashcards/dl", "<!--SR:!2024-08-16,51,230-->",
    "<!--SR:", "-->", "{{", "}}", "{{c1::gap}}", "==mark==", "**bold**", "```", "~~~", "---", "...", "deck: x",
    "tags: [a, b]", "tags: *a", "&a ", "[[link|alias]]", "![[img.png]]", "# ", "## ", "- ", "1. ", "> ", "\t", ",", ";",
    '"', '""', "\\", "$x^2$", "<b>", "</b>", "<div>", "&amp;", "\u00a0", "\u200b", "é", "😀", "\r", "\x0c", "\ufeff",
]
separators = st.sampled_from(["", " ", "\n", "\n\n", "\t", ","])
pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
texts = st.lists(st.tuples(pieces, separators), max_size=60).map(lambda parts: "".join(p + s for p, s in parts))
TEXT_FORMATS = ["obsidian", "markdown", "quizlet", "tsv", "csv", None]  # None: detected


def check(name: str, data: bytes, options: ImportOptions | None = None) -> None:
    """Import the bytes as file `name`: cards whose deck parses cleanly, or one ImportFailed naming the file."""
    with tempfile.TemporaryDirectory(prefix="studydl-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = read_source(path, options or ImportOptions())
        except ImportFailed as refusal:
            assert str(refusal).startswith(str(path)), refusal
            return
        if result.cards:
            written = write_deck(result, Path(tmp) / "out.md")
            assert written.parsed.errors == [], (written.parsed.errors, written.text)


@FUZZ
@given(text=texts, fmt=st.sampled_from(TEXT_FORMATS), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_text_importers(text: str, fmt: str | None, encoding: str) -> None:
    suffix = {"csv": ".csv", "tsv": ".tsv"}.get(fmt or "", ".md")
    check(f"notes{suffix}", text.encode(encoding, errors="surrogatepass"), ImportOptions(format=fmt))


@FUZZ
@given(data=st.binary(max_size=600), fmt=st.sampled_from(TEXT_FORMATS), name=st.sampled_from(["x.md", "x.csv", "x.txt", "x.apkg"]))
def test_any_bytes(data: bytes, fmt: str | None, name: str) -> None:
    check(name, data, ImportOptions(format=fmt))


@lru_cache(maxsize=1)
def packages() -> dict[str, bytes]:
    """Small real packages in each layout: schema 11 (anki2, anki21) and schema 18 zstd (anki21b)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(decks={1: "Default", 5: "DL::CNN"})
        col.note(1, BASIC, ["What does <b>ReLU</b> compute?", "max(0, x)"], tags="act")
        col.card(11, 1, 5, type=2, queue=2, due=30, ivl=12, factor=2500, reps=3)
        col.review(1_710_000_000_000, 11, 3, 12, 4, 2500, 6000, 1)
        col.note(2, REVERSED, ["Kernel", "a small weight matrix"])
        col.card(21, 2, 5, 0)
        col.card(22, 2, 5, 1)
        col.note(3, CLOZE, ["A {{c1::convolution}} slides a kernel", ""])
        col.card(31, 3, 5, 0)
        for layout, schema in (("anki2", 11), ("anki21", 11), ("anki21b", 18)):
            sqlite_bytes = col.write(Path(tmp) / f"{layout}.sqlite", schema).read_bytes()
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                if layout == "anki21b":
                    archive.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(sqlite_bytes))
                    archive.writestr("meta", meta(3))
                else:
                    archive.writestr(f"collection.{layout}", sqlite_bytes)
                archive.writestr("media", b"{}")
            out[layout] = buffer.getvalue()
        out["bare"] = sqlite_bytes
    return out


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real package with up to 8 bytes set, runs cut or bytes inserted, at uniformly drawn places."""
    data = bytearray(packages()[draw(st.sampled_from(["anki2", "anki21", "anki21b", "bare"]))])
    rng = draw(st.randoms(use_true_random=False))
    for _ in range(draw(st.integers(1, 8))):
        at = rng.randrange(len(data))
        action = rng.choice(["set", "set", "cut", "insert"])
        if action == "set":
            data[at] = rng.randrange(256)
        elif action == "cut":
            del data[at : at + rng.randrange(1, 64)]
        else:
            data[at:at] = rng.randbytes(rng.randrange(1, 16))
        if not data:
            break
    return bytes(data)


@FUZZ
@given(data=mutated())
def test_anki_packages_mutated(data: bytes) -> None:
    check("deck.apkg", data)


html = st.lists(
    st.one_of(
        st.sampled_from(["<b>", "</b>", "<br>", "<div>", "</div>", "<img src=x.png>", "[sound:a.mp3]", "&nbsp;", "&lt;",
                         "{{c1::", "{{c2::x::hint}}", "}}", "::", "\n", "`", "#tag", "Q:", "A:", "$$", "\\("]),
        st.text(max_size=10),
    ),
    max_size=12,
).map("".join)


@FUZZ
@given(front=html, back=html, cloze=html, tags=st.text(alphabet="ab#:_ -", max_size=12))
def test_anki_note_fields(front: str, back: str, cloze: str, tags: str) -> None:
    """Whatever Anki's fields hold (HTML, media, cloze markers, stray syntax), the deck written parses."""
    col = Collection(decks={1: "Default"})
    col.note(1, BASIC, [front, back], tags=tags)
    col.card(11, 1, 1)
    col.note(2, REVERSED, [front, back])
    col.card(21, 2, 1, 0)
    col.card(22, 2, 1, 1)
    col.note(3, CLOZE, [cloze, back])
    col.card(31, 3, 1, 0)
    with tempfile.TemporaryDirectory() as tmp:
        check("notes.anki2", col.write(Path(tmp) / "c.sqlite").read_bytes())
