"""Typed answers: the answer a card expects, the comparison that forgives case, spacing,
punctuation and a leading article, and a character diff of what was typed against what was expected.

As Anki's type-in-the-answer: the learner's text and the expected text are compared, the
differences shown character by character, and right proposes Good, wrong Again. Unlike
Anki, case, runs of spaces, punctuation and a leading `the`, `a` or `an` do not make an
answer wrong.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from studydl.domain.cards import CardView
from studydl.domain.review import Rating

_SPACES = re.compile(r"\s+")
_MARKUP = re.compile(r"\*\*|__|`")
"""Markdown emphasis and code marks around the expected answer's words."""
_ARTICLE = re.compile(r"(?:the|an|a)\s+(?=\w\w)", re.IGNORECASE)
"""A leading article before a word of two letters or more (`a b` names two things: kept)."""


def expected_answer(card: CardView) -> str:
    """What the learner should type: the answer, or for a cloze the hidden part (as displayed)."""
    if card.kind == "cloze":
        hidden = _cloze_gap(card.question, card.answer)
        if hidden is not None:
            return hidden
    return _MARKUP.sub("", card.answer).strip()


def _cloze_gap(question: str, answer: str) -> str | None:
    """The `**text**` the answer shows where the question shows `[...]`."""
    start = 0
    while start < min(len(question), len(answer)) and question[start] == answer[start]:
        start += 1
    end = 0
    while end < min(len(question), len(answer)) - start and question[-1 - end] == answer[-1 - end]:
        end += 1
    shown = answer[start : len(answer) - end]
    return shown[2:-2].strip() if shown.startswith("**") and shown.endswith("**") and len(shown) > 4 else None


def normalize(text: str) -> str:
    """Case folded, punctuation and spaces dropped: what two answers are compared as.

    So `forget-gate`, `forget  gate` and `Forget gate.` are the same answer, and so are
    `don't` and `dont`; letters, digits and symbols (`+`, `=`, `<`) still count.
    """
    kept = "".join(ch for ch in unicodedata.normalize("NFKC", text) if not unicodedata.category(ch).startswith("P") and ch != "`")
    return _SPACES.sub("", kept.casefold())


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str
    """`same`; on the typed line `wrong` (typed, not expected); on the expected line `missed`."""


@dataclass(frozen=True)
class TypedResult:
    typed: str
    expected: str
    correct: bool
    typed_line: tuple[Segment, ...]
    expected_line: tuple[Segment, ...]

    @property
    def proposed(self) -> Rating:
        """Right: Good; wrong: Again (Enter accepts, 1-4 override)."""
        return Rating.GOOD if self.correct else Rating.AGAIN

    def detail(self) -> dict[str, object]:
        """What the review log keeps of it."""
        return {"typed": self.typed, "expected": self.expected, "correct": self.correct}


def split_article(text: str) -> tuple[str, str]:
    """`the ReLU` -> (`the `, `ReLU`): a leading article apart from the words after it."""
    found = _ARTICLE.match(text)
    return (found.group(), text[found.end() :]) if found else ("", text)


def compare(typed: str, expected: str) -> TypedResult:
    """Compare a typed answer with the expected one; the diff ignores case and a leading article, as the verdict does."""
    typed, expected = typed.strip(), expected.strip()
    typed_article, words = split_article(typed)
    expected_article, want = split_article(expected)
    correct = normalize(words) == normalize(want) and bool(normalize(want))
    typed_line = [Segment(typed_article, "same")]
    expected_line = [Segment(expected_article, "same")]
    matcher = difflib.SequenceMatcher(None, words.casefold(), want.casefold(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            typed_line.append(Segment(words[i1:i2], "same"))
            expected_line.append(Segment(want[j1:j2], "same"))
            continue
        if i2 > i1:
            typed_line.append(Segment(words[i1:i2], "same" if _forgiven(words[i1:i2]) else "wrong"))
        if j2 > j1:
            expected_line.append(Segment(want[j1:j2], "same" if _forgiven(want[j1:j2]) else "missed"))
    return TypedResult(typed, expected, correct, _merge(typed_line), _merge(expected_line))


def _forgiven(text: str) -> bool:
    """A difference made only of spaces and punctuation is not marked."""
    return not normalize(text)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].kind == seg.kind:
            out[-1] = Segment(out[-1].text + seg.text, seg.kind)
        elif seg.text:
            out.append(seg)
    return tuple(out)
