"""Issue 21's identity cases (1-4), each against a real SQLite file (and PostgreSQL): where a card's history goes."""

from __future__ import annotations

import pytest

from studydl.domain.checks import AnswerCheck
from studydl.store.db import Database
from studydl.store.models import CardRow
from tests.decks.store_helpers import (
    card,
    cards,
    deck_of,
    edit,
    history,
    move_in_two_saves,
    review,
    sync,
)

PREDICT = (
    "Q: Gradient descent on the bowl: loss after the steps with the good rate?\n"
    "A: Near zero.\n"
    "demo: learning-rate\n"
    "predict: good_loss\n"
)


def _reviewed(db: Database, row_id: int, times: int) -> None:
    for _ in range(times):
        review(db, row_id)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Q: Which gate drops cell state?\nA: The forget gate.\n", "Q: Which gate drops cell state?\nA: The forget gate.\nanswer: typed\ntags: gates\n"),
        (
            PREDICT + "tolerance: x10\nset: steps=30\nvary: lr_good=0.05..0.3\n",
            PREDICT + "choices: tiny = 0.001, large = 1\nset: steps=20\nvary: curvature=2..6\n",
        ),
        (PREDICT + "tolerance: x10\n", PREDICT + "tolerance: 10%\ntags: bowl\n"),
    ],
    ids=["typed answer and tags", "predict: choices, set and vary", "predict: tolerance"],
)
def test_1_a_copy_then_delete_move_takes_every_field_from_the_file_that_now_holds_the_card(db: Database, write_deck, before: str, after: str) -> None:
    a = write_deck("a.md", before + "\nx :: y\n")
    b = write_deck("b.md", "other :: card\n")
    sync(db, a, b)
    (original,) = [c for c in cards(db, "?") if c.deck_id == deck_of(db, a).id]
    _reviewed(db, original.id, 2)
    edit(b, "other :: card\n", "other :: card\n\n" + after)
    sync(db, b)  # pasted and saved: for now a second copy, checked as b.md says
    (copy,) = [c for c in cards(db, "?", retired=False) if c.deck_id == deck_of(db, b).id]
    edit(a, before + "\n", "")
    sync(db, a)  # the original deleted: it moves into the copy's place
    moved = card(db, "?", retired=False)
    assert moved.id == original.id and history(db, moved.id) == 2
    for name in ("answer_check", "tags", "demo_id", "kind", "question", "answer", "section", "source_line", "deck_id"):
        assert getattr(moved, name) == getattr(copy, name), name
    assert AnswerCheck.from_json(moved.answer_check) == AnswerCheck.from_json(copy.answer_check)
    assert sync(db, a.parent).synced == []  # and nothing is left for a later sync to repair


BPTT_OLD = "Q: What flows back throught time in BPTT?\nA: The gradient.\n"
BPTT_NEW = "Q: What flows back through time in BPTT?\nA: The gradient.\n"


@pytest.mark.parametrize("order", ["paste first", "delete first"])
def test_2_a_move_with_a_typo_fixed_on_the_way_keeps_history_in_either_save_order(db: Database, write_deck, order: str) -> None:
    a = write_deck("a.md", BPTT_OLD + "\nx :: y\n")
    b = write_deck("b.md", "other :: card\n")
    sync(db, a, b)
    original = card(db, "BPTT")
    _reviewed(db, original.id, 4)
    move_in_two_saves(db, a, b, BPTT_OLD, BPTT_NEW, order)
    live = card(db, "BPTT", retired=False)
    assert live.id == original.id and live.question == "What flows back through time in BPTT?", order
    assert history(db, live.id) == 4 and live.reps == 4 and live.deck_id == deck_of(db, b).id
    assert cards(db, "BPTT", retired=True) == []


@pytest.mark.parametrize("order", ["paste first", "delete first"])
def test_2_a_move_onto_a_question_about_something_else_keeps_history_in_neither_save_order(db: Database, write_deck, order: str) -> None:
    """The one rule refuses in both orders what it refuses in one."""
    a = write_deck("a.md", "Q: Is the sigmoid zero-centred?\nA: No.\n\nx :: y\n")
    b = write_deck("b.md", "other :: card\n")
    sync(db, a, b)
    original = card(db, "sigmoid")
    review(db, original.id)
    move_in_two_saves(db, a, b, "Q: Is the sigmoid zero-centred?\nA: No.\n", "Q: Is the derivative of the sigmoid zero-centred?\nA: No.\n", order)
    other = card(db, "derivative")
    assert other.id != original.id and history(db, other.id) == 0
    assert card(db, "Is the sigmoid").retired and history(db, original.id) == 1


TWIN = "Q: Does dropout run at inference time?\nA: No.\n"


def test_3_history_stays_in_its_deck_when_both_decks_holding_the_card_change(db: Database, write_deck) -> None:
    a = write_deck("a.md", TWIN)
    b = write_deck("b.md", TWIN)
    sync(db, a, b)
    (studied,) = [c for c in cards(db, "dropout") if c.deck_id == deck_of(db, a).id]
    (fresh,) = [c for c in cards(db, "dropout") if c.deck_id == deck_of(db, b).id]
    _reviewed(db, studied.id, 5)
    edit(a, "A: No.", "A: No: it is switched off at inference.")
    edit(b, TWIN, TWIN + "\nnew :: card\n")
    report = sync(db, a, b)
    (in_a,) = [c for c in cards(db, "dropout") if c.deck_id == deck_of(db, a).id]
    (in_b,) = [c for c in cards(db, "dropout") if c.deck_id == deck_of(db, b).id]
    assert in_a.id == studied.id and history(db, in_a.id) == 5 and in_a.answer.startswith("No: it is")
    assert in_b.id == fresh.id and history(db, in_b.id) == 0 and in_b.state == 0
    assert [c.question for c in report.added] == ["new"] and not report.retired


def test_3_a_retired_duplicate_never_replaces_an_unchanged_card(db: Database, write_deck) -> None:
    a = write_deck("a.md", TWIN + "\nx :: y\n")
    b = write_deck("b.md", TWIN)
    sync(db, a, b)
    (studied,) = [c for c in cards(db, "dropout") if c.deck_id == deck_of(db, a).id]
    (kept,) = [c for c in cards(db, "dropout") if c.deck_id == deck_of(db, b).id]
    _reviewed(db, studied.id, 5)
    edit(a, TWIN + "\n", "")
    edit(b, TWIN, TWIN + "\nnew :: card\n")
    sync(db, a, b)  # deleted from a.md while b.md changed too: a.md's card is retired with its history
    assert card(db, "dropout", retired=True).id == studied.id
    with db.write() as s:
        row = s.get(CardRow, kept.id)
        row.flag, row.suspended = 2, True
    edit(b, "new :: card", "newer :: card")
    sync(db, b)
    live = card(db, "dropout", retired=False)
    assert live.id == kept.id and live.flag == 2 and live.suspended and history(db, live.id) == 0
    assert card(db, "dropout", retired=True).id == studied.id and history(db, studied.id) == 5


def test_4_words_added_to_a_question_make_another_card(db: Database, write_deck) -> None:
    path = write_deck("acts.md", "Q: Is the sigmoid zero-centred?\nA: No.\n\nQ: Does ReLU saturate?\nA: No.\n")
    sync(db, path)
    sigmoid = card(db, "sigmoid")
    _reviewed(db, sigmoid.id, 3)
    edit(path, "Is the sigmoid zero-centred?", "Is the derivative of the sigmoid zero-centred?")
    report = sync(db, path)
    derivative = card(db, "derivative")
    assert derivative.id != sigmoid.id and history(db, derivative.id) == 0 and derivative.reps == 0
    assert card(db, "Is the sigmoid").retired and history(db, sigmoid.id) == 3
    assert [c.question for c in report.added] == ["Is the derivative of the sigmoid zero-centred?"]
    assert [c.question for c in report.retired] == ["Is the sigmoid zero-centred?"] and not report.changed


def test_4_the_question_stays_the_same_question_through_typos_case_and_small_words(db: Database, write_deck) -> None:
    path = write_deck("acts.md", "Q: Is the sigmoid zero-centred?\nA: No.\n")
    sync(db, path)
    sigmoid = card(db, "sigmoid")
    review(db, sigmoid.id)
    for text in ("Is the sigmoid zero-centered?", "IS THE SIGMOID ZERO CENTERED", "Is a sigmoid zero-centered?"):
        edit(path, path.read_text().splitlines()[0][3:], text)
        sync(db, path)
        assert card(db, "", retired=False).id == sigmoid.id, text

