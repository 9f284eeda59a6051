"""Explore, then capture: a predict-then-run card written into one of the learner's own decks.

From what a demo run just showed (its id, parameters and final metrics) `draft` proposes a
card; `add_card` writes it at the end of a section of a deck file in the home's `decks/`
folder (never a bundled deck), or of a new file there. The file is checked as `studydl
check` would before anything is written, and written whole to a temporary file that then
replaces it: every byte the learner wrote stays as it was, and a failure leaves the file
untouched.
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from studydl.decks.parser import _markdown, parse_bytes
from studydl.domain.cards import CardKind
from studydl.domain.demos import DemoSpec, Metric, ParamValue

NEW_FILE = "predictions.md"
"""The file offered when the learner has no deck of their own yet."""


class CaptureError(ValueError):
    """Why the card cannot be written (nothing was); the message is for the learner."""


@dataclass(frozen=True)
class PredictCard:
    """A predict card's parts, as its lines in a deck will read."""

    demo_id: str
    question: str
    answer: str
    metric: str
    tolerance: str
    params: Mapping[str, ParamValue]
    """Fixed by `set:`: the run's parameters, every one, so a changed default changes nothing."""
    expect: str
    """The value the run measured, for `studydl check --evidence`."""

    def lines(self) -> list[str]:
        out = [f"Q: {_one_line(self.question, 'question')}", f"A: {_one_line(self.answer, 'answer')}"]
        out += [f"demo: {self.demo_id}", f"predict: {self.metric}", f"tolerance: {self.tolerance.strip()}"]
        if self.params:
            out.append("set: " + ", ".join(f"{name}={_param_text(name, value)}" for name, value in self.params.items()))
        return [*out, f"expect: {self.expect}"]


@dataclass(frozen=True)
class Section:
    """A place a card can go: a heading path (`Top / Sub`) and the line of its heading; the
    end of the file is the empty path."""

    title: str
    line: int = 0

    @property
    def label(self) -> str:
        return self.title or "(the end of the file)"


@dataclass(frozen=True)
class Added:
    path: Path
    line: int
    """1-based line of the card's `Q:`."""


# ------------------------------------------------------------------ a draft from a run


def usable_metrics(spec: DemoSpec, metrics: Mapping[str, float]) -> list[Metric]:
    """The declared metrics the run measured as finite numbers: the ones a card can predict."""
    return [m for m in spec.metrics if isinstance(metrics.get(m.name), int | float) and math.isfinite(metrics[m.name])]


def draft(spec: DemoSpec, params: Mapping[str, ParamValue], metrics: Mapping[str, float], metric: str, summary: str = "") -> PredictCard:
    """A card from a finished run: the question names what changed, the answer what was measured."""
    declared = spec.metric(metric)
    if declared is None or metric not in metrics:
        raise CaptureError(f"demo {spec.id!r} measured no metric {metric!r}")
    value = float(metrics[metric])
    changed = [f"{name}={_param_text(name, value)}" for name, value in params.items() if spec.defaults().get(name) != value]
    meaning = declared.meaning[:1].lower() + declared.meaning[1:] if declared.meaning[1:2].islower() else declared.meaning
    question = f"{spec.title}: predict the {meaning}" + (f" with {', '.join(changed)}" if changed else "")
    question += f" ({declared.unit})." if declared.unit else "."
    answer = f"{expect_text(value)}, measured in this run." + (f" {' '.join(summary.split())}" if summary else "")
    return PredictCard(spec.id, question, answer, metric, default_tolerance(declared, value), dict(params), expect_text(value))


def default_tolerance(metric: Metric, value: float) -> str:
    """0.05 on a 0..1 scale, 0.5 for a 0-or-1 flag, else 10 % (0.05 around zero)."""
    if metric.unit == "0 or 1":
        return "0.5"
    if metric.unit == "0..1" or value == 0:
        return "0.05"
    return "10%"


def expect_text(value: float) -> str:
    """The measured value, short but exact enough to grade: six significant digits."""
    return f"{value:.6g}"


def _param_text(name: str, value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if any(ch in text for ch in ",=\n") or not text.strip():
        raise CaptureError(f"parameter {name}={text!r} cannot be written as `set:` (a comma, `=` or nothing)")
    return text


def _one_line(text: str, what: str) -> str:
    flat = " ".join(text.split())
    if not flat:
        raise CaptureError(f"the card needs a {what}")
    return flat


# ------------------------------------------------------------------ the learner's decks


def own_decks(decks_dir: Path) -> list[Path]:
    """The `.md` files under the home's `decks/` folder (hidden folders skipped), as relative paths."""
    if not decks_dir.is_dir():
        return []
    found = []
    for path in sorted(decks_dir.rglob("*.md")):
        rel = path.relative_to(decks_dir)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found.append(rel)
    return found


def deck_path(decks_dir: Path, name: str) -> Path:
    """The file `name` (relative, `.md` added when missing) inside `decks_dir`; CaptureError
    for a name that leaves it (an absolute path, `..`, a link elsewhere)."""
    name = name.strip()
    if not name:
        raise CaptureError("give the deck file a name, e.g. my-predictions.md")
    if not name.endswith(".md"):
        name += ".md"
    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts or any(part.startswith(".") for part in rel.parts):
        raise CaptureError(f"{name}: a deck file goes inside your decks folder ({decks_dir}), by a plain relative name")
    path = decks_dir / rel
    root = decks_dir.resolve()
    if not path.resolve().is_relative_to(root):
        raise CaptureError(f"{name} leads outside your decks folder ({decks_dir})")
    return path


def sections(data: bytes) -> list[Section]:
    """Every heading path of a deck, in order, after the end of the file."""
    text = data.decode("utf-8-sig", errors="replace")  # (the parser's own block reader: its headings)
    out = [Section("")]
    stack: list[tuple[int, str]] = []
    tokens = _markdown().parse(text)
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open" or tok.map is None:
            continue
        level = int(tok.tag[1:])
        title = tokens[i + 1].content.strip() if i + 1 < len(tokens) else ""
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        out.append(Section(" / ".join(t for _, t in stack), tok.map[0] + 1))
    return out


def section_for_demo(path: Path, demo_id: str, known_demos: Collection[str] | None = None) -> Section:
    """Where a card of `demo_id` belongs in a deck: the section of its last card of that demo,
    else the end of the file."""
    if not path.is_file():
        return Section("")
    data = path.read_bytes()
    deck = parse_bytes(path, data, known_demos)
    titles = [c.section for c in deck.cards if c.demo_id == demo_id]
    by_title = {s.title: s for s in sections(data)}
    return by_title.get(titles[-1], Section("")) if titles else Section("")


# ------------------------------------------------------------------ writing


def add_card(
    decks_dir: Path,
    name: str,
    card: PredictCard,
    section: Section | None = None,
    known_demos: Collection[str] | None = None,
) -> Added:
    """Write `card` at the end of `section` of the deck `name` (created when new); checked first."""
    path = deck_path(decks_dir, name)
    if path.exists() and not path.is_file():
        raise CaptureError(f"{path} is not a file")
    old = path.read_bytes() if path.exists() else None
    new, line = _inserted(old or b"", card.lines(), section or Section(""))
    deck = parse_bytes(path, new, known_demos)
    if deck.errors:
        before = parse_bytes(path, old, known_demos).errors if old is not None else []
        first = (before or deck.errors)[0]
        why = "the deck has a problem to fix first" if before else "the card would not be valid"
        raise CaptureError(f"{why}: {first}")
    placed = next((c for c in deck.cards if c.line == line), None)
    if placed is None or placed.kind is not CardKind.PREDICT:
        raise CaptureError(f"{path}:{line}: the card did not read back as a predict card")
    _replace(path, old, new)
    return Added(path, line)


def _inserted(data: bytes, card: list[str], section: Section) -> tuple[bytes, int]:
    """`data` with the card's lines after the last non-blank line of `section`; the 1-based line
    of its `Q:`. Every byte of `data` is kept, in order."""
    nl = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.splitlines(keepends=True)
    heads = [s.line for s in sections(data) if s.line]
    if section.title:
        found = [s for s in sections(data) if s.title == section.title and s.line == section.line]
        if not found:
            raise CaptureError(f"the deck has no section {section.title!r} at line {section.line} any more")
        end = next((h - 1 for h in heads if h > section.line), len(lines))
    else:
        end = len(lines)
    last = end
    while last > 0 and not lines[last - 1].strip():
        last -= 1
    head = b"".join(lines[:last])
    if head and not head.endswith((b"\n", b"\r")):
        head += nl
    block = nl.join(c.encode() for c in card) + nl
    gap = nl if head else b""
    tail = b"".join(lines[last:])
    after = nl if tail.strip() and last == end else b""  # a heading right after the card: a blank line first
    return head + gap + block + after + tail, len(head.splitlines()) + len(gap.splitlines()) + 1


def _replace(path: Path, old: bytes | None, new: bytes) -> None:
    """Write `new` to a temporary file beside `path`, then rename it over `path`; refuse when
    the file changed since it was read (an editor saved it meanwhile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
        if old is not None:
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        now = path.read_bytes() if path.exists() else None
        if now != old:
            raise CaptureError(f"{path} changed while the card was being written; nothing was written, try again")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
