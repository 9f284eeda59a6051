"""`answer(show_next=...)`: the next card handed over before the commit, the answer durable when `answer` returns.

The review screen draws the next card while the answer's commit (its fsync) runs. These
tests hold the engine to what makes that safe: the card handed over is the one the
committed answer leaves next; nothing is visible to another connection until the commit;
and a commit that fails (a deferred constraint the store checks only at COMMIT) rolls the
answer back and leaves the session as it was before it, so the same card can be answered
again.
"""

from __future__ import annotations

import pytest

from studydl.domain.review import NextCard, Rating
from studydl.engine.session import ReviewSession
from studydl.store.db import Database
from tests.engine.engine_samples import no_fuzz


def logged(db: Database) -> int:
    with db.raw_read() as con:
        return int(con.execute("SELECT count(*) FROM review_log").fetchone()[0])


def test_the_next_card_is_handed_over_inside_the_answers_transaction(synced, clock) -> None:
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(bury_siblings=False))
    first = session.next_card()
    assert first is not None
    handed: list[tuple[NextCard, int]] = []
    answered = session.answer(first.card.id, Rating.GOOD, show_next=lambda nxt: handed.append((nxt, logged(synced))))
    [(nxt, seen_by_others)] = handed
    assert seen_by_others == 0  # another connection did not see the answer before the commit
    assert logged(synced) == 1  # ... and it is committed when `answer` returns
    assert nxt.answered == answered and nxt.due.card.id != first.card.id
    assert nxt.due.intervals is None  # its buttons are planned while its question is read, off the key's path
    intervals = session.shown_intervals(nxt.due.card.id)
    assert session.shown_intervals(first.card.id) is None  # (only the card on screen has them)
    again = session.next_card()  # what the screen would have asked for after the commit
    assert again is not None and (again.card.id, again.intervals) == (nxt.due.card.id, intervals)
    assert nxt.counts == session.counts()


def test_a_card_handed_over_is_scheduled_the_same_planned_ahead_or_not(synced, clock) -> None:
    """The screen plans the card handed over while its question is read (`shown_intervals`); a key pressed
    before that answers it all the same: the answer plans it itself, to the same schedule."""
    due_dates = []
    for plan_ahead in (True, False):
        session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(bury_siblings=False))
        first = session.next_card()
        handed: list[NextCard] = []
        session.answer(first.card.id, Rating.GOOD, show_next=handed.append)
        shown = handed[0].due.card.id
        if plan_ahead:
            session.shown_intervals(shown)
        due_dates.append(session.answer(shown, Rating.GOOD).due)
        session.undo()
        session.undo()
    assert due_dates[0] == due_dates[1]


def test_a_failed_commit_rolls_back_and_the_session_is_as_before(synced, clock, backend) -> None:
    if backend != "sqlite":
        pytest.skip("the failing commit is set up with an SQLite trigger")
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(bury_siblings=False))
    first = session.next_card()
    assert first is not None
    counts, undo = session.counts(), session.can_undo()
    with synced.raw_write() as con:  # every log row also writes a row whose reference COMMIT checks (and refuses)
        con.execute("CREATE TABLE doomed (ref INTEGER REFERENCES review_log(id) DEFERRABLE INITIALLY DEFERRED)")
        con.execute("CREATE TRIGGER doom AFTER INSERT ON review_log BEGIN INSERT INTO doomed VALUES (-1); END")
    handed: list[NextCard] = []
    with pytest.raises(Exception, match="FOREIGN KEY"):
        session.answer(first.card.id, Rating.GOOD, show_next=handed.append)
    assert len(handed) == 1  # the next card had been handed over: the screen must take it back
    assert logged(synced) == 0
    assert (session.counts(), session.can_undo()) == (counts, undo)
    assert session.next_card().card.id == first.card.id
    with synced.raw_write() as con:
        con.execute("DROP TRIGGER doom")
    session.answer(first.card.id, Rating.GOOD, show_next=handed.append)  # the same card, answered again: kept
    assert logged(synced) == 1 and session.can_undo()
    session.undo()
    assert logged(synced) == 0


def test_no_card_handed_over_when_none_is_left(synced, clock) -> None:
    session = ReviewSession(synced, "Basics", clock=clock, settings=no_fuzz(bury_siblings=False))
    handed: list[NextCard] = []
    while (due := session.next_card()) is not None:
        session.answer(due.card.id, Rating.EASY, show_next=handed.append)
    assert len(handed) == logged(synced) - 1  # every answer but the last handed a card over
