"""What next card + answer send to SQLite: the statements a card costs, counted.

Each statement of the hot path is a round of Python, the driver and SQLite (tens of
microseconds at 100,000 cards); the bench (bench/answer_latency.py) weighs them against
Anki's. Traced on the session's own connections (a statement that fires triggers is
reported once more per trigger program by the driver: those repeats are not counted).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from studydl.decks.sync import sync_decks
from studydl.domain.review import NextCard, Rating
from studydl.engine.memory_pick import Guessed, guessed_read
from studydl.engine.presets import write_preset_fields
from studydl.engine.session import ReviewSession
from studydl.store.db import Database
from tests.engine.engine_samples import BASICS, OTHER, START, Clock


class Traced:
    """Statements sent on a database's hot-path connections, per action."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sent: list[str] = []
        self._traced: set[int] = set()

    def during(self, action: Callable[[], object]) -> tuple[object, list[str]]:
        for con in self.db._raw_all:  # the session's own connections (test-only reach inside)
            if id(con) not in self._traced:
                con.set_trace_callback(self.sent.append)
                self._traced.add(id(con))
        self.sent.clear()
        result = action()
        statements = [sql for i, sql in enumerate(self.sent) if i == 0 or sql != self.sent[i - 1]]
        return result, statements


def _session(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> tuple[Database, ReviewSession, Clock]:
    db = Database(tmp_path / "statements.db")
    sync_decks(db, [write_deck("basics.md", BASICS), write_deck("other.md", OTHER)], clock=lambda: START - timedelta(days=1))
    clock = Clock()
    return db, ReviewSession(db, clock=clock), clock


def _reads_settings(statements: list[str]) -> bool:
    return any("FROM presets" in sql for sql in statements)


def test_a_card_reads_the_settings_only_when_they_changed(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    db, session, clock = _session(tmp_path, write_deck)
    try:
        trace = Traced(db)
        trace.during(session.next_card)  # the first card may read them
        per_card = []
        for step in range(8):
            due, shown = trace.during(session.next_card)
            assert due is not None
            _, answered = trace.during(lambda due=due, step=step: session.answer(due.card.id, (Rating.GOOD, Rating.AGAIN)[step % 2], 3000))
            assert not _reads_settings(shown), shown
            per_card.append((len(shown), len(answered)))
            clock.advance(minutes=3)
        # At most, when the queue in memory cannot tell (see the next test for the usual): BEGIN,
        # the change check, one or two picks, the card with its note, COMMIT; BEGIN IMMEDIATE,
        # the change check, the card with its note, its update (and a sibling's burial), the
        # log row, the next card's change check and read, COMMIT.
        assert max(shown for shown, _ in per_card) <= 6 and max(answered for _, answered in per_card) <= 9, per_card
        # A change the session did not make, on the very connection it uses, is still taken up.
        with db.raw_write() as con:
            write_preset_fields(con, "Default", {"new_per_day": 1})
        due, shown = trace.during(session.next_card)
        assert _reads_settings(shown) and session.settings.new_per_day == 1
    finally:
        db.dispose()


def test_new_cards_in_file_order_are_read_once_per_deck_not_sorted_per_card(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """Each pick of a deck's next new card was a range read and a sort of the deck's new cards; now
    the deck's new cards are read once in file order and each pick checks one card is still new."""
    db, session, _clock = _session(tmp_path, write_deck)
    try:
        trace = Traced(db)
        shown_ids, sorted_reads = [], []
        for _ in range(5):  # no time passes: each Good leaves a learning card due later, so a new card comes next
            due, shown = trace.during(session.next_card)
            assert due is not None and due.card.state == 0
            shown_ids.append(due.card.id)
            sorted_reads.append(sum("state = 0" in sql and "ORDER BY due, id" in sql for sql in shown))
            trace.during(lambda due=due: session.answer(due.card.id, Rating.GOOD, 3000))
        assert sorted_reads[1:] == [0, 0, 0, 0], sorted_reads
        assert shown_ids == sorted(shown_ids)  # file order (ids follow it in the sample decks)
    finally:
        db.dispose()


def _own(statements: list[str]) -> list[str]:
    """Statements the session sent: SQLite also reports the one a `pragma_data_version()` read runs inside
    another statement, as `-- PRAGMA ...`, and the outer statement again after it (a sub-program, not a
    statement of its own)."""
    sent = [sql for sql in statements if not sql.startswith("-- ")]
    return [sql for i, sql in enumerate(sent) if i == 0 or sql != sent[i - 1]]


NEXT_READ = ("PRAGMA data_version", "SELECT ")
"""What an answer adds to its writes: the next card's change check and its read with its note."""
CARD_READ = "FROM cards WHERE note_uid = (SELECT note_uid FROM cards WHERE id = "
"""A card's read with its note (`card_sql.card_with_note`)."""


def test_a_card_is_shown_in_one_statement_and_answered_in_four(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """Issue 24 item 1: next card + answer were about 12 statements (BEGIN, the change check, the pick,
    the card, COMMIT; BEGIN IMMEDIATE, the change check, the card again, its update, the log row,
    COMMIT). The queue is in memory while the store is unchanged, so the answer does not read the
    card again: BEGIN IMMEDIATE, the change counter (its own statement: as the UPDATE's RETURNING
    subquery it cost more than the UPDATE), its update, the log row, COMMIT, and a burial of the
    card's siblings if it has any. Before its COMMIT it reads the card a pick from memory gives
    next, with its note (the pages are warm from the write), so showing that card is one statement
    outside a transaction: the store's change counter, unmoved since that read."""
    db, session, clock = _session(tmp_path, write_deck)
    try:
        trace = Traced(db)
        per_card, reads = [], []
        for step in range(24):
            due, shown = trace.during(session.next_card)
            assert due is not None
            clock.advance(minutes=3)  # read, then answered (the next card is shown at once)
            _, answered = trace.during(lambda due=due, step=step: session.answer(due.card.id, (Rating.GOOD, Rating.AGAIN, Rating.GOOD)[step % 3], 3000))
            own = _own(answered)
            writes = [sql for sql in own if not sql.startswith(NEXT_READ) and not sql.startswith("UPDATE cards SET buried_until")]
            assert own.count("PRAGMA data_version") <= 1, own  # (the change check; the next card's read needs none)
            per_card.append((_own(shown), len(writes)))
            reads.append(own.index("COMMIT") - own.index(next(sql for sql in own if sql.startswith("SELECT "))) if any(sql.startswith("SELECT ") for sql in own) else 0)
        steady = per_card[4:]  # (the first cards read each deck's new cards and the day's reviews)
        # (the card a pick from memory gives may be a sibling the answer just buried: the queries pick then)
        assert sum(shown[0] == "PRAGMA data_version" and not any(CARD_READ in sql for sql in shown) for shown, _ in steady) >= len(steady) - 2, per_card
        assert all(writes == 4 for _, writes in steady), per_card
        assert sum(before_commit > 0 for before_commit in reads[4:]) >= len(steady) - 2, reads  # read before COMMIT
    finally:
        db.dispose()


def test_the_next_card_read_in_the_answer_is_dropped_when_another_process_writes(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """The next card is read in the answer's transaction; a change another connection commits before it
    is shown moves the store's change counter, and the card is read again: shown as it is now."""
    db, session, _clock = _session(tmp_path, write_deck)
    other = Database(tmp_path / "statements.db")
    try:
        for _ in range(3):  # past the first cards' reads of the queue
            due = session.next_card()
            assert due is not None
            session.answer(due.card.id, Rating.GOOD, 3000)
        trace = Traced(db)
        expected = session._prefetched  # noqa: SLF001 - test-only reach: which card the answer read
        assert expected is not None
        with other.raw_write() as con:
            con.execute("UPDATE cards SET question = 'Reworded elsewhere?' WHERE id = ?", (expected[0],))
        due, shown = trace.during(session.next_card)
        assert due is not None and due.card.id == expected[0]
        assert due.card.question == "Reworded elsewhere?"
        assert any(CARD_READ in sql for sql in _own(shown)), shown
    finally:
        other.dispose()
        db.dispose()


def test_the_next_card_read_in_the_answer_is_not_used_for_another_card(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """Time passing between the answer and the next card can change the pick (a learning card falls
    due); the card read in the answer is then not the one shown, and the one shown is read."""
    db, session, clock = _session(tmp_path, write_deck)
    try:
        first = session.next_card()
        assert first is not None
        session.answer(first.card.id, Rating.AGAIN, 3000)  # due again in a minute
        read_in_answer = session._prefetched  # noqa: SLF001 - test-only reach
        assert read_in_answer is not None and read_in_answer[0] != first.card.id
        clock.advance(minutes=30)
        trace = Traced(db)
        due, shown = trace.during(session.next_card)
        assert due is not None and due.card.id == first.card.id and due.card.state != 0
        assert any(CARD_READ in sql for sql in _own(shown)), shown
    finally:
        db.dispose()


def test_the_queue_in_memory_takes_up_another_process_writes(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """What another connection commits moves the store's change counter: the next card is picked by
    the queries again (a learning card suspended elsewhere is not shown), and an answer to a card
    another process answered since it was shown is scheduled from the card as it is now."""
    db, session, clock = _session(tmp_path, write_deck)
    other = Database(tmp_path / "statements.db")
    try:
        first = session.next_card()
        assert first is not None
        session.answer(first.card.id, Rating.AGAIN, 3000)
        clock.advance(minutes=30)  # the learning card is due again, and first
        with other.raw_write() as con:
            con.execute("UPDATE cards SET suspended = TRUE WHERE id = ?", (first.card.id,))
        due = session.next_card()
        assert due is not None and due.card.id != first.card.id
        elsewhere = ReviewSession(other, clock=clock)
        assert elsewhere.next_card().card.id == due.card.id
        elsewhere.answer(due.card.id, Rating.GOOD, 3000)
        answered = session.answer(due.card.id, Rating.GOOD, 3000)
        with db.raw_read() as con:
            reps = [r for (r,) in con.execute("SELECT json_extract(state_before, '$.reps') FROM review_log WHERE card_id = ? ORDER BY id", (due.card.id,))]
        assert reps == [0, 1] and answered.review_id
    finally:
        other.dispose()
        db.dispose()


def test_the_card_guessed_while_one_is_read_is_not_read_again_by_the_answer(tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:
    """While a card is read, the session guesses and reads the cards that may come after it (`upcoming`,
    as the review screen has it do to draw the next card ahead); the answer that picks one of them takes
    that read instead of reading the card again, unless the store changed since (another process wrote,
    here rewording the guessed card: then it is read, and shown as it is now)."""
    db, session, _clock = _session(tmp_path, write_deck)
    other = Database(tmp_path / "statements.db")
    try:
        trace = Traced(db)
        due = session.next_card()
        steps = []
        for step in range(5):
            guessed = session.upcoming()
            assert guessed is not None, steps
            ahead = set(session._guessed)  # noqa: SLF001 - test-only reach: the cards read ahead
            if step == 4:  # the guessed card reworded elsewhere, between the guess and the answer
                with other.raw_write() as con:
                    con.execute("UPDATE cards SET question = 'Reworded elsewhere?' WHERE id = ?", (guessed.id,))
            _, answered = trace.during(lambda due=due: session.answer(due.card.id, Rating.EASY, 3000))
            due = session.next_card()
            steps.append((due.card.id in ahead, any(CARD_READ in sql for sql in _own(answered)), due.card.id == guessed.id))
        # A card read ahead is not read again (but where the answer buried a sibling of it: read).
        assert all(not read for was_ahead, read, _ in steps[:4] if was_ahead), steps
        assert sum(was_ahead and not read for was_ahead, read, _ in steps[:4]) >= 3, steps
        assert steps[4] == (True, True, True) and due.card.question == "Reworded elsewhere?", steps
        # The same as the review screen has it: the next card handed over inside the answer.
        guessed = session.upcoming()
        assert guessed is not None
        with other.raw_write() as con:
            con.execute("UPDATE cards SET question = 'Reworded again?' WHERE id = ?", (guessed.id,))
        handed: list[NextCard] = []
        session.answer(due.card.id, Rating.EASY, 3000, show_next=handed.append)
        assert handed == []  # (another process wrote: the screen asks for the next card after the commit)
    finally:
        other.dispose()
        db.dispose()


def test_a_read_ahead_holds_only_at_its_mark_and_for_a_note_the_answer_did_not_write() -> None:
    """memory_pick.guessed_read: the read ahead of the card picked, at the mark the answer's transaction
    began at, its note's cards none of those the answer wrote (the answered card, the siblings it buried)."""
    row, mark = SimpleNamespace(id=7), ("con", 3, 10)
    guessed = {7: Guessed(7, row, [(7,), (8,)], mark)}
    assert guessed_read(guessed, 7, before=mark, written={1}) == (row, [(7,), (8,)])
    assert guessed_read(guessed, 9, before=mark, written={1}) is None  # another card picked
    assert guessed_read(guessed, 7, before=("con", 4, 10), written={1}) is None  # another process wrote since
    assert guessed_read(guessed, 7, before=("con", 3, 11), written={1}) is None  # this connection wrote since
    assert guessed_read(guessed, 7, before=mark, written={1, 8}) is None  # the answer buried its sibling
    assert guessed_read({7: Guessed(7, row, [(7,)], None)}, 7, before=None, written={1}) is None  # (PostgreSQL)
