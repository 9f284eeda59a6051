"""Undo covers answer, suspend, bury and flag (one mechanism); a refused undo stays; suspended siblings are not buried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from studydl.cli import cli as studydl_cli
from studydl.domain.errors import StudyError
from studydl.domain.review import Rating
from studydl.engine.history import card_history
from studydl.engine.session import ReviewSession
from studydl.store.models import CardRow
from tests.backends import cli_args
from tests.engine.engine_samples import card_ids, no_fuzz
from tests.engine.test_undo_replay import snapshot


def sibling_pair(db, deck: str) -> tuple[int, int]:
    """The first two cards of one note (the `:::` pair, or the clozes of one paragraph)."""
    notes: dict[str, list[int]] = {}
    for card_id in card_ids(db, deck):
        notes.setdefault(row(db, card_id).note_uid, []).append(card_id)
    first, second = next(ids for ids in notes.values() if len(ids) > 1)[:2]
    return first, second


def row(db, card_id: int) -> CardRow:
    with db.read() as s:
        return s.scalar(select(CardRow).where(CardRow.id == card_id))


def test_undo_after_suspend_takes_back_the_suspend_not_the_answer(synced, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    first = session.next_card().card.id
    session.answer(first, Rating.GOOD)
    second = session.next_card().card.id
    before = snapshot(synced)
    session.suspend(second)
    assert session.undo_action() == "suspend"
    assert session.undo().id == second
    assert not row(synced, second).suspended
    assert snapshot(synced) == before
    assert len(card_history(synced, first)) == 1  # the answer is still there
    assert session.undo().id == first and card_history(synced, first) == []


@pytest.mark.parametrize(("action", "column", "value"), [("bury", "buried_until", None), ("flag", "flag", 0)])
def test_bury_and_flag_are_undone_the_same_way(synced, clock, action, column, value) -> None:
    session = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    card_id = session.next_card().card.id
    counts = session.counts()
    if action == "bury":
        session.bury(card_id)
        assert row(synced, card_id).buried_until == session._queue.day_end
        assert session.counts().new == counts.new - 1 and session.next_card().card.id != card_id
    else:
        session.set_flag(card_id, 3)
        assert row(synced, card_id).flag == 3
    assert session.undo().id == card_id
    assert getattr(row(synced, card_id), column) == value
    assert session.counts() == counts and not session.can_undo()


def test_a_refused_undo_stays_on_the_stack(synced, clock) -> None:
    mine = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    other = ReviewSession(synced, "Other", clock=clock, settings=no_fuzz())
    card_id = mine.next_card().card.id
    mine.answer(card_id, Rating.AGAIN)
    other.answer(card_id, Rating.GOOD)
    with pytest.raises(StudyError, match="answered again"):
        mine.undo()
    assert mine.can_undo() and mine.undo_action() == "answer"
    other.undo()  # the later answer is taken back elsewhere: now mine can be undone
    assert mine.undo().id == card_id and card_history(synced, card_id) == []
    # the same for a suspend changed since in another window
    mine.suspend(card_id)
    other.unsuspend(card_id)
    with pytest.raises(StudyError, match="changed since"):
        mine.undo()
    assert mine.undo_action() == "suspend"


def test_a_suspended_sibling_is_not_buried_nor_counted(synced, clock) -> None:
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(new_per_day=50))
    forward, backward = sibling_pair(synced, "Basics")
    session.suspend(backward)
    counts = session.counts()
    session.answer(forward, Rating.GOOD)
    assert session.counts().new == counts.new - 1  # the answered card only
    assert row(synced, backward).buried_until is None
    shown = []
    while (due := session.next_card()) is not None and len(shown) < 50:
        shown.append(due.card.id)
        session.answer(due.card.id, Rating.EASY)
    assert session.counts().new == 0
    with synced.read() as s:
        left = s.scalars(
            select(CardRow.id).where(CardRow.state == 0, CardRow.suspended.is_(False), CardRow.buried_until.is_(None))
            .where(CardRow.id.in_(card_ids(synced, "Basics")))
        ).all()
    assert left == []  # no new card left behind when the session ends


def test_plain_review_undo_after_suspend_and_a_suspended_sibling(synced, home) -> None:
    pair = sibling_pair(synced, "Basics")
    with synced.write() as s:
        s.execute(CardRow.__table__.update().where(CardRow.id == pair[1]).values(suspended=True))
    ids = card_ids(synced, "Basics")
    script = "\n3\ns\nu\n" + "\n4\n" * 20
    result = CliRunner().invoke(studydl_cli, [*cli_args(home), "review", "--plain", "--deck", "Basics"], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"suspended {ids[1]}" in out and f"undone {ids[1]} (suspend)" in out
    saved = [int(line.split()[1]) for line in out.splitlines() if line.startswith("saved ")]
    assert saved[:2] == [ids[0], ids[1]]  # after the undo the suspended card comes back
    assert not row(synced, ids[1]).suspended
    assert "Nothing more is due now." in out
    assert pair[1] not in saved and row(synced, pair[1]).buried_until is None
    now = datetime.now(UTC)
    left = [c for c in ids if row(synced, c).state == 0 and not row(synced, c).suspended]
    assert all(row(synced, c).buried_until and row(synced, c).buried_until > now for c in left)  # none left behind
