"""When is new card text an edit of an old card? The question decides (docs/deck-format.md).

Pure functions over two cards' text. A card is what its question asks: two cards
are the same card when their questions are the same question, equal or retyped
(typos fixed; case, spacing, punctuation and articles aside). A word added,
removed or replaced makes another question, however similar the rest: `Is the derivative of the sigmoid zero-centred?` is not
`Is the sigmoid zero-centred?`. An answer alone never says two cards are the
same card: short answers ("No.", "ReLU") repeat across unrelated cards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from studydl.domain.cards import normalize

TYPO_SWAP_MIN_LENGTH = 3
"""A word this long (or longer) may carry two neighbouring letters swapped (`teh`)."""
TYPO_MIN_LENGTH = 4
"""A word this long may carry a letter left out or added (`throught`)."""
TYPO_REPLACED_MIN_LENGTH = 5
"""A word this long may carry a replaced letter (`ReLU`/`GELU`, `sine`/`sinh` are other words)."""

ARTICLES = frozenset({"a", "an", "the"})
"""Words a question may gain or lose and stay the same question. Any other word counts,
however small: `What is a warmup for?` is not `What is a warmup?`, nor `keys from` `keys to`."""
SAME_WORDS = (
    ARTICLES, frozenset({"what", "which"}), frozenset({"is", "are"}), frozenset({"was", "were"}),
    frozenset({"do", "does", "did"}), frozenset({"has", "have", "had"}), frozenset({"this", "that", "these", "those"}),
)  # fmt: skip
"""Words that may stand in for one another (`a`/`the`, `what`/`which`, `does`/`do`)."""
_SAME_WORD = {word: group for group in SAME_WORDS for word in group}
PROSE_MARKS = frozenset(".,;:!?'\"`*()\u2013\u2014\u2018\u2019\u201c\u201d\u2026")
"""Punctuation and emphasis a question may gain or lose and stay the same question. Any
other sign counts like a word: `+`, `^`, `[`, `=`, and `-` as a minus (`e^{-x}`); a
hyphen between letters (`zero-centred`) is a space."""

MAX_SHIFT = 8
"""At most this many more articles on one side than the other, at any point of two questions."""

_TOKEN = re.compile(r"\w+|[^\w\s]")
_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011](?=[^\W\d_])")
_POSSESSIVE = re.compile(r"['\u2019]s\b")


def fold(text: str) -> str:
    """Text compared for equality: whitespace collapsed, case folded."""
    return normalize(text).casefold()


def ratio(a: str, b: str, floor: float = 0.0) -> float:
    """difflib's ratio, skipping the full computation when its cheap upper bounds are below `floor`."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < floor or m.quick_ratio() < floor:
        return 0.0
    return m.ratio()


@lru_cache(maxsize=8192)
def tokens(folded: str) -> tuple[str, ...]:
    """Words and signs of folded text, in order (hyphens between letters and possessive `'s` left out)."""
    return tuple(_TOKEN.findall(_POSSESSIVE.sub("", _HYPHEN.sub(" ", folded))))


def _free(token: str) -> bool:
    return token in ARTICLES or token in PROSE_MARKS


def _same_word(a: str, b: str) -> bool:
    """One word, retyped or standing in for the other (`SAME_WORDS`)."""
    return is_typo(a, b) or b in _SAME_WORD.get(a, ())


def is_typo(a: str, b: str) -> bool:
    """`b` is `a` with one typo: two neighbouring letters swapped (3+ letters: `teh`), a letter
    left out or added (4+) or replaced (5+); never in the first letter, never a digit
    (`conv1d`/`conv2d` are two layers, `ReLU`/`GELU` two functions)."""
    if a == b:
        return True
    if a[:1] != b[:1] or min(len(a), len(b)) < TYPO_SWAP_MIN_LENGTH:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            i = diffs[0]
            return len(a) >= TYPO_REPLACED_MIN_LENGTH and a[i].isalpha() and b[i].isalpha()
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i, j = diffs
            return a[i] == b[j] and a[j] == b[i] and a[i].isalpha() and a[j].isalpha()
        return False
    if abs(len(a) - len(b)) != 1 or min(len(a), len(b)) < TYPO_MIN_LENGTH:
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(longer, shorter, strict=False)) if x != y), len(shorter))
    return longer[:i] + longer[i + 1 :] == shorter and longer[i].isalpha()


def _same_words(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """`new` is `old` with only articles and marks added or removed, words retyped (`is_typo`)
    or standing in for one another (`SAME_WORDS`), joined or split (`mini-batch` / `minibatch`).

    An alignment found row by row: `reach[i]` holds each j such that old[:i] can become new[:j],
    within MAX_SHIFT of i (so the work grows with the length, not its square); it stops at the
    first row nothing reaches (unrelated questions stop within a word or two)."""
    old = tuple(t for t in old if t not in PROSE_MARKS)
    new = tuple(t for t in new if t not in PROSE_MARKS)
    n, m = len(old), len(new)
    if abs(n - m) > MAX_SHIFT:
        return False
    reach: list[set[int]] = [set() for _ in range(n + 2)]
    reach[0].add(0)
    for i in range(n + 1):
        row = reach[i]
        if not row:
            if i and not reach[i + 1]:
                return False
            continue
        for j in range(max(min(row), i - MAX_SHIFT), min(m, i + MAX_SHIFT) + 1):
            if j not in row:
                continue
            if j < m and _free(new[j]):
                row.add(j + 1)
            if i < n and _free(old[i]):
                reach[i + 1].add(j)
            if i < n and j < m and _same_word(old[i], new[j]):
                reach[i + 1].add(j + 1)
            if i + 1 < n and j < m and old[i] + old[i + 1] == new[j]:
                reach[i + 2].add(j + 1)
            if i < n and j + 1 < m and old[i] == new[j] + new[j + 1]:
                reach[i + 1].add(j + 2)
    return m in reach[n]


@lru_cache(maxsize=8192)
def _fixed(folded: str) -> tuple[str, tuple[str, ...]]:
    """What no retyping changes: the digits, and the signs that count (`+`, `^`, `[`, ...), in order."""
    return "".join(ch for ch in folded if ch.isdigit()), tuple(t for t in tokens(folded) if not t[0].isalnum() and t[0] != "_" and not _free(t))


def same_question(old_q: str, new_q: str) -> bool:
    """The same question: equal (case and spacing aside) or retyped (see `_same_words`)."""
    q_old, q_new = fold(old_q), fold(new_q)
    if q_old == q_new:
        return True
    if _fixed(q_old) != _fixed(q_new):
        return False
    return _same_words(tokens(q_old), tokens(q_new))


@dataclass(frozen=True)
class Evidence:
    """Why an old card and a new one are the same card, and how strongly (higher sorts first)."""

    question_equal: bool
    """The question is unchanged (case and spacing aside), not merely retyped."""
    answer_equal: bool
    answer_ratio: float


def same_card(old_q: str, old_a: str, new_q: str, new_a: str) -> Evidence | None:
    """Evidence that (new_q, new_a) is an edit of (old_q, old_a): the same question, whatever the answer; else None."""
    if not same_question(old_q, new_q):
        return None
    a_old, a_new = fold(old_a), fold(new_a)
    equal = a_old == a_new
    return Evidence(fold(old_q) == fold(new_q), equal, 1.0 if equal else ratio(a_old, a_new))


def cloze_gap(question: str, answer: str) -> str:
    """The hidden text of a cloze card: where its answer (`...**gap**...`) differs from its question (`...[...]...`)."""
    start = 0
    limit = min(len(question), len(answer))
    while start < limit and question[start] == answer[start]:
        start += 1
    end = 0
    while end < limit - start and question[-1 - end] == answer[-1 - end]:
        end += 1
    return answer[start : len(answer) - end].strip("*").strip()
