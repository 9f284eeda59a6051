"""Typed answers and predictions: the comparison, the diff, the draw and the proposed rating."""

from __future__ import annotations

import json
import math

import pytest

from studydl.domain.cards import CardView
from studydl.domain.checks import Choice, ParamRange, Prediction, Tolerance
from studydl.domain.review import Rating
from studydl.engine.predict import draw, judge, read_guess
from studydl.engine.typed_answer import compare, expected_answer


@pytest.mark.parametrize(
    ("typed", "expected", "correct"),
    [
        ("the forget gate", "The forget gate.", True),
        ("  THE   Forget-gate ", "The forget gate.", True),
        ("dont", "Don't.", True),
        ("x+1", "x - 1", False),
        ("the forget  gate!", "The forget gate.", True),
        ("the forgt gate", "The forget gate.", False),
        ("", "The forget gate.", False),
        ("max(0, x)", "max(0,x)", True),
    ],
)
def test_typed_comparison_forgives_case_spacing_and_punctuation(typed: str, expected: str, correct: bool) -> None:
    result = compare(typed, expected)
    assert result.correct is correct
    assert result.proposed is (Rating.GOOD if correct else Rating.AGAIN)


def test_character_diff_marks_what_was_wrong_and_what_was_missed() -> None:
    result = compare("the forgt gaet", "The forget gate")
    assert "".join(s.text for s in result.typed_line) == "the forgt gaet"
    assert "".join(s.text for s in result.expected_line) == "The forget gate"
    assert [s.text for s in result.expected_line if s.kind == "missed"] == ["e", "t"]
    assert [s.text for s in result.typed_line if s.kind == "wrong"] == ["t"]
    assert compare("The forget gate", "the forget gate!").expected_line[-1].kind == "same"


@pytest.mark.parametrize(
    ("typed", "expected", "correct"),
    [
        ("the ReLU", "ReLU", True),
        ("ReLU", "The ReLU.", True),
        ("a GRU", "GRU", True),
        ("An LSTM", "LSTM", True),
        ("a forget gate", "The forget gate.", True),
        ("the", "ReLU", False),
        ("the GELU", "ReLU", False),
        ("ReLU the", "ReLU", False),  # only a leading article
        ("theReLU", "ReLU", False),  # a word of its own
        ("b", "a b", False),  # a one-letter word after `a` is a name, not a noun
        ("A", "A", True),
    ],
)
def test_a_leading_article_is_forgiven(typed: str, expected: str, correct: bool) -> None:
    result = compare(typed, expected)
    assert result.correct is correct
    if correct:  # nor is the article marked in the diff
        assert all(s.kind == "same" for s in result.typed_line + result.expected_line)


def _card(kind: str, question: str, answer: str) -> CardView:
    return CardView(1, "u", "d", "", kind, question, answer, None, (), False, False, "", 1, 0)


def test_expected_answer_of_a_cloze_is_its_gap() -> None:
    card = _card("cloze", "The LSTM has a [...] gate.", "The LSTM has a **forget** gate.")
    assert expected_answer(card) == "forget"
    assert expected_answer(_card("basic", "q", "The **forget** gate.")) == "The forget gate."


def test_tolerances_and_the_rating_they_propose() -> None:
    absolute = Prediction("m", Tolerance("abs", 0.05))
    assert judge(absolute, 0.72, 0.75).rating is Rating.GOOD
    assert judge(absolute, 0.67, 0.75).rating is Rating.HARD
    assert judge(absolute, 0.5, 0.75).rating is Rating.AGAIN
    factor = Prediction("m", Tolerance("factor", 10))
    assert judge(factor, 1e-8, 1e-9).rating is Rating.GOOD and judge(factor, 1e-6, 1e-9).rating is Rating.AGAIN
    relative = Prediction("m", Tolerance("rel", 0.1))
    assert judge(relative, 105, 100).right and not judge(relative, 120, 100).right
    with pytest.raises(ValueError):  # no verdict without a number: see settle
        judge(absolute, 0.5, math.nan)


def test_choices_right_is_the_one_nearest_the_measured_value() -> None:
    prediction = Prediction("m", choices=(Choice("quarter", 0.25), Choice("half", 0.5), Choice("all", 1.0)))
    assert read_guess(prediction, "b") == Choice("half", 0.5) == read_guess(prediction, "Half")
    verdict = judge(prediction, Choice("half", 0.5), 0.55)
    assert verdict.right and verdict.answer == "half" and verdict.rating is Rating.GOOD
    assert judge(prediction, Choice("all", 1.0), 0.55).rating is Rating.AGAIN
    with pytest.raises(ValueError, match="letters"):
        read_guess(prediction, "d")


def test_reading_numbers() -> None:
    prediction = Prediction("m", Tolerance("abs", 1))
    assert [read_guess(prediction, t) for t in ("0.7", "70%", "1e-3", " -2 ")] == [0.7, 0.7, 0.001, -2.0]
    with pytest.raises(ValueError, match="type a number"):
        read_guess(prediction, "lots")


def test_draw_is_seeded_by_card_and_answer_count_within_range_and_logged_as_json() -> None:
    prediction = Prediction(
        "m", Tolerance("abs", 1), fixed={"steps": 30},
        vary=(ParamRange("lr", 0.05, 0.3), ParamRange("hidden", 2, 8, integer=True), ParamRange("act", options=("relu", "tanh"))),
    )
    draws = [draw(prediction, 5, n) for n in range(40)]
    assert draw(prediction, 5, 3) == draws[3]
    assert len({d["lr"] for d in draws}) > 10  # not memorizable
    for d in draws:
        assert d["steps"] == 30 and 0.05 <= d["lr"] <= 0.3 and d["hidden"] in range(2, 9) and d["act"] in ("relu", "tanh")
        assert d["lr"] == float(f"{d['lr']:.2g}")
        json.dumps(d)
