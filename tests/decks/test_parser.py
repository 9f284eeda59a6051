"""The deck format, card by card, and its errors with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from studydl.decks.parser import parse_bytes, parse_text
from studydl.domain.cards import CardKind

P = Path("deck.md")


def parse(text: str, demos: set[str] | None = None):
    return parse_text(P, text.lstrip("\n"), demos)


def errors(text: str, demos: set[str] | None = None) -> list[str]:
    return [str(e) for e in parse(text, demos).errors]


def test_deck_name_from_file_name_or_front_matter() -> None:
    assert parse_text(Path("rnn-and_lstm.md"), "a :: b\n").name == "rnn and lstm"
    deck = parse("---\ndeck: Recurrent nets\ntags: [rnn, seq]\n---\na :: b\n")
    assert deck.name == "Recurrent nets"
    assert deck.cards[0].tags == ("rnn", "seq")


def test_basic_card_over_several_lines_with_code_kept_verbatim() -> None:
    deck = parse(
        """
Q: What does this compute?
(two lines of question, `{{not a cloze}}`)
```python
c = f * c + i * g  # {{x}} :: y
```
A: The new cell state
of an LSTM.
"""
    )
    assert not deck.errors
    (card,) = deck.cards
    assert card.kind is CardKind.BASIC
    assert card.question.startswith("What does this compute?\n(two lines of question, `{{not a cloze}}`)")
    assert "```python\nc = f * c + i * g  # {{x}} :: y\n```" in card.question
    assert card.answer == "The new cell state\nof an LSTM."
    assert card.line == 1


def test_answer_in_its_own_paragraph_and_code_after_answer() -> None:
    deck = parse("Q: q?\n\nA: a\n\n```\nx = 1\n```\n")
    (card,) = deck.cards
    assert card.answer == "a\n\n```\nx = 1\n```"


def test_term_and_reverse_cards_are_siblings() -> None:
    deck = parse("ReLU :: max(0, x)\n\nMSE ::: mean squared error\n")
    kinds = [(c.kind, c.question, c.answer) for c in deck.cards]
    assert kinds == [
        (CardKind.TERM, "ReLU", "max(0, x)"),
        (CardKind.TERM, "MSE", "mean squared error"),
        (CardKind.REVERSE, "mean squared error", "MSE"),
    ]
    assert deck.cards[1].note_key == deck.cards[2].note_key != deck.cards[0].note_key


def test_double_colon_inside_inline_code_is_not_a_card() -> None:
    assert parse("Call `nn::Module` here.\n").cards == []


def test_cloze_paragraph_makes_one_card_per_gap() -> None:
    deck = parse("An LSTM has a {{forget}} gate and an {{input::which?}} gate; `{{code}}` stays.\n")
    assert [c.question for c in deck.cards] == [
        "An LSTM has a [...] gate and an input gate; `{{code}}` stays.",
        "An LSTM has a forget gate and an [which?] gate; `{{code}}` stays.",
    ]
    assert deck.cards[0].answer == "An LSTM has a **forget** gate and an input gate; `{{code}}` stays."
    assert {c.note_key for c in deck.cards} == {1}


def test_sections_from_headings() -> None:
    deck = parse("a :: b\n# Top\nc :: d\n## Sub\ne :: f\n# Other\ng :: h\n")
    assert [c.section for c in deck.cards] == ["", "Top", "Top / Sub", "Other"]


def test_demo_under_card_and_under_heading() -> None:
    deck = parse(
        """
# LSTM
demo: lstm-gates

forget gate :: drops from the cell state

## Training
bptt :: backprop through time
demo: rnn-vs-lstm

other :: card

# Plain
x :: y
""",
        {"lstm-gates", "rnn-vs-lstm"},
    )
    assert not deck.errors
    assert [c.demo_id for c in deck.cards] == ["lstm-gates", "rnn-vs-lstm", "lstm-gates", None]


def test_details_block_after_card_as_its_own_paragraph() -> None:
    deck = parse("Q: q\nA: a\n\ndemo: cnn\nid: conv-1\ntags: cnn, basics\n", {"cnn"})
    (card,) = deck.cards
    assert (card.demo_id, card.explicit_id, card.tags) == ("cnn", "conv-1", ("cnn", "basics"))


def test_tags_from_front_matter_and_hash_words() -> None:
    deck = parse("---\ntags: dl\n---\nBPTT :: backprop through time #training #rnn\n")
    (card,) = deck.cards
    assert card.answer == "backprop through time"
    assert card.tags == ("dl", "training", "rnn")


def test_explicit_ids_for_siblings() -> None:
    deck = parse("MSE ::: mean squared error\nid: mse\n\nA {{b}} and {{c}}.\nid: para\n")
    assert [c.explicit_id for c in deck.cards] == ["mse", "mse/reverse", "para/1", "para/2"]


def test_comments_and_prose_are_not_cards() -> None:
    deck = parse("<!-- a :: b -->\n\nJust prose here.\n\n- list :: item\n\n> quote :: x\n")
    assert deck.cards == [] and deck.errors == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a :: b\n\nQ: orphan\n\nx :: y\n", "deck.md:3: `Q:` without an `A:`"),
        ("a :: b\n\nA: lonely\n", "deck.md:3: `A:` without a `Q:`"),
        ("a :: b\n\nx ::  \n", "deck.md:3: `::` card needs text on both sides: no definition after `::`"),
        ("a\nb {{open and never closed\n", "deck.md:2: cloze `{{` is not closed"),
        ("one {{}} gap\n", "deck.md:1: empty cloze"),
        ("text\n\n```python\nx = 1\n", "deck.md:3: code fence ``` is not closed"),
        ("---\ndeck: [unclosed\n---\na :: b\n", "deck.md:2: front matter"),
        ("a :: b\ndemo: nope\n", "deck.md:2: unknown demo 'nope' (known demos: cnn)"),
        ("a :: b\n\nc :: d\nid: bad id!\n", "deck.md:4: bad id 'bad id!'"),
        ("a :: b\n\nx :: y\n\na :: b\n", "deck.md:5: duplicate card: same as the card at line 1"),
        ("a :: b\nid: k\n\nc :: d\nid: k\n", "deck.md:4: id 'k' already used at line 1"),
        ("prose\n\ndemo: cnn\n", "deck.md:3: details block"),
        ("a :: b\n<!-- never closed\nc :: d\n", "deck.md:2: comment is not closed"),
    ],
)
def test_errors_name_the_line(text: str, expected: str) -> None:
    assert any(e.startswith(expected) for e in errors(text, {"cnn"})), errors(text, {"cnn"})


def test_bytes_that_are_not_a_text_deck() -> None:
    assert str(parse_bytes(P, b"a :: b\n\x00\x01").errors[0]) == "deck.md:2: binary file, not a Markdown deck"
    assert str(parse_bytes(P, b"a :: b\n" + b"caf\xe9 :: x\n").errors[0]).startswith("deck.md:2: not UTF-8 text")
    big = parse_bytes(P, b"a :: b\n" * 800_000)
    assert "a deck may be at most 5 MB" in str(big.errors[0])


def test_errors_are_sorted_and_all_reported() -> None:
    found = errors("Q: one\n\nx :: \n\nA: two\n")
    assert [e.split(":")[1] for e in found] == ["1", "3", "5"]


def test_consecutive_term_lines_are_one_card_each() -> None:
    deck = parse("ReLU :: max(0, x)\nMSE ::: mean squared error\nTanh :: (e^x - e^-x) / (e^x + e^-x) #act\n")
    assert [(c.question, c.line) for c in deck.cards] == [
        ("ReLU", 1),
        ("MSE", 2),
        ("mean squared error", 2),
        ("Tanh", 3),
    ]
    assert deck.cards[3].tags == ("act",)


def test_prose_glued_to_term_lines_is_an_error() -> None:
    assert errors("ReLU :: max(0, x)\nthis line is prose\n")[0].startswith("deck.md:2: not a `::` card")


def test_deep_indentation_is_refused_before_parsing() -> None:
    text = "".join("  " * i + "- item\n" for i in range(250))
    assert errors(text)[0].startswith("deck.md:202: line indented 402 columns")


@pytest.mark.parametrize("odd_break", ["\u2028", "\x0c", "\x85", "\x1e"])
def test_characters_python_splits_lines_at_do_not_shift_cards(odd_break: str) -> None:
    deck = parse(f"prose with{odd_break}an odd break\n\nQ: q?\nA: a\n\nx :: y\n")
    assert [(c.question, c.answer, c.line) for c in deck.cards] == [("q?", "a", 3), ("x", "y", 6)]


def test_crlf_and_cr_line_endings() -> None:
    deck = parse("Q: q?\r\nA: a\r\n\r\nx :: y\r")
    assert [(c.question, c.answer, c.line) for c in deck.cards] == [("q?", "a", 1), ("x", "y", 4)]
