"""Issue 11's numbered cases, each against a real SQLite file: where a card's history goes."""

from __future__ import annotations

import shutil
from pathlib import Path

from studydl.decks.roots import DeckRoots
from studydl.store.db import Database
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

SHORT_ANSWERS = """
Q: Is the sigmoid zero-centred?
A: No.

Q: Does ReLU saturate for positive inputs?
A: No.
"""


def test_1_a_new_card_sharing_a_short_answer_does_not_take_a_deleted_cards_history(db: Database, write_deck) -> None:
    path = write_deck("acts.md", SHORT_ANSWERS)
    sync(db, path)
    sigmoid = card(db, "sigmoid")
    review(db, sigmoid.id)
    edit(path, "Q: Is the sigmoid zero-centred?\nA: No.", "Q: Does max pooling have learnable weights?\nA: No.")
    report = sync(db, path)
    pooling = card(db, "max pooling")
    assert pooling.id != sigmoid.id and pooling.state == 0 and history(db, pooling.id) == 0
    assert [c.question for c in report.added] == ["Does max pooling have learnable weights?"]
    assert card(db, "sigmoid").retired and history(db, sigmoid.id) == 1
    # ... and it comes back with its history when its question does.
    edit(path, "Q: Does max pooling", "Q: Is the sigmoid zero-centred?\nA: No.\n\nQ: Does max pooling")
    sync(db, path)
    assert not card(db, "sigmoid").retired and card(db, "sigmoid").id == sigmoid.id


def test_1_a_retired_card_is_restored_only_onto_its_own_question(db: Database, write_deck) -> None:
    path = write_deck("acts.md", SHORT_ANSWERS)
    sync(db, path)
    sigmoid = card(db, "sigmoid")
    review(db, sigmoid.id)
    edit(path, "Q: Is the sigmoid zero-centred?\nA: No.\n\n", "")
    sync(db, path)  # retired, with its history
    edit(path, "Q: Does ReLU", "Q: Is tanh zero-centred?\nA: No.\n\nQ: Does ReLU")
    sync(db, path)
    assert card(db, "tanh").id != sigmoid.id and card(db, "sigmoid").retired


def test_2_the_same_id_in_two_files_of_one_sync_is_a_file_line_problem_and_the_rest_syncs(db: Database, write_deck) -> None:
    first = write_deck("a.md", "relu :: max(0, x)\nid: relu\n")
    second = write_deck("b.md", "other :: card\n\nrelu :: max(0, x)\nid: relu\n")
    write_deck("c.md", "tanh :: (e^x - e^-x) / (e^x + e^-x)\n")
    report = sync(db, first.parent, ok=False)
    assert [str(p) for p in report.errors] == [f"{second.resolve()}:3: id 'relu' is already used at {first.resolve()}:1"]
    assert sorted(Path(p).name for p in report.synced) == ["a.md", "c.md"]
    assert card(db, "relu").uid == "relu" and card(db, "tanh")
    assert cards(db, "other") == []  # b.md is left as it was: not synced at all


def test_2_the_file_already_holding_the_id_keeps_it_when_both_change(db: Database, write_deck) -> None:
    second = write_deck("b.md", "relu :: max(0, x)\nid: relu\n")
    sync(db, second)
    first = write_deck("a.md", "relu :: max(0, x)\nid: relu\n")  # copied, with its id, into a file sorting first
    edit(second, "max(0, x)", "max(0, x), elementwise")
    report = sync(db, first.parent, ok=False)
    assert [str(p) for p in report.errors] == [f"{first.resolve()}:1: id 'relu' is already used at {second.resolve()}:1"]
    assert card(db, "relu").answer == "max(0, x), elementwise"


def test_3_copy_then_delete_the_original_in_two_syncs_keeps_the_history_on_the_copy(db: Database, write_deck) -> None:
    a = write_deck("a.md", "Q: What is BPTT?\nA: Backpropagation through time.\n\nx :: y\n")
    b = write_deck("b.md", "other :: card\n")
    sync(db, a.parent)
    original = card(db, "BPTT")
    review(db, original.id)
    edit(b, "other :: card\n", "other :: card\n\nQ: What is BPTT?\nA: Backpropagation through time.\n")
    sync(db, a.parent)  # pasted and saved: for now, a second copy
    assert len(cards(db, "BPTT", retired=False)) == 2
    edit(a, "Q: What is BPTT?\nA: Backpropagation through time.\n\n", "")
    report = sync(db, a.parent)  # the original deleted: the copy is the card
    survivor = card(db, "BPTT")
    assert survivor.id == original.id and not survivor.retired and history(db, survivor.id) == 1
    assert survivor.deck_id == deck_of(db, b).id and survivor.source_line == 3 and survivor.state == 2
    assert [c.question for c in report.moved] == ["What is BPTT?"] and not report.retired


def test_3_the_same_move_synced_file_by_file_in_either_order(db: Database, write_deck) -> None:
    for order in ("paste first", "delete first"):
        a = write_deck(f"{order}/a.md", "Q: What is BPTT?\nA: Backpropagation through time.\n\nx :: y\n")
        b = write_deck(f"{order}/b.md", "other :: card\n")
        sync(db, a, b)
        original = [c for c in cards(db, "BPTT") if c.deck_id == deck_of(db, a).id][0]
        review(db, original.id)
        bptt = "Q: What is BPTT?\nA: Backpropagation through time.\n"
        move_in_two_saves(db, a, b, bptt, bptt, order)
        live = [c for c in cards(db, "BPTT", retired=False) if c.deck_id == deck_of(db, b).id]
        assert [c.id for c in live] == [original.id] and history(db, original.id) == 1, order


def test_3_a_copy_answered_on_its_own_keeps_its_own_history(db: Database, write_deck) -> None:
    a = write_deck("a.md", "Q: What is BPTT?\nA: Backpropagation through time.\n")
    b = write_deck("b.md", "Q: What is BPTT?\nA: Backpropagation through time.\n")
    sync(db, a, b)
    first, second = cards(db, "BPTT")
    review(db, first.id)
    review(db, second.id)
    a.write_text("x :: y\n")
    sync(db, a)
    assert card(db, "BPTT", retired=False).id == second.id and card(db, "BPTT", retired=True).id == first.id


def test_4_renaming_a_deck_file_with_ids_is_no_conflict(db: Database, write_deck) -> None:
    old = write_deck("rnn.md", "BPTT :: backprop through time\nid: bptt\n\nLSTM :: long short-term memory\nid: lstm\n")
    sync(db, old.parent)
    before = card(db, "BPTT")
    review(db, before.id)
    new = old.with_name("recurrent.md")
    shutil.move(old, new)
    report = sync(db, old.parent)
    assert report.ok and not report.retired and not report.added and not report.restored
    assert card(db, "BPTT").id == before.id and history(db, before.id) == 1
    assert deck_of(db, new).rel_path == "recurrent.md" and report.decks[0].note == "renamed from rnn.md"
    assert sync(db, old.parent).synced == []  # and nothing comes back on the next sync


def test_4_renaming_and_editing_with_ids_synced_by_file_name(db: Database, write_deck) -> None:
    old = write_deck("rnn.md", "BPTT :: backprop through time\nid: bptt\n")
    sync(db, old)
    before = card(db, "BPTT")
    new = old.with_name("recurrent.md")
    shutil.move(old, new)
    edit(new, "backprop through time", "backpropagation through time")
    report = sync(db, new)  # only the new name: the old file is gone, so the id moves with it
    assert report.ok and card(db, "BPTT").id == before.id and not card(db, "BPTT").retired


def test_5_a_bundled_deck_is_edited_as_the_users_copy_which_takes_over_its_history(db: Database, tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    home = tmp_path / "home-decks"
    home.mkdir()
    (bundled).mkdir()
    (bundled / "cnn.md").write_text("---\ndeck: CNN\n---\nQ: What does a pooling layer do?\nA: It downsamples.\n")
    roots = DeckRoots.of(bundled=bundled, home=home)
    first = sync(db, bundled, home, roots=roots)
    assert [(d.name, d.origin) for d in first.decks] == [("CNN", "bundled")]
    pooling = card(db, "pooling")
    review(db, pooling.id)

    from studydl.decks.copies import deck_of_card, edit_target

    target = edit_target(roots, *deck_of_card(db, pooling.id))
    assert target.path == home / "cnn.md" and target.copied_from == bundled / "cnn.md"
    edit(target.path, "It downsamples.", "It downsamples the feature map.")
    report = sync(db, bundled, home, roots=roots)
    assert [(d.origin, d.note) for d in report.decks] == [("yours", "your copy of the bundled deck")]
    assert report.shadowed == [(str(bundled / "cnn.md"), str(home / "cnn.md"))]
    after = card(db, "pooling")
    assert after.id == pooling.id and history(db, after.id) == 1 and after.answer == "It downsamples the feature map."

    # An upgrade changes the bundled deck: the user's copy is what they study, untouched.
    (bundled / "cnn.md").write_text("---\ndeck: CNN\n---\nQ: What does a pooling layer do?\nA: Upgraded text.\n\nnew :: card\n")
    sync(db, bundled, home, roots=roots)
    assert card(db, "pooling").answer == "It downsamples the feature map." and cards(db, "new") == []
    assert (home / "cnn.md").read_text().count("Upgraded") == 0

    # Deleting the copy gives the bundled deck back, with the history.
    (home / "cnn.md").unlink()
    sync(db, bundled, home, roots=roots)
    assert card(db, "pooling").id == pooling.id and card(db, "pooling").answer == "Upgraded text."


def test_5_a_copy_nobody_edited_is_dropped_so_upgrades_still_arrive(db: Database, tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "cnn.md").write_text("Q: What does a pooling layer do?\nA: It downsamples.\n")
    roots = DeckRoots.of(bundled=bundled, home=tmp_path / "home-decks")
    sync(db, bundled, roots=roots)

    from studydl.decks.copies import deck_of_card, edit_target

    target = edit_target(roots, *deck_of_card(db, card(db, "pooling").id))
    assert target.path.is_file() and target.drop_if_unchanged() and not target.path.exists()


def test_a_copy_made_by_hand_before_its_bundled_deck_was_ever_synced(db: Database, tmp_path: Path) -> None:
    """An old home may hold both as separate decks: the copy takes the bundled deck's cards over."""
    bundled, home = tmp_path / "bundled", tmp_path / "home-decks"
    bundled.mkdir()
    home.mkdir()
    (bundled / "cnn.md").write_text("Q: What does a pooling layer do?\nA: It downsamples.\n")
    sync(db, bundled, roots=DeckRoots.of(bundled=bundled))
    pooling = card(db, "pooling")
    review(db, pooling.id)
    (home / "cnn.md").write_text("Q: What does a pooling layer do?\nA: It downsamples.\n\nmine :: too\n")
    sync(db, home, roots=DeckRoots.of(home=home))  # synced while the bundled one was not in view: two decks
    sync(db, bundled, home, roots=DeckRoots.of(bundled=bundled, home=home))
    assert card(db, "pooling", retired=False).id == pooling.id and history(db, pooling.id) == 1
