"""Term/definition lists: alternating lines, `term<sep>definition` lines, and CSV with a header."""

from __future__ import annotations

import csv
import io
import re
import shlex
from pathlib import Path

from studydl.decks.parser import deck_name_from_path, split_tags
from studydl.domain.words import plural
from studydl.interop.result import ImportedCard, ImportFailed, ImportResult

FRONT_COLUMNS = ("front", "term", "question", "word", "prompt")
BACK_COLUMNS = ("back", "definition", "answer", "meaning", "explanation")
TAG_COLUMNS = ("tags", "tag")
SECTION_COLUMNS = ("section", "deck", "topic")


def read_alternating(path: Path, text: str) -> ImportResult:
    """Term on one line, its definition on the next; blank lines between pairs are allowed."""
    result = ImportResult(path, "quizlet", deck_name_from_path(path))
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if pending is not None:
                result.skip(pending[0], f"term {_clip(pending[1])!r} has no definition line after it")
                pending = None
            continue
        if pending is None:
            pending = (number, line)
            continue
        result.cards.append(ImportedCard(pending[1], line, line=pending[0], one_line=True))
        pending = None
    if pending is not None:
        result.skip(pending[0], f"term {_clip(pending[1])!r} has no definition line after it")
    return result


def read_separated(path: Path, text: str, sep: str = "\t") -> ImportResult:
    """One `term<sep>definition` pair per line (Quizlet's export; `--sep` for its custom separators)."""
    result = ImportResult(path, "tsv", deck_name_from_path(path))
    shown = "a tab" if sep == "\t" else repr(sep)
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        term, found, definition = raw.partition(sep)
        if not found:
            result.skip(number, f"no separator ({shown}) on this line")
        elif not term.strip() or not definition.strip():
            result.skip(number, "empty term or definition")
        else:
            result.cards.append(ImportedCard(term.strip(), definition.strip(), line=number, one_line=True))
    return result


def read_csv(path: Path, text: str, sep: str | None = None) -> ImportResult:
    """CSV with a header naming the columns (front/back, term/definition, question/answer; tags)."""
    result = ImportResult(path, "csv", deck_name_from_path(path))
    delimiter = sep or _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFailed(f"{path}: not readable as CSV: {exc}") from exc
    # csv.reader does not report line numbers per row; track them from the reader's line count.
    lines = _row_lines(text, delimiter)
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    front = _column(header, FRONT_COLUMNS)
    back = _column(header, BACK_COLUMNS)
    if front is None or back is None:
        odd = next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row) and len(row) != 2), None)
        if rows and odd is None:
            front, back, start = 0, 1, 0  # no header: two columns, term then definition
        else:
            raise ImportFailed(_no_header(path, delimiter, rows, lines, odd))
    else:
        start = 1
    tags_at = _column(header, TAG_COLUMNS) if start else None
    section_at = _column(header, SECTION_COLUMNS[:1]) if start else None
    for index in range(start, len(rows)):
        row, number = rows[index], lines[index]
        if not any(cell.strip() for cell in row):
            continue
        if max(front, back) >= len(row):
            result.skip(number, f"row has {len(row)} columns, the header has {len(header) or 2}")
            continue
        question, answer = row[front].strip(), row[back].strip()
        if not question or not answer:
            result.skip(number, "empty front or back")
            continue
        tags = split_tags(row[tags_at]) if tags_at is not None and tags_at < len(row) else ()
        section = row[section_at].strip() if section_at is not None and section_at < len(row) else ""
        result.cards.append(
            ImportedCard(question, answer, line=number, tags=tags, section=section, one_line="\n" not in question + answer)
        )
    return result


SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _no_header(path: Path, delimiter: str, rows: list[list[str]], lines: list[int], odd: int | None) -> str:
    """Why a CSV without a header cannot be read as it is, and the two ways that work."""
    sep = SEPARATOR_NAMES.get(delimiter, repr(delimiter))
    seen = f" and line {lines[odd]} has {plural(len(rows[odd]), 'column')}, not 2" if odd is not None else ""
    return (
        f"{path}:1: no header naming the columns (front/back, term/definition or question/answer){seen}. "
        f"Add a header line such as `front{delimiter}back`, or read each line as term and definition split "
        f"at the first {sep}: studydl import {shlex.quote(str(path))} --format tsv --sep {sep}"
    )


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _row_lines(text: str, delimiter: str) -> list[int]:
    """The 1-based line each CSV row starts on (rows may span lines inside quotes)."""
    starts: list[int] = []
    source = io.StringIO(text)
    reader = csv.reader(source, delimiter=delimiter)
    line = 1
    for _row in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts


def _clip(text: str, width: int = 40) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= width else text[: width - 1] + "…"
