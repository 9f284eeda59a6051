"""Card identity through edits: each rule of docs/deck-format.md against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from studydl.store.db import Database
from studydl.store.models import CardRow
from tests.decks.store_helpers import card, deck_of, edit, history, review, sync

DECK = """
# Gates
Q: Which LSTM gate decides what to drop from the cell state?
A: The forget gate.

Q: Which activation squashes values into (0, 1)?
A: The sigmoid.

# Training
BPTT :: backpropagation through time

The LSTM has a {{forget}} gate, an {{input}} gate and an {{output}} gate.
"""


@pytest.fixture
def deck(write_deck, db: Database) -> Path:
    path = write_deck("lstm.md", DECK)
    sync(db, path)
    return path


def test_typo_fix_keeps_history(db: Database, deck: Path) -> None:
    before = card(db, "drop from the cell")
    review(db, before.id)
    edit(deck, "drop from the cell state", "drop from teh cell state")
    report = sync(db, deck)
    after = card(db, "drop from teh cell")
    assert after.id == before.id and after.uid == before.uid
    assert history(db, after.id) == 1 and after.reps == 1
    assert len(report.changed) == 1 and not report.added and not report.retired


def test_reworded_question_is_another_card_and_its_history_comes_back_with_the_question(db: Database, deck: Path) -> None:
    """Words that carry meaning, added or removed, make another question: the old card waits retired."""
    before = card(db, "drop from the cell")
    review(db, before.id)
    edit(deck, "Which LSTM gate decides what to drop from the cell state?", "In an LSTM, which gate decides what to drop from the cell?")
    report = sync(db, deck)
    assert card(db, "which gate decides").id != before.id and card(db, "drop from the cell state").retired
    assert len(report.added) == 1 and len(report.retired) == 1
    edit(deck, "In an LSTM, which gate decides what to drop from the cell?", "Which LSTM gate decides what to drop from the cell state?")
    sync(db, deck)
    assert card(db, "drop from the cell", retired=False).id == before.id and history(db, before.id) == 1


def test_a_rewording_hint_names_only_a_retired_card_with_reviews_of_the_same_deck(db: Database, deck: Path, write_deck) -> None:
    reviewed = card(db, "drop from the cell")
    review(db, reviewed.id)
    edit(deck, "Which LSTM gate decides what to drop from the cell state?", "In an LSTM, which gate decides what to drop from the cell?")
    edit(deck, "Which activation squashes values into (0, 1)?", "Which activation maps any real number into (0, 1)?")  # never reviewed
    other = write_deck("other.md", "Q: Which gate decides what to drop?\nA: The forget gate.\n")  # another deck
    report = sync(db, deck, other)
    assert len(report.added) == 3 and len(report.retired) == 2
    assert [(h.where, h.old_question, h.old_id, h.reviews) for h in report.reworded] == [
        (f"{deck.resolve()}:2", reviewed.question, reviewed.uid, 1)
    ]


def test_an_id_keeps_history_through_a_rewording(db: Database, deck: Path) -> None:
    edit(deck, "A: The forget gate.\n", "A: The forget gate.\nid: forget-gate\n")
    sync(db, deck)
    before = card(db, "drop from the cell")
    review(db, before.id)
    edit(deck, "Which LSTM gate decides what to drop from the cell state?", "In an LSTM, which gate decides what to drop from the cell?")
    sync(db, deck)
    assert card(db, "which gate decides").id == before.id and history(db, before.id) == 1


def test_question_rewritten_entirely_is_a_new_card_even_with_the_same_answer(db: Database, deck: Path) -> None:
    """An answer alone is no evidence: the old card keeps its history, retired; `id:` would have kept it."""
    before = card(db, "drop from the cell")
    review(db, before.id)
    edit(deck, "Which LSTM gate decides what to drop from the cell state?", "In an LSTM, what removes information from the cell?")
    report = sync(db, deck)
    after = card(db, "removes information")
    assert after.id != before.id and history(db, after.id) == 0
    assert [c.question for c in report.retired] == ["Which LSTM gate decides what to drop from the cell state?"]
    assert history(db, before.id) == 1


def test_reworded_answer_keeps_history(db: Database, deck: Path) -> None:
    before = card(db, "squashes values")
    review(db, before.id)
    edit(deck, "A: The sigmoid.", "A: The logistic sigmoid function.")
    sync(db, deck)
    after = card(db, "squashes values")
    assert after.id == before.id and after.answer == "The logistic sigmoid function."
    assert history(db, after.id) == 1


def test_moved_to_another_section_keeps_history(db: Database, deck: Path) -> None:
    before = card(db, "BPTT")
    review(db, before.id)
    edit(deck, "# Training\nBPTT :: backpropagation through time\n", "# Training\n")
    edit(deck, "# Gates\n", "# Gates\nBPTT :: backpropagation through time\n\n")
    report = sync(db, deck)
    after = card(db, "BPTT")
    assert after.id == before.id and after.section == "Gates" and history(db, after.id) == 1
    assert [c.question for c in report.moved] == ["BPTT"]


def test_moved_to_another_file_keeps_history(db: Database, deck: Path, write_deck) -> None:
    before = card(db, "BPTT")
    review(db, before.id)
    edit(deck, "BPTT :: backpropagation through time\n", "")
    other = write_deck("training.md", "# Basics\nBPTT :: backpropagation through time\n")
    report = sync(db, deck, other)
    after = card(db, "BPTT")
    assert after.id == before.id and after.deck_id == deck_of(db, other).id and history(db, after.id) == 1
    assert not report.added and not report.retired


def test_reordered_cards_keep_their_ids(db: Database, deck: Path) -> None:
    ids = {c: card(db, c).id for c in ("drop from the cell", "squashes values", "BPTT")}
    text = deck.read_text()
    first = "Q: Which LSTM gate decides what to drop from the cell state?\nA: The forget gate.\n\n"
    second = "Q: Which activation squashes values into (0, 1)?\nA: The sigmoid.\n\n"
    deck.write_text(text.replace(first + second, second + first))
    report = sync(db, deck)
    assert {c: card(db, c).id for c in ids} == ids
    assert not report.added and not report.retired and not report.changed


def test_deleted_card_is_retired_with_history_and_restored_when_put_back(db: Database, deck: Path) -> None:
    before = card(db, "squashes values")
    review(db, before.id)
    block = "Q: Which activation squashes values into (0, 1)?\nA: The sigmoid.\n\n"
    edit(deck, block, "")
    report = sync(db, deck)
    retired = card(db, "squashes values")
    assert retired.id == before.id and retired.retired and history(db, before.id) == 1
    assert len(report.retired) == 1
    edit(deck, "# Training\n", "# Training\n" + block)
    report = sync(db, deck)
    restored = card(db, "squashes values")
    assert restored.id == before.id and not restored.retired and history(db, before.id) == 1
    assert len(report.restored) == 1 and not report.added


def test_explicit_id_survives_a_complete_rewrite(db: Database, deck: Path) -> None:
    edit(deck, "A: The forget gate.\n", "A: The forget gate.\nid: forget-gate\n")
    sync(db, deck)
    before = card(db, "drop from the cell")
    assert before.uid == "forget-gate"
    review(db, before.id)
    edit(deck, "Q: Which LSTM gate decides what to drop from the cell state?\nA: The forget gate.", "Q: Name f_t.\nA: Forget gate activation")
    sync(db, deck)
    after = card(db, "Name f_t")
    assert after.id == before.id and history(db, after.id) == 1


def test_both_sides_rewritten_without_id_is_a_new_card(db: Database, deck: Path) -> None:
    before = card(db, "squashes values")
    edit(deck, "Q: Which activation squashes values into (0, 1)?\nA: The sigmoid.", "Q: What is a tensor?\nA: An n-dimensional array.")
    report = sync(db, deck)
    assert card(db, "tensor").id != before.id
    assert len(report.added) == 1 and len(report.retired) == 1


def _gaps(db: Database) -> dict[int, int]:
    with db.read() as s:
        return {r.ordinal: r.id for r in s.scalars(select(CardRow).where(CardRow.kind == "cloze", CardRow.retired.is_(False)))}


def test_cloze_typo_keeps_each_gap_its_own_history(db: Database, deck: Path) -> None:
    gaps = _gaps(db)
    edit(deck, "The LSTM has a", "The LTSM has a")
    sync(db, deck)
    assert _gaps(db) == gaps


def test_a_gap_rewritten_leaves_its_siblings_their_history(db: Database, deck: Path) -> None:
    """The gap hiding `forget` asks the same; the others follow it (their paragraph is recognised)."""
    gaps = _gaps(db)
    edit(deck, "{{input}} gate", "{{input (update)}} gate")
    report = sync(db, deck)
    assert _gaps(db) == gaps and not report.added and not report.retired


def test_a_gap_inserted_before_the_others_is_new_and_the_others_keep_theirs(db: Database, deck: Path) -> None:
    gaps = _gaps(db)
    edit(deck, "The LSTM has a {{forget}} gate, an {{input}} gate", "The {{LSTM}} has a {{forget}} gate, an {{input (update)}} gate")
    report = sync(db, deck)
    after = _gaps(db)
    assert [after[n] for n in (1, 2, 3)] == [gaps[n] for n in (0, 1, 2)] and after[0] not in gaps.values()
    assert [c.question for c in report.added] == ["The [...] has a forget gate, an input (update) gate and an output gate."]


def test_a_definition_rewritten_keeps_both_directions(db: Database, write_deck) -> None:
    path = write_deck("terms.md", "MSE ::: mean squared error\n")
    sync(db, path)
    forward, reverse = card(db, "MSE").id, card(db, "mean squared error").id
    edit(path, "mean squared error", "the mean of the squared differences")
    report = sync(db, path)
    assert (card(db, "MSE").id, card(db, "squared differences").id) == (forward, reverse)
    assert not report.added and not report.retired


def test_one_way_card_made_two_way_keeps_the_forward_card(db: Database, deck: Path) -> None:
    before = card(db, "BPTT")
    edit(deck, "BPTT :: backprop", "BPTT ::: backprop")
    report = sync(db, deck)
    assert card(db, "BPTT").id == before.id
    assert [c.question for c in report.added] == ["backpropagation through time"]
    siblings = {card(db, "BPTT").note_uid, card(db, "backpropagation through time").note_uid}
    assert len(siblings) == 1


def test_an_unchanged_side_wins_over_a_merely_similar_new_card(db: Database, write_deck) -> None:
    path = write_deck("add.md", "Q: What is 3 + 4?\nA: 7\n")
    sync(db, path)
    before = card(db, "3 + 4")
    review(db, before.id)
    # In one edit: the answer changes and a look-alike card is added. By fuzzy score alone
    # the look-alike is the closer pair (0.875 against 0.8); the unchanged question decides.
    path.write_text("Q: What is 3 + 4?\nA: seven (7)\n\nQ: What is 3 + 5?\nA: 8\n")
    report = sync(db, path)
    assert card(db, "3 + 4").id == before.id and history(db, before.id) == 1
    assert [c.question for c in report.added] == ["What is 3 + 5?"]
