"""Read any supported file into an ImportResult: detection, decoding, then the right reader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studydl.domain.days import StudyDays
from studydl.interop.detect import (
    FORMATS,
    MAX_TEXT_BYTES,
    decode_text,
    detect_text_format,
    sniff_binary,
)
from studydl.interop.result import ImportFailed, ImportResult


@dataclass(frozen=True)
class ImportOptions:
    format: str | None = None
    """One of detect.FORMATS; None detects it."""
    sep: str | None = None
    """Separator between term and definition (tsv) or between CSV columns."""
    cloze_bold: bool = False
    """Obsidian: read `**bold**` as cloze gaps too."""
    days: StudyDays | None = None
    """The learner's study days (zone, day start): imported due dates begin one. None: the system zone, 4 am."""

    steps: tuple[int, int] = (2, 1)
    """How many learning and relearning steps the learner's settings have (an Anki card's `left` counts down to them)."""

    def study_days(self) -> StudyDays:
        return self.days if self.days is not None else StudyDays.local()


def read_source(path: Path, options: ImportOptions = ImportOptions()) -> ImportResult:
    """The cards of one file; a file that cannot be imported raises ImportFailed with one message."""
    if options.format is not None and options.format not in FORMATS:
        raise ImportFailed(f"{path}: unknown format {options.format!r} (one of: {', '.join(FORMATS)})")
    data = _read_head(path)
    binary = sniff_binary(path, data)
    if options.format == "apkg" or (options.format is None and binary == "apkg"):
        return _read_apkg(path, data, options)
    if binary == "apkg" and data[:4] == b"PK\x03\x04":
        raise ImportFailed(f"{path}: a zip file cannot be read as {options.format}; leave out --format to read it as an Anki package")
    text = decode_text(path, data)
    fmt = options.format or ("tsv" if options.sep and path.suffix.lower() != ".csv" else detect_text_format(path, text))
    if fmt == "obsidian":
        from studydl.interop.obsidian import read_obsidian

        return read_obsidian(path, text, options.study_days(), cloze_bold=options.cloze_bold)
    if fmt == "markdown":
        from studydl.interop.mdnotes import read_markdown_notes

        return read_markdown_notes(path, text)
    from studydl.interop import quizlet

    if fmt == "quizlet":
        return quizlet.read_alternating(path, text)
    if fmt == "csv":
        return quizlet.read_csv(path, text, options.sep)
    return quizlet.read_separated(path, text, options.sep or "\t")


def _read_head(path: Path) -> bytes:
    """The file's bytes, or only its first MAX_TEXT_BYTES + 1 (enough to sniff a package and refuse a huge text).

    Read with a bound, so a huge file, /dev/zero or a FIFO never fills memory.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except IsADirectoryError as exc:
        raise ImportFailed(f"{path}: is a folder; give the files to import") from exc
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise ImportFailed(f"{path}: empty file, nothing to import")
    return data


def _read_apkg(path: Path, head: bytes, options: ImportOptions) -> ImportResult:
    """An Anki package, read from disk as a stream (see apkg_read): `head` only says what it is."""
    from studydl.interop.anki_collection import read_collection
    from studydl.interop.anki_notes import read_anki_collection
    from studydl.interop.apkg_read import open_collection

    if not (head.startswith(b"PK\x03\x04") or head.startswith(b"SQLite format 3\x00")):
        raise ImportFailed(f"{path}: not an Anki package (not a zip file)")
    with open_collection(path) as (con, media):
        collection = read_collection(path, con)
    return read_anki_collection(path, collection, media, options.study_days(), options.steps)
