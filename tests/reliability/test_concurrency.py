"""Drill: processes sharing one database (a SQLite file; a PostgreSQL server, as two devices
would). A review session while the deck is edited and synced again and again; two review
sessions answering the same deck at once.

Nothing acknowledged is lost, every edit lands, no "database is locked" or traceback
reaches anyone: writers wait for the lock (the real busy timeout) instead of failing.
The processes are forked from one warm interpreter (see test_crash.ForkedCli).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from studydl.domain.review import Rating
from studydl.engine.answer import apply_answer
from studydl.engine.history import replay_card, stored_memory
from studydl.engine.scheduler import CardScheduler
from studydl.engine.session import ReviewSession
from studydl.engine.settings import load_settings
from studydl.home import Home
from studydl.store.models import CardRow, ReviewRow
from tests.backends import cli_args, open_db
from tests.reliability.test_crash import (
    PROMPT,
    Child,
    check_store,
    forked_cli,  # noqa: F401  (the fixture)
    make_collection,
)

TIMEOUT_S = 60.0
START = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


class Reviewer(threading.Thread):
    """Answers cards in a `review --plain` process until told to stop, then quits with `q`."""

    def __init__(self, child: Child, seed: int, answers: int | None = None) -> None:
        super().__init__(daemon=True)
        self.child = child
        self.rng = random.Random(seed)
        self.answers = answers
        self.acked: list[tuple[int, str]] = []
        self.first_ack = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def done(self) -> bool:
        return len(self.acked) >= self.answers if self.answers is not None else self.stop.is_set()

    def run(self) -> None:
        try:
            while not self.done():
                if not self._next_card():
                    return  # nothing more due: the session ended by itself
                if self.rng.random() < 0.3:
                    self.child.send("\n")
                self.child.send(self.rng.choice("1123") + "\n")  # mostly Again/Good: cards stay in learning
                ack = self.child.read_until("saved ")
                assert ack is not None, self.child.lines[-6:]
                card_id, rating = ack.split()[1:3]
                self.acked.append((int(card_id), rating))
                self.first_ack.set()
            if self._next_card():
                self.child.send("q\n")
        except BaseException as exc:  # reported by the test
            self.error = exc
            self.child.kill()
        finally:
            self.first_ack.set()

    def _next_card(self) -> bool:
        line = self.child.read_until(PROMPT, "Nothing more is due")
        return line is not None and line.startswith(PROMPT)

    def finish(self) -> None:
        self.join(TIMEOUT_S)
        alive = self.is_alive()
        if alive:
            self.child.kill()
        returncode = self.child.finish()
        assert not alive, f"reviewer {self.child.pid} hung; output tail {self.child.lines[-6:]}"
        assert self.error is None, f"{self.error!r}; stderr: {self.child.stderr}"
        assert_clean(self.child, returncode)


def assert_clean(child: Child, returncode: int) -> None:
    """Exit 0, nothing on stderr, no lock message or traceback in the output."""
    out = "\n".join(child.lines)
    assert returncode == 0, (returncode, child.stderr, child.lines[-6:])
    assert child.stderr == ""
    assert "locked" not in out.lower() and "Traceback" not in out


def render(cards: dict[str, str]) -> str:
    body = "\n".join(f"Q: {q}\nA: {a}\n" for q, a in cards.items())
    return f"---\ndeck: Drill\n---\n\n# Drill\n\n{body}"


def active_cards(home: Home) -> dict[str, tuple[int, str]]:
    """question: (id, answer) of every card not retired."""
    db = open_db(home)
    try:
        with db.read() as s:
            rows = s.execute(select(CardRow.question, CardRow.id, CardRow.answer).where(CardRow.retired.is_(False))).all()
    finally:
        db.dispose()
    return {q: (card_id, a) for q, card_id, a in rows}


def test_review_while_the_deck_is_edited_and_synced(forked_cli, home: Home, write_deck: Callable[[str, str], Path]) -> None:  # noqa: F811
    cards = {f"Question {i}?": f"Answer {i}, v0." for i in range(40)}
    deck = write_deck("drill.md", render(cards))
    make_collection(home, deck)
    first_ids = {q: card_id for q, (card_id, _) in active_cards(home).items()}
    rng = random.Random(7)

    reviewer = Reviewer(forked_cli.start(*cli_args(home), "review", "--plain"), seed=8)
    reviewer.start()
    assert reviewer.first_ack.wait(TIMEOUT_S)
    deleted, reports = [], []
    try:
        for edit in range(1, 9):
            for q in rng.sample(sorted(cards), 3):
                cards[q] = f"{cards[q].split(',')[0]}, v{edit}."
            cards[f"Added {edit}?"] = f"New answer {edit}."
            gone = rng.choice(sorted(cards))
            deleted.append(gone)
            del cards[gone]
            deck.write_text(render(cards), encoding="utf-8")
            sync = forked_cli.start(*cli_args(home), "sync", str(deck))
            assert_clean(sync, sync.finish(TIMEOUT_S))
            reports.append(sync.lines[-1])
    finally:
        reviewer.stop.set()
        reviewer.finish()

    assert all(r.endswith("; 1 deck files synced, 0 unchanged") for r in reports), reports
    assert len(reviewer.acked) >= 8, "the review should have run through the syncs"
    log = check_store(home)
    assert log == reviewer.acked
    stored = active_cards(home)
    assert {q: a for q, (_, a) in stored.items()} == cards  # every edit, deletion and addition landed
    assert not set(deleted) & set(stored)
    kept = {q: card_id for q, (card_id, _) in stored.items() if q in first_ids}
    assert kept == {q: first_ids[q] for q in kept}  # reworded cards kept their identity (and history)
    print(f"{len(log)} answers interleaved with 8 edit+sync rounds: {reports}")


def test_two_review_sessions_on_one_database(forked_cli, home: Home, write_deck: Callable[[str, str], Path]) -> None:  # noqa: F811
    make_collection(home, write_deck("drill.md", render({f"Question {i}?": f"Answer {i}." for i in range(40)})))
    argv = (*cli_args(home), "review", "--plain")
    reviewers = [Reviewer(forked_cli.start(*argv), seed=seed, answers=15) for seed in (1, 2)]
    for reviewer in reviewers:
        reviewer.start()
    for reviewer in reviewers:
        reviewer.finish()

    a, b = (r.acked for r in reviewers)
    log = check_store(home)  # integrity, and each card's state is the replay of both sessions' answers
    assert len(log) == len(a) + len(b) == 30
    assert Counter(log) == Counter(a + b)
    both = {card for card, _ in a} & {card for card, _ in b}
    print(f"{len(both)} cards answered by both sessions: {sorted(both)}")
    for reviewer in reviewers:
        counts = [line for line in reviewer.child.lines if " card " in line and "new " in line]
        assert not any("-" in line.split("new ", 1)[1] for line in counts), counts


def test_an_answer_that_waited_for_the_lock_is_timed_after_the_answer_that_held_it(home: Home, write_deck: Callable[[str, str], Path]) -> None:
    """The drill above, made deterministic: process B answers card X while A's answer to X waits for the lock.

    A's answer is applied on top of B's, so it must also be later in time; otherwise the
    log (ordered by time) replays to another state than the one stored.
    """
    make_collection(home, write_deck("drill.md", render({f"Question {i}?": f"Answer {i}." for i in range(40)})))
    ticks = iter(START + timedelta(seconds=n) for n in range(1000))
    a_read_the_clock = threading.Event()

    def clock_a() -> datetime:
        now = next(ticks)
        a_read_the_clock.set()
        return now

    db_a, db_b = open_db(home), open_db(home)
    try:
        session_a = ReviewSession(db_a, clock=lambda: next(ticks))
        card_id = session_a.next_card().card.id
        session_a.clock = clock_a
        answering = threading.Thread(target=session_a.answer, args=(card_id, Rating.GOOD), daemon=True)
        with db_b.write() as s:  # B holds the lock: A's answer waits
            answering.start()
            assert a_read_the_clock.wait(TIMEOUT_S)
            apply_answer(s, CardScheduler(load_settings(db_b)), card_id, Rating.HARD, next(ticks), None, None)
        answering.join(TIMEOUT_S)
        assert not answering.is_alive()
        with db_a.read() as s:
            times = list(s.scalars(select(ReviewRow.reviewed_at).where(ReviewRow.card_id == card_id).order_by(ReviewRow.id)))
        assert len(times) == 2 and times[0] < times[1]
        assert replay_card(db_a, card_id) == stored_memory(db_a, card_id)
    finally:
        db_a.dispose()
        db_b.dispose()
