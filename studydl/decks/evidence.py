"""When is new card text an edit of an old card? The question decides (docs/deck-format.md).

Pure functions over two cards' text. An answer alone never says two cards are the
same card: short answers ("No.", "ReLU") repeat across unrelated cards. The
question has to match (equal, or a typo away), or be recognisably the same
question with its answer kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from studydl.domain.cards import normalize

QUESTION_SIMILARITY = 0.6
"""Below this (character similarity of the questions) two cards are never the same card."""
TYPO_QUESTION = 0.9
"""At or above this, with no word swapped for another, the question is the same one retyped."""
WORD_TYPO = 0.75
"""Two words this similar are one word mistyped (`centred`/`centered`), not two words."""
KEPT_WORDS_FOR_ONE_SWAP = 5
"""A question keeping at least this many content words may swap one word and stay the same question."""
ANSWER_SIMILARITY = 0.5
"""An answer kept (only words added, removed or retyped) is at least this similar."""
LONG_ANSWER = 30
"""An answer this long (characters) kept nearly word for word is evidence with a similar question."""
LONG_ANSWER_SIMILARITY = 0.9

STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or",
    "not", "no", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "what",
    "which", "who", "whom", "whose", "why", "how", "when", "where", "this", "that", "these",
    "those", "it", "its", "as", "into", "than", "then", "there", "can", "could", "should", "would",
    "will", "may", "might", "must", "has", "have", "had", "your", "you", "we", "our", "i",
})
"""Words whose swap changes no meaning a card is about (`a`/`the`, `what`/`which`)."""

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Text compared for equality: whitespace collapsed, case folded."""
    return normalize(text).casefold()


def ratio(a: str, b: str, floor: float = 0.0) -> float:
    """difflib's ratio, skipping the full computation when its cheap upper bounds are below `floor`."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < floor or m.quick_ratio() < floor:
        return 0.0
    return m.ratio()


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text))


@dataclass(frozen=True)
class WordChanges:
    swapped: int
    """Content words replaced by a different word (not a typo of it)."""
    kept: int
    """Content words left as they were."""


def word_changes(old: str, new: str) -> WordChanges:
    """How the words of `old` (folded) became those of `new`: added and removed words are free."""
    a, b = _words(old), _words(new)
    swapped = kept = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            kept += sum(1 for w in a[i1:i2] if w not in STOPWORDS)
        elif tag == "replace":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=False):
                if not (x in STOPWORDS and y in STOPWORDS) and ratio(x, y) < WORD_TYPO:
                    swapped += 1
    return WordChanges(swapped, kept)


@dataclass(frozen=True)
class Evidence:
    """Why an old card and a new one are the same card, and how strongly."""

    score: float
    question_matches: bool
    """The question is the same (equal, or retyped): enough to restore a retired card."""


def same_card(kind: str, old_q: str, old_a: str, new_q: str, new_a: str) -> Evidence | None:
    """Evidence that (new_q, new_a) is an edit of (old_q, old_a), or None when it is another card.

    - the same question (whitespace and case aside): the same card, whatever its answer;
    - otherwise the questions must be similar (>= 0.6) and the answer kept (only words added,
      removed or retyped), and the question either kept its words (retyped, words added or
      removed; one word swapped in a question of five or more) or the answer is long and
      kept nearly word for word. Cloze cards carry the whole paragraph in the question.
    """
    q_old, q_new = fold(old_q), fold(new_q)
    a_old, a_new = fold(old_a), fold(new_a)
    answer_equal = a_old == a_new
    a_ratio = 1.0 if answer_equal else ratio(a_old, a_new)
    if q_old == q_new:
        return Evidence(2.0 + 0.3 * a_ratio + 0.1 * answer_equal, True)
    q_ratio = ratio(q_old, q_new, QUESTION_SIMILARITY)
    if q_ratio < QUESTION_SIMILARITY:
        return None
    question = word_changes(q_old, q_new)
    if kind == "cloze":
        answer_kept, long_answer = True, False
    else:
        answer_swaps = 0 if answer_equal else word_changes(a_old, a_new).swapped
        answer_kept = answer_equal or (answer_swaps == 0 and a_ratio >= ANSWER_SIMILARITY)
        long_answer = answer_kept and len(a_new) >= LONG_ANSWER and a_ratio >= LONG_ANSWER_SIMILARITY
    question_kept = question.swapped == 0 or (question.swapped == 1 and question.kept >= KEPT_WORDS_FOR_ONE_SWAP)
    if not answer_kept or not (question_kept or long_answer):
        return None
    retyped = question.swapped == 0 and q_ratio >= TYPO_QUESTION
    return Evidence(q_ratio + 0.3 * a_ratio + 0.1 * answer_equal, retyped)
