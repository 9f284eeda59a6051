"""The pairing rules of docs/deck-format.md, one by one, on the text alone: the question decides."""

from __future__ import annotations

import pytest

from studydl.decks.evidence import cloze_gap, is_typo, same_card, same_question

PAIRS = [
    # (old question, old answer, new question, new answer, same card?, why)
    ("Is the sigmoid zero-centred?", "No.", "Does max pooling have learnable weights?", "No.", False, "answer alone"),
    ("Is the sigmoid zero-centred?", "No.", "Is the tanh zero-centred?", "No.", False, "subject swapped, short question"),
    ("What is the derivative of sigmoid?", "s(1 - s)", "What is the derivative of tanh?", "1 - t^2", False, "subject and answer"),
    ("Is ReLU smooth?", "No.", "Is GELU smooth?", "Yes.", False, "one letter, but another word"),
    ("Which LSTM gate drops from the cell state?", "The forget gate.", "Which LSTM gate adds to the cell state?", "The input gate.", False, "a word swapped"),
    ("Is the sigmoid zero-centred?", "No.", "Is the derivative of the sigmoid zero-centred?", "No.", False, "words added"),
    ("Is the derivative of the sigmoid zero-centred?", "No.", "Is the sigmoid zero-centred?", "No.", False, "words removed"),
    ("What is a tensor?", "An n-dimensional array.", "What is a tensor, in PyTorch?", "An n-dimensional array.", False, "a qualifier added"),
    ("Which LSTM gate decides what to drop from the cell state?", "The forget gate.",
     "Which LSTM gate decides what to add to the cell state?", "The forget gate.", False, "one word swapped in a long question"),
    ("What does a pooling layer do?", "It downsamples each feature map, keeping the strongest responses.",
     "What does a subsampling layer do?", "It downsamples each feature map, keeping the strongest responses.", False, "long answer kept"),
    ("Which LSTM gate decides what to drop from the cell state?", "The forget gate.",
     "In an LSTM, what removes information from the cell?", "The forget gate.", False, "question rewritten"),
    ("Does ReLU saturate for positive inputs?", "No.", "Does ReLU not saturate for positive inputs?", "No.", False, "negated"),
    ("What does a Conv1d layer slide over?", "One axis.", "What does a Conv2d layer slide over?", "One axis.", False, "a digit"),
    ("How many weights has a 3x3 kernel?", "9", "How many weights has a 5x5 kernel?", "9", False, "numbers"),
    ("What is 3 + 4?", "7", "What is 3 * 4?", "7", False, "an operator"),
    ("What is the derivative of e^{-x}?", "-e^{-x}", "What is the derivative of e^{x}?", "-e^{-x}", False, "a minus sign"),
    ("Why is the batch size a power of two?", "Memory.", "Why is the patch size a power of two?", "Memory.", False, "first letter"),
    ("Is the encoder autoregressive?", "No.", "Is the decoder autoregressive?", "No.", False, "two letters"),
    ("Is the sigmoid zero-centred?", "No.", "Is the sigmoid zero-centered?", "No.", True, "typo: a letter added"),
    ("What flows back throught time in BPTT?", "The gradient.", "What flows back through time in BPTT?", "The gradient.", True, "typo: a letter left out"),
    ("Is the sigmiod zero-centred?", "No.", "Is the sigmoid zero-centred?", "No.", True, "typo: two letters swapped"),
    ("Why do deep sigmoid networks train slowlu?", "No.", "Why do deep sigmoid networks train slowly?", "No.", True, "typo: a letter replaced"),
    ("Is the sigmoid zero-centred?", "No.", "is the  sigmoid zero-centred?", "No, it is positive.", True, "same question: any answer"),
    ("Is the sigmoid zero-centred?", "No.", "Is sigmoid zero centred", "No.", True, "article, hyphen, punctuation"),
    ("What does the pooling layer do?", "Downsample.", "Which pooling layers does a CNN do?", "Downsample.", False, "a word added"),
    ("Which gate does a LSTM have?", "Three.", "What gates do an LSTM have?", "Three.", True, "words standing in for one another"),
    ("What is a learning rate warmup?", "A ramp.", "What is a learning rate warmup for?", "A ramp.", False, "a small word added"),
    ("Where does attention take its keys from?", "The encoder.", "Where does attention take its keys to?", "The encoder.", False, "a preposition"),
    ("What does a mini-batch average?", "The gradient.", "What does a minibatch average?", "The gradient.", True, "words joined"),
    ("Is ReLU smooth?", "No.", "Is *ReLU* smooth?", "No.", True, "emphasis"),
]


@pytest.mark.parametrize(("old_q", "old_a", "new_q", "new_a", "same", "why"), PAIRS, ids=[p[-1] for p in PAIRS])
def test_the_question_decides(old_q: str, old_a: str, new_q: str, new_a: str, same: bool, why: str) -> None:
    assert (same_card(old_q, old_a, new_q, new_a) is not None) is same
    assert same_question(new_q, old_q) is same  # the rule has no direction


def test_an_unchanged_question_outranks_a_retyped_one() -> None:
    exact = same_card("Is the sigmoid zero-centred?", "No.", "Is the sigmoid zero-centred?", "No, it is positive.")
    retyped = same_card("Is the sigmoid zero-centred?", "No.", "Is the sigmoid zero-centered?", "No.")
    assert exact is not None and exact.question_equal and not exact.answer_equal
    assert retyped is not None and not retyped.question_equal and retyped.answer_equal


@pytest.mark.parametrize(
    ("a", "b", "typo"),
    [
        ("centred", "centered", True), ("throught", "through", True), ("sigmiod", "sigmoid", True),
        ("slowlu", "slowly", True), ("layer", "layers", True), ("relu", "gelu", False), ("sine", "sinh", False),
        ("batch", "patch", False), ("conv1d", "conv2d", False), ("encoder", "decoder", False), ("12345", "12354", False),
        ("tanh", "than", False), ("lstm", "lstm", True), ("max", "min", False), ("teh", "the", True), ("with", "wit", False),
    ],
)  # fmt: skip
def test_a_typo_is_one_letter_never_the_first_nor_a_digit(a: str, b: str, typo: bool) -> None:
    assert is_typo(a, b) is typo and is_typo(b, a) is typo


def test_a_cloze_cards_gap_is_where_its_answer_differs_from_its_question() -> None:
    question = "The LSTM has a [...] gate, an input gate and an output gate."
    answer = "The LSTM has a **forget** gate, an input gate and an output gate."
    assert cloze_gap(question, answer) == "forget"
    assert cloze_gap("[first letter] closes it.", "**fence** closes it.") == "fence"
