"""Obsidian Spaced Repetition plugin notes: `q::a`, `q:::a`, `?`/`??` cards, clozes, `<!--SR:-->`.

Cards are read block by block (a block ends at a blank line, as in the plugin):

- a line holding `::` (or `:::`) outside code is a one-line card (two-way with `:::`);
- a block with a line that is only `?` (or `??`) is a multi-line card: the lines
  above are the question, the lines below the answer;
- in a note tagged `#flashcards` (in its text or front matter), a block with
  `==highlight==` or `{{curly}}` gaps is a cloze card; `**bold**` counts as a gap
  only with `cloze_bold` (bold is too common in prose to guess).

`<!--SR:...-->` scheduling comments never reach card text; each form the plugin
reads becomes the card's scheduling state (obsidian_sr).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from studydl.decks import safe_yaml
from studydl.decks.cloze import mask_code_spans
from studydl.decks.parser import deck_name_from_path, split_tags
from studydl.domain.days import StudyDays
from studydl.interop.detect import is_inline_card
from studydl.interop.md_escape import gap_text, protect_braces
from studydl.interop.obsidian_sr import read_comment
from studydl.interop.result import CardHistory, ImportedCard, ImportFailed, ImportResult, Schedule

_SR_COMMENT = re.compile(r"\s*<!--SR:(.*?)-->")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FLASHCARDS_TAG = re.compile(r"(?:^|(?<=\s))#flashcards(?:/[\w/-]*)?(?=\s|$)")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_EMBED = re.compile(r"!\[\[[^\]]*\]\]|!\[[^\]]*\]\([^)]*\)")
_WIKILINK = re.compile(r"\[\[([^\]|]*)(?:\|([^\]]*))?\]\]")
_CLOZE_MARK = re.compile(r"==(?P<hl>[^=\n]+?)==(?:\^\[(?P<hint>[^\]]*)\])?(?:\[\^\w+\])?|\{\{(?P<curly>[^{}\n]+?)\}\}")
_BOLD_MARK = re.compile(r"\*\*(?P<bold>[^*\n]+?)\*\*")


def read_obsidian(path: Path, text: str, days: StudyDays, cloze_bold: bool = False) -> ImportResult:
    """Read one note written for the Spaced Repetition plugin."""
    result = ImportResult(path, "obsidian", deck_name_from_path(path))
    lines = text.split("\n")
    start, tagged = _front_matter(path, lines)
    tagged = tagged or any(_FLASHCARDS_TAG.search(line) for line in lines[start:])
    sections: list[tuple[int, str]] = []
    media = 0
    for block in _blocks(lines, start, sections, days):
        media += sum(len(_EMBED.findall(line)) for _, line in block.lines)
        _read_block(result, block, tagged, cloze_bold)
    if media:
        result.notes.append(f"{media} embedded images/files left out (media is not imported)")
    if not tagged and not cloze_bold and _CLOZE_MARK.search(text):
        result.notes.append("note is not tagged #flashcards: ==highlights== and {{curly}} were not read as clozes")
    return result


class _Block:
    def __init__(self, section: str) -> None:
        self.section = section
        self.lines: list[tuple[int, str]] = []
        self.schedules: dict[int, list[Schedule]] = {}
        """By line number: the schedules of the card ending on that line."""

    def all_schedules(self) -> list[Schedule]:
        return [s for number in sorted(self.schedules) for s in self.schedules[number]]


def _front_matter(path: Path, lines: list[str]) -> tuple[int, bool]:
    """(first body line index, tagged #flashcards in the front matter).

    Front matter that is not YAML is read as none (Obsidian shows such a note all
    the same); YAML that could blow up (an alias, deep nesting) refuses the file.
    """
    if not lines or lines[0].strip() != "---":
        return 0, False
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                meta = safe_yaml.load("\n".join(lines[1:end])) or {}
            except safe_yaml.RefusedYAML as exc:
                line = 2 + (exc.problem_mark.line if exc.problem_mark else 0)
                raise ImportFailed(f"{path}:{line}: front matter: {exc.problem}") from exc
            except yaml.YAMLError:
                meta = {}
            tags = split_tags(meta.get("tags")) if isinstance(meta, dict) else ()
            return end + 1, any(t == "flashcards" or t.startswith("flashcards/") for t in tags)
    return 0, False


def _blocks(lines: list[str], start: int, sections: list[tuple[int, str]], days: StudyDays) -> list[_Block]:
    """Blank-line separated blocks (fences kept whole), headings updating the section path.

    A scheduling comment on a line of its own belongs to the line above it.
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    fence: str | None = None
    for index in range(start, len(lines)):
        number, raw = index + 1, lines[index]
        line, schedules = _take_sr(raw, days)
        if fence is None:
            heading = _HEADING.match(line)
            if heading:
                level = len(heading.group(1))
                while sections and sections[-1][0] >= level:
                    sections.pop()
                sections.append((level, heading.group(2)))
                current = None
                continue
            if not line.strip():
                if schedules and current is not None and current.lines:
                    current.schedules.setdefault(current.lines[-1][0], []).extend(schedules)
                else:
                    current = None
                continue
        if current is None:
            current = _Block(" / ".join(title for _, title in sections if title))
            blocks.append(current)
        current.lines.append((number, line))
        if schedules:
            current.schedules.setdefault(number, []).extend(schedules)
        marker = _FENCE.match(line)
        if fence is None and marker:
            fence = marker.group(1)
        elif fence is not None and line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
            fence = None
    return blocks


def _take_sr(line: str, days: StudyDays) -> tuple[str, list[Schedule]]:
    """The line without its `<!--SR:...-->` comment, and the schedules the comment held (obsidian_sr)."""
    schedules: list[Schedule] = []
    for match in _SR_COMMENT.finditer(line):
        schedules.extend(read_comment(match.group(1), days))
    return _SR_COMMENT.sub("", line).rstrip(), schedules


def _read_block(result: ImportResult, block: _Block, tagged: bool, cloze_bold: bool) -> None:
    lines = [(n, _clean(line)) for n, line in block.lines]
    plain = _plain_lines(block)
    lines = [(n, line) for n, line in lines if line.strip() or n not in plain]
    if not lines or lines[0][1].lstrip().startswith("<!--"):
        return  # an ignored (commented out) card, or only a tag line
    separators = [i for i, (n, line) in enumerate(lines) if n in plain and line.strip() in ("?", "??")]
    if separators:
        _multi_line(result, block, lines, separators)
        return
    inline = [(n, line) for n, line in lines if n in plain and is_inline_card(mask_code_spans(line))]
    if inline:
        for number, line in inline:
            _one_line(result, block, number, line)
        return
    if tagged or cloze_bold:
        text = "\n".join(line for _, line in lines)
        cloze = _cloze_text(text, [_CLOZE_MARK, _BOLD_MARK] if cloze_bold else [_CLOZE_MARK])
        if cloze is not None:
            result.cards.append(
                ImportedCard(cloze, cloze=True, section=block.section, line=lines[0][0], history=_history(block.all_schedules()))
            )


def _multi_line(result: ImportResult, block: _Block, lines: list[tuple[int, str]], separators: list[int]) -> None:
    first = lines[0][0]
    if len(separators) > 1:
        result.skip(first, "more than one `?` line in one card")
        return
    at = separators[0]
    question = "\n".join(line for _, line in lines[:at]).strip()
    answer = "\n".join(line for _, line in lines[at + 1 :]).strip()
    if not question or not answer:
        result.skip(first, "multi-line card needs text above and below its `?` line")
        return
    both = lines[at][1].strip() == "??"
    result.cards.append(
        ImportedCard(question, answer, both_ways=both, section=block.section, line=first, history=_history(block.all_schedules()))
    )


def _one_line(result: ImportResult, block: _Block, number: int, line: str) -> None:
    masked = mask_code_spans(line)
    at = masked.find("::")
    both = masked[at : at + 3] == ":::"
    question = line[:at].strip()
    answer = line[at + (3 if both else 2) :].strip()
    if not question or not answer:
        result.skip(number, "one-line card needs text on both sides of `::`")
        return
    result.cards.append(
        ImportedCard(
            question,
            answer,
            both_ways=both,
            one_line=True,
            section=block.section,
            line=number,
            history=_history(block.schedules.get(number, [])),
        )
    )


def _cloze_text(text: str, marks: list[re.Pattern[str]]) -> str | None:
    """The text with its gaps in our `{{gap::hint}}` syntax, or None when it has no gap outside code."""
    masked = mask_code_spans(text)
    spans: list[tuple[int, int, str, str | None]] = []
    for pattern in marks:
        for match in pattern.finditer(masked):
            groups = match.groupdict()
            name = next(g for g in ("hl", "curly", "bold") if groups.get(g))
            hint = text[match.start("hint") : match.end("hint")] if groups.get("hint") else None
            spans.append((match.start(), match.end(), text[match.start(name) : match.end(name)], hint))
    spans.sort()
    out: list[str] = []
    pos = 0
    gaps = 0
    for start, end, body, hint in spans:
        if start < pos or not body.strip():
            continue
        out.append(protect_braces(text[pos:start]))
        out.append("{{" + gap_text(body) + (f"::{gap_text(hint)}" if hint and hint.strip() else "") + "}}")
        gaps += 1
        pos = end
    out.append(protect_braces(text[pos:]))
    return "".join(out).strip() if gaps else None


def _history(schedules: list[Schedule]) -> dict[int, CardHistory]:
    return {n: CardHistory(schedule) for n, schedule in enumerate(schedules)}


def _clean(line: str) -> str:
    """Card text without the deck tag, embeds, and with wiki links as their text."""
    line = _FLASHCARDS_TAG.sub("", line)
    line = _EMBED.sub("", line)
    line = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), line)
    return line.rstrip()


def _plain_lines(block: _Block) -> set[int]:
    """Line numbers of the block outside fenced code."""
    plain: set[int] = set()
    fence: str | None = None
    for number, line in block.lines:
        marker = _FENCE.match(line)
        if fence is None and marker:
            fence = marker.group(1)
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            continue
        plain.add(number)
    return plain
