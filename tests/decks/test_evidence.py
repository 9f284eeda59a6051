"""The pairing rules of docs/deck-format.md, one by one, on the text alone."""

from __future__ import annotations

import pytest

from studydl.decks.evidence import same_card, word_changes

PAIRS = [
    # (old question, old answer, new question, new answer, same card?, why)
    ("Is the sigmoid zero-centred?", "No.", "Does max pooling have learnable weights?", "No.", False, "answer alone"),
    ("Is the sigmoid zero-centred?", "No.", "Is the tanh zero-centred?", "No.", False, "subject swapped, short question"),
    ("What is the derivative of sigmoid?", "s(1 - s)", "What is the derivative of tanh?", "1 - t^2", False, "subject and answer"),
    ("Is ReLU smooth?", "No.", "Is GELU smooth?", "Yes.", False, "answer contradicts"),
    ("Which LSTM gate drops from the cell state?", "The forget gate.", "Which LSTM gate adds to the cell state?", "The input gate.", False, "a word swapped in the answer"),
    ("Is the sigmoid zero-centred?", "No.", "Is the sigmoid zero-centered?", "No.", True, "typo in the question"),
    ("Is the sigmoid zero-centred?", "No.", "is the  sigmoid zero-centred?", "No, it is positive.", True, "same question: any answer"),
    ("What is a tensor?", "An n-dimensional array.", "What is a tensor, in PyTorch?", "An n-dimensional array.", True, "words added"),
    ("Which LSTM gate decides what to drop from the cell state?", "The forget gate.",
     "Which LSTM gate decides what to forget from the cell state?", "The forget gate.", True, "one word swapped in a long question"),
    ("What does a pooling layer do?", "It downsamples each feature map, keeping the strongest responses.",
     "What does a subsampling layer do?", "It downsamples each feature map, keeping the strongest responses.", True, "long answer kept"),
    ("Which LSTM gate decides what to drop from the cell state?", "The forget gate.",
     "In an LSTM, what removes information from the cell?", "The forget gate.", False, "question rewritten"),
]


@pytest.mark.parametrize(("old_q", "old_a", "new_q", "new_a", "same", "why"), PAIRS, ids=[p[-1] for p in PAIRS])
def test_pairing_needs_evidence_on_the_question_side(old_q: str, old_a: str, new_q: str, new_a: str, same: bool, why: str) -> None:
    assert (same_card("basic", old_q, old_a, new_q, new_a) is not None) is same


def test_a_retired_card_comes_back_only_onto_its_own_question() -> None:
    retyped = same_card("basic", "Is the sigmoid zero-centred?", "No.", "Is the sigmoid zero-centered?", "No.")
    reworded = same_card("basic", "What is a tensor?", "An n-dimensional array.", "What is a tensor, in PyTorch?", "An n-dimensional array.")
    assert retyped is not None and retyped.question_matches
    assert reworded is not None and not reworded.question_matches


def test_an_unchanged_question_outranks_any_edit() -> None:
    exact = same_card("basic", "What is 3 + 4?", "7", "What is 3 + 4?", "seven (7)")
    near = same_card("basic", "What is 3 + 4?", "7", "What is 3 + 5?", "7")
    assert exact is not None and (near is None or exact.score > near.score)


def test_cloze_cards_carry_their_paragraph_in_the_question() -> None:
    old = ("The LSTM has a [...] gate, an input gate and an output gate.", "The LSTM has a **forget** gate, an input gate and an output gate.")
    new = ("An LSTM cell has a [...] gate, an input gate and an output gate.", "An LSTM cell has a **forget** gate, an input gate and an output gate.")
    assert same_card("cloze", *old, *new) is not None


def test_word_changes_tell_typos_from_swapped_words() -> None:
    assert word_changes("is the sigmoid zero-centred?", "is the sigmoid zero-centered?").swapped == 0
    assert word_changes("what does a pooling layer do?", "what does the pooling layer do?").swapped == 0  # `a`/`the`
    changes = word_changes("what does a pooling layer do?", "what does a dropout layer do?")
    assert (changes.swapped, changes.kept) == (1, 1)  # `layer` kept; `what`, `does`, `a`, `do` do not count
