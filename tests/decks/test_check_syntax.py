"""`answer: typed` and predict cards in deck files: what they become, and every malformed form's message."""

from __future__ import annotations

from pathlib import Path

import pytest

from studydl.decks.parser import parse_text
from studydl.demos.catalogue import known_ids
from studydl.demos.spec_index import SpecIndex
from studydl.domain.cards import CardKind
from studydl.domain.checks import Choice, ParamRange, Tolerance

CATALOGUE = SpecIndex()


def parse(text: str, catalogue=CATALOGUE):  # noqa: ANN001, ANN201
    return parse_text(Path("d.md"), text, catalogue)


def test_typed_answer_marks_the_card_and_keeps_its_kind() -> None:
    deck = parse("Q: Which gate drops cell state?\nA: The forget gate.\nanswer: typed\n\nReLU :: max(0, x)\n\nanswer: typed\n")
    assert deck.ok, deck.errors
    assert [(c.kind, c.check.typed) for c in deck.cards] == [(CardKind.BASIC, True), (CardKind.TERM, True)]


def test_predict_card_with_tolerance_set_and_vary() -> None:
    deck = parse(
        "Q: Gradient descent on the bowl: loss after the steps with the good rate?\n"
        "A: Near zero.\n"
        "demo: learning-rate\n"
        "predict: good_loss\n"
        "tolerance: x10\n"
        "set: steps=30\n"
        "vary: lr_good=0.05..0.3, curvature=2..6\n"
    )
    assert deck.ok, deck.errors
    card = deck.cards[0]
    assert card.kind is CardKind.PREDICT and card.demo_id == "learning-rate"
    predict = card.check.predict
    assert predict is not None and predict.metric == "good_loss"
    assert predict.tolerance == Tolerance("factor", 10.0)
    assert predict.fixed == {"steps": 30}
    assert predict.vary == (ParamRange("lr_good", 0.05, 0.3), ParamRange("curvature", 2.0, 6.0))


def test_predict_card_with_choices_under_a_section_demo() -> None:
    deck = parse(
        "# Perceptron\ndemo: perceptron\n\nQ: Best XOR accuracy of a perceptron?\nA: Half.\n\n"
        "predict: best_acc_xor\nchoices: a quarter = 0.25, half = 0.5, all = 1\n"
    )
    assert deck.ok, deck.errors
    assert deck.cards[0].check.predict.choices == (Choice("a quarter", 0.25), Choice("half", 0.5), Choice("all", 1.0))


@pytest.mark.parametrize(
    ("details", "line", "message"),
    [
        ("demo: xor-mlp\npredict: nope\ntolerance: 0.1", 4, "reports no metric 'nope'"),
        ("demo: xor-mlp\npredict: accuracy", 4, "either `tolerance:`"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nchoices: 0, 1", 4, "either `tolerance:`"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: lots", 5, "write a number"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: -1", 5, "must be above 0"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: x1", 5, "factor must be above 1"),
        ("demo: xor-mlp\npredict: accuracy\nchoices: 1", 5, "give 2 to 6"),
        ("demo: xor-mlp\npredict: accuracy\nchoices: a = 1, b = 1", 5, "same value"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nset: wings=2", 6, "no parameter 'wings'"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nset: hidden=1", 6, "at least 2"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nset: hidden=four", 6, "whole number"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: hidden=2..100", 6, "at most 64"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: hidden=8..2", 6, "from low to high"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: hidden=2.5..8", 6, "whole-number range"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: activation=relu|swish", 6, "must be one of"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: activation=0..1", 6, "takes options"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nset: lr=0.1\nvary: lr=0.1..0.2", 7, "both set and varied"),
        ("demo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: lr", 6, "`name=value`"),
        ("predict: accuracy\ntolerance: 0.1", 3, "needs a demo"),
        ("demo: xor-mlp\ntolerance: 0.1", 4, "belongs to a predict card"),
        ("answer: spoken", 3, "`answer:` takes `typed`"),
        ("demo: xor-mlp\nanswer: typed\npredict: accuracy\ntolerance: 0.1", 5, "drop `answer: typed`"),
    ],
)
def test_malformed_predict_details_are_file_line_problems(details: str, line: int, message: str) -> None:
    deck = parse(f"Q: What accuracy?\nA: All.\n{details}\n")
    assert not deck.cards or not deck.ok
    assert [(p.line, message in p.message) for p in deck.errors] == [(line, True)], deck.errors


def test_predict_only_on_question_cards_and_not_for_a_whole_section() -> None:
    deck = parse("XOR :: two lines\ndemo: xor-mlp\npredict: accuracy\ntolerance: 0.1\n")
    assert [e.message for e in deck.errors] == ["`predict:` goes on a `Q:`/`A:` card"]
    deck = parse("# S\npredict: accuracy\n\nQ: a?\nA: b.\n")
    assert "only `demo:` may apply" in deck.errors[0].message


def test_without_the_specs_only_the_syntax_is_checked() -> None:
    deck = parse("Q: a?\nA: b.\ndemo: xor-mlp\npredict: whatever\ntolerance: 5%\nvary: anything=1..2\n", known_ids())
    assert deck.ok, deck.errors
    assert deck.cards[0].check.predict.tolerance == Tolerance("rel", 0.05)


def test_studydl_check_reports_predict_problems_against_the_catalogue(tmp_path: Path) -> None:
    from tests.conftest import run_studydl

    deck = tmp_path / "p.md"
    deck.write_text(
        "Q: a?\nA: b.\ndemo: xor-mlp\npredict: accuracy\ntolerance: 0.1\nvary: hidden=1..8\n\n"
        "Q: c?\nA: d.\ndemo: xor-mlp\npredict: acuracy\ntolerance: 0.1\n",
        encoding="utf-8",
    )
    result = run_studydl("check", str(deck))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"{deck}:6: hidden: must be at least 2, got 1"
    assert lines[1].startswith(f"{deck}:11: demo 'xor-mlp' reports no metric 'acuracy' (its metrics: loss, accuracy, steps)")


def test_cards_json_shows_kind_predict_typed_and_the_prediction(tmp_path: Path) -> None:
    import json

    from tests.conftest import run_studydl

    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "p.md").write_text(
        "Q: a?\nA: b.\nanswer: typed\n\nQ: c?\nA: d.\ndemo: learning-rate\npredict: limit_lr\ntolerance: 5%\nvary: curvature=2..10\n",
        encoding="utf-8",
    )
    assert run_studydl("--home", str(home), "sync").returncode == 0
    cards = json.loads(run_studydl("--home", str(home), "cards", "--deck", "p", "--json").stdout)["cards"]
    assert [(c["kind"], c["typed"]) for c in cards] == [("basic", True), ("predict", False)]
    assert cards[1]["predict"] == {
        "metric": "limit_lr", "tolerance": ["rel", 0.05],
        "vary": [{"name": "curvature", "low": 2.0, "high": 10.0, "options": [], "integer": False}],
    }
