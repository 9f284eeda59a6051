"""A predict card's `expect:` line: the answer the card teaches, checkable by `check --evidence`."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from studydl.decks.expect import ExpectError, evaluate, parse_expect
from studydl.decks.parser import parse_text
from studydl.demos.spec_index import SpecIndex
from studydl.domain.checks import AnswerCheck

CARD = "Q: Above which rate does it diverge?\nA: 2/k.\ndemo: learning-rate\npredict: limit_lr\n"


def parse(details: str):  # noqa: ANN201
    return parse_text(Path("d.md"), CARD + details, SpecIndex())


def test_a_formula_of_the_parameters_is_kept_and_evaluated() -> None:
    deck = parse("tolerance: 5%\nvary: curvature=2..10\nexpect: 2 / curvature\n")
    assert deck.ok, deck.errors
    prediction = deck.cards[0].check.predict
    assert prediction.expect == "2 / curvature"
    assert evaluate(prediction.expect, {"curvature": 4.0}) == 0.5
    stored = AnswerCheck.from_json(deck.cards[0].check.to_json())
    assert stored.predict.expect == "2 / curvature"


@pytest.mark.parametrize(
    ("text", "params", "value"),
    [
        ("0.25", {}, 0.25),
        ("log(2)", {}, math.log(2)),
        ("(size + 2*padding - 3) // stride + 1", {"size": 7, "padding": 1, "stride": 2}, 4.0),
        ("size**2 / latent", {"size": 6, "latent": 4}, 9.0),
        ("-x + abs(-3) + max(1, 2) + sqrt(4)", {"x": 1.0}, 6.0),
        ("micro_batches", {"micro_batches": 5}, 5.0),
        ("1e-9", {}, 1e-9),
    ],
)
def test_formulas(text: str, params: dict, value: float) -> None:
    parse_expect(text, set(params))
    assert evaluate(text, params) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("curvature.real", "not allowed"),
        ("[1, 2]", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("open('x')", "unknown function"),
        ("speed * 2", "unknown parameter 'speed'"),
        ("2 /", "not a formula"),
        ("'text'", "not allowed"),
        ("x" * 300, "too long"),
    ],
)
def test_anything_but_arithmetic_is_refused(text: str, message: str) -> None:
    with pytest.raises(ExpectError, match=message):
        parse_expect(text, {"curvature"})


@pytest.mark.parametrize("text", ["9 ** 9 ** 9", "2 ** 10000", "1 / (curvature - curvature)", "log(0)", "sqrt(-1)"])
def test_a_formula_that_cannot_be_computed_is_an_error_not_a_hang(text: str) -> None:
    with pytest.raises(ExpectError):
        evaluate(text, {"curvature": 2.0})


@pytest.mark.parametrize(
    ("details", "line", "message"),
    [
        ("tolerance: 5%\nexpect: 2 / k\n", 6, "unknown parameter 'k'"),
        ("tolerance: 5%\nexpect: import os\n", 6, "not a formula"),
        ("choices: below = 0.1, above = 1\nexpect: beside\n", 6, "not one of the choices"),
        ("expect: 2\ntolerance: 5%\nexpect: 3\n", 7, "given twice"),
    ],
)
def test_a_bad_expect_is_a_deck_problem_at_its_line(details: str, line: int, message: str) -> None:
    deck = parse(details)
    assert not deck.ok and message in deck.errors[0].message, deck.errors
    assert deck.errors[0].line == line


def test_a_choice_card_expects_a_label_in_any_case() -> None:
    deck = parse("choices: below = 0.1, above = 1\nexpect: Above\n")
    assert deck.ok, deck.errors
    assert deck.cards[0].check.predict.expect == "above"  # the choice's own label
