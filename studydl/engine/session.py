"""A review session: hands out due cards under the session rules, commits each answer.

Order: learning cards due now; then reviews in the preset's review order and new cards
in its new-card order, mixed evenly, after or before the reviews as the preset says
(within each deck's daily limits); then, with nothing else left, a learning card due
within the learn-ahead window (20 minutes, as Anki). Answering buries the card's siblings until
the next study day. Every answer is one write transaction, committed before `answer`
returns. Answers, suspends, buries and flags go on one undo stack (`engine.undo`), undone
newest first; a refused undo stays on the stack.

A session built without explicit settings follows the store's: before handing out each
card it compares the stored settings with those it runs on, and takes up a change
(`studydl optimize` or the settings screen in another window) from that card on (on
SQLite it reads them only when the store changed since: `settings_follow.py`).

Loading the queue, picking and showing a card and answering it use the database's
plain DB-API transactions (`Database.raw_read`/`raw_write`, SQLite or PostgreSQL): the
same transactions as `read`/`write`, without a SQLAlchemy Session per call, which cost
more than the statements themselves. On SQLite, while nobody else writes, a card is shown
in one statement and answered in five, the next card read among them (engine/memory_pick.py);
its buttons are planned while its question is read (engine/session_idle.py `prepare`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from studydl.domain.errors import StudyError
from studydl.domain.review import (
    Answered,
    CardState,
    DueCard,
    NextCard,
    QueueCounts,
    Rating,
    SessionSummary,
)
from studydl.engine import card_sql, memory_pick
from studydl.engine import undo as undo_data
from studydl.engine.answer import AnswerResult, Known, Shown, apply_answer
from studydl.engine.card_plan import Planned, deck_name_of, plan_card
from studydl.engine.load_balancer import LoadBalancer, load_balancer
from studydl.engine.memory_pick import StaleRead, carry_learning, mark_check, pick_from_memory
from studydl.engine.queue import Queue, Scope
from studydl.engine.queue_counts import count_answer
from studydl.engine.scheduler import CardScheduler
from studydl.engine.session_actions import CardActions
from studydl.engine.session_idle import IdleWork
from studydl.engine.session_summary import session_summary
from studydl.engine.settings import Settings, load_settings
from studydl.engine.settings_follow import SettingsFollower
from studydl.store.db import Database
from studydl.store.hot import HotSQL
from studydl.store.queries import card_view

LEARN_AHEAD = timedelta(minutes=20)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ReviewSession(CardActions, IdleWork):
    """One sitting of reviews over all decks, one deck, or one section of a deck."""

    def __init__(
        self,
        db: Database,
        deck: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        settings: Settings | None = None,
        *,
        section: str | None = None,
        learn_ahead: timedelta = LEARN_AHEAD,
    ) -> None:
        self.db = db
        self.clock = clock
        self.follows_store = settings is None
        """Settings come from the store and are re-read before each card."""
        self.settings = settings if settings is not None else load_settings(db)
        self.scheduler = CardScheduler(self.settings)
        self._follower = SettingsFollower()
        self.scope = Scope(deck, section)
        self.learn_ahead = learn_ahead
        self._lock = threading.RLock()
        self._undo: list[undo_data.UndoEntry] = []
        self._reviewed = 0
        self._mixed = {"new": 0, "review": 0}
        self._balancer: LoadBalancer | None = None
        self._offered: list[int] = []
        """Cards the learner accepted to review next (a lapse's prerequisite: take_offer)."""
        self._shown: Shown | None = None
        """The last card's buttons as computed for it (`answer` applies them if still valid)."""
        self._shown_read: tuple[SimpleNamespace, list[tuple], tuple] | None = None
        """The last card and its note as read, and the change mark of that read (`_write_answer`)."""
        self._to_plan: tuple[SimpleNamespace, list[tuple]] | None = None
        """The card on screen and its note, handed over by an answer without its buttons' plan (`prepare`)."""
        self._prefetched: memory_pick.Prefetched | None = None  # the next card as read in the last answer's transaction
        self._started = self._now()
        self._queue = self._load(self._started)
        if deck is not None and not self._queue.deck_ids:
            known = ", ".join(sorted(set(self._queue.names.values()))) or "none yet; run `studydl sync`"
            raise StudyError(f"no deck named {deck!r} (decks: {known})")

    # -- time and counts -------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def _load(self, now: datetime) -> Queue:
        """Today's queue, and the load balancer's counts of the days ahead (one snapshot)."""
        start, end = self.scheduler.days.bounds(now)
        queue = Queue(self.scope, self.settings, start, end)
        with self.db.raw_read() as con:
            queue.load(con, now)
            self._balancer = load_balancer(con, self.settings, now, queue.names)
        return queue

    def _today(self, now: datetime) -> Queue:
        """The queue, recounted when a new study day has begun."""
        if now >= self._queue.day_end:
            self._queue = self._load(now)
        return self._queue

    def _follow_settings(self, con: HotSQL, now: datetime, mark: tuple | None) -> None:
        """Take up settings changed in the store since the last card (when following it)."""
        if not self.follows_store:
            return
        fresh = self._follower.changed(con, mark)
        if fresh is not None and fresh != self.settings:
            self.settings = fresh
            self.scheduler = CardScheduler(fresh)
            self._queue = self._load(now)

    def counts(self) -> QueueCounts:
        """New, learning and review cards left today (limits and burying applied)."""
        with self._lock:
            return self._today(self._now()).counts()

    # -- handing out cards -----------------------------------------------------

    def next_card(self) -> DueCard | None:
        """The card to show now, with each button's interval; None when nothing is due."""
        with self._lock:
            now = self._now()
            shown = self._next_from_memory(now)
            if shown is not None:
                return shown
            with self.db.raw_read() as con:
                mark = con.change_mark()
                self._follow_settings(con, now, mark)
                queue = self._today(now)
                if queue.learning is None or queue.learning.mark != mark:
                    queue.load_learning(con, mark, queue.day_end + self.learn_ahead)
                card_id = self._offered.pop(0) if self._offered else self._pick(con, queue, now)
                if card_id is None:
                    return None
                return self._due_card(con, card_id, now, mark)

    def _next_from_memory(self, now: datetime) -> DueCard | None:
        """The next card in one statement outside a transaction, picked from memory (engine/memory_pick.py);
        None when a query must pick it, or the store changed since the queue was known current."""
        queue = self._queue
        learning = queue.learning
        if self._offered or not memory_pick.memory_knows(queue, now):
            return None
        if self.follows_store and not self._follower.current(learning.mark):
            return None
        with self.db.raw_single() as con:
            pre, self._prefetched = self._prefetched, None
            picked = memory_pick.prefetched_pick(con, queue, pre, now) or pick_from_memory(con, queue, now, self.learn_ahead, self._new_turn)
            if picked is None:
                return None
            card_id, state, take = picked
            read = memory_pick.prefetched_read(con, pre, card_id, learning.mark)
            row, note_cards, version = read or card_sql.card_with_note_versioned(con, card_id)
            if row is None or (read is None and con.change_mark(version) != learning.mark):
                return None
            if state is not None and not queue.waiting(row, now, state):
                return None  # (a sibling buried since the list was read): the queries pass it
            take()
            planned = memory_pick.prefetched_plan(pre, now) if read is not None else None
            return self._due_card(con, card_id, now, learning.mark, (row, note_cards), planned)

    def due_card(self, card_id: int) -> DueCard:
        """Any card with its button intervals at this moment (e.g. to show it again after undo)."""
        with self._lock:
            now = self._now()
            self._today(now)  # the balancer's counts are today's
            with self.db.raw_read() as con:
                return self._due_card(con, card_id, now, None)

    def _due_card(
        self, con: HotSQL, card_id: int, now: datetime, mark: tuple | None, read: tuple | None = None, planned: Planned | None = None,
    ) -> DueCard:
        """The card and its four buttons, computed once here (or `planned` ahead) and applied by `answer` (as Anki's
        states). `mark`: the change mark the card was read at (kept for `answer`); `read`: the card and its note, read."""
        planned = planned or self._plan(con, card_id, now, read)
        self._shown, self._to_plan = planned.shown, None
        self._shown_read = (planned.row, planned.note_cards, mark) if mark is not None else None
        return planned.due

    def _plan(self, con: HotSQL, card_id: int, now: datetime, read: tuple | None = None) -> Planned:
        return plan_card(con, self._queue, self.scheduler, self._balancer, card_id, now, read)

    def _pick(self, s: HotSQL, queue: Queue, now: datetime) -> int | None:
        card_id = queue.pick_learning(s, now, now)
        if card_id is not None:
            return card_id
        for attempt in range(2):
            counts = queue.counts()
            if counts.new or counts.review:
                first, second = (
                    (queue.pick_new, queue.pick_review) if self._new_turn(counts) else (queue.pick_review, queue.pick_new)
                )
                card_id = first(s, now)
                if card_id is None:
                    card_id = second(s, now)
                if card_id is not None:
                    return card_id
                if attempt == 0:  # counts went stale (another process answered): recount once
                    queue.load(s, now)
        return queue.pick_learning(s, now, now + self.learn_ahead)

    def _new_turn(self, counts: QueueCounts) -> bool:
        """Whether a new card comes next: the preset's new/review mix (Anki's); mixed, new cards are
        spread evenly among reviews (the share shown kept near the share left)."""
        mix = self._queue.options.new_review_mix
        if mix == "before" or not counts.new or not counts.review:
            return bool(counts.new)
        if mix == "after":
            return False
        shown_new, shown = self._mixed["new"], self._mixed["new"] + self._mixed["review"]
        return shown_new * (counts.new + counts.review) < (shown + 1) * counts.new

    # -- answering and undo -----------------------------------------------------

    def answer(
        self,
        card_id: int,
        rating: Rating,
        duration_ms: int | None = None,
        detail: dict[str, object] | None = None,
        *,
        show_next: Callable[[NextCard], None] | None = None,
    ) -> Answered:
        """Schedule the answer and commit it (with the log row) before returning.

        `detail`: what a typed or predicted answer was, kept as JSON on the log row.
        `show_next`: given the next card inside the answer's transaction, before its commit
        (a screen draws it while the fsync runs); not called when none is left, on a
        prerequisite offer, or when only another connection could tell it. The session's
        lock is held until the commit; a failed one rolls back, restores the session, raises.
        """
        rating = Rating(rating)
        offer = self._lapse_offer(card_id, rating)
        if offer is not None:
            detail = {**(detail or {}), "prerequisite_offer": offer.to_log(self._read(card_sql.card_uids, offer.card_ids))}
            show_next = None
        detail_json = json.dumps(detail, sort_keys=True) if detail else None
        with self._lock:
            queue = self._today(self._now())
            read, self._shown_read = self._shown_read, None
            known = read if read is not None and read[0].id == card_id else None
            before = (len(self._undo), self._reviewed, dict(self._mixed), list(self._offered), self._shown)
            try:
                try:
                    return self._write_answer(queue, card_id, rating, duration_ms, detail_json, known, offer, show_next)
                except StaleRead:  # (rolled back) the store changed since the card was read: read it afresh
                    return self._write_answer(queue, card_id, rating, duration_ms, detail_json, None, offer, show_next)
            except BaseException:
                if len(self._undo) > before[0]:  # the answer was counted in: count it out again
                    self._restore(before)
                raise

    def _write_answer(
        self, queue: Queue, card_id: int, rating: Rating, duration_ms: int | None, detail_json: str | None,
        known: tuple[SimpleNamespace, list[tuple], tuple] | None, offer: object | None,
        show_next: Callable[[NextCard], None] | None,
    ) -> Answered:
        """One committed write transaction: the card's update, its siblings' burial, the log row.

        `known`: the card and its note as shown, and the change mark they were read at. If the
        store's mark is still that one (read just before the card's update), they are not read
        again; else StaleRead (the transaction rolls back). The session's learning cards and
        settings, current at the mark before, are carried over the answer. With `show_next`, the
        next card is handed over inside the transaction when it alone can tell it; else read there."""
        with self.db.raw_write() as con:
            # Read the time holding the lock: an answer another process committed while
            # we waited must be earlier than ours in time, as it is in the log.
            now = self._now()
            seen: list[tuple | None] = [con.change_mark() if known is None else None]
            result = apply_answer(
                con, self.scheduler, card_id, rating, now, duration_ms, queue.day_end, detail_json,
                self._balancer, lambda deck_id: queue.names.get(deck_id, ""), self._shown,
                None if known is None else Known(known[0], known[1], mark_check(con, known[2], seen)),
            )
            before = seen[0]
            # Early if this transaction alone can tell the next card (no reload: another connection).
            early = result.deck_id in queue.names and (not self.follows_store or self._follower.current(before))
            self._follower.after_own_write(con, before)
            carry_learning(con, queue, self.scope, result, before)
            answered = self._answered(queue, result, rating, now, offer)
            read_ahead, self._guessed = memory_pick.read_ahead(self._guessed, before, result), None
            if early and show_next is not None:
                self._show_next(con, answered, show_next, read_ahead)
            elif early and not self._offered:  # (a caller without a screen: read warm, before the fsync)
                self._prefetched = memory_pick.prefetch(con, queue, before, now, self.learn_ahead, self._new_turn, read_ahead)
        return answered

    def _answered(self, queue: Queue, result: AnswerResult, rating: Rating, now: datetime, offer: object | None) -> Answered:
        """The session's own counts after an answer written (not yet committed)."""
        self._shown = None
        if self._balancer is not None:
            self._balancer.move(
                result.preset,
                self._balancer.day_counted(int(result.before.state), result.before.due),
                self._balancer.day_counted(int(result.after.state), result.after.due),
            )
        self._count_answer(queue, result, now)
        self._undo.append(result.undo)
        self._reviewed += 1
        assert result.after.due is not None
        return Answered(
            result.card_id, rating, result.after.due, result.interval, leech=result.became_leech,
            review_id=result.review_id, suspended=result.after.suspended, offer=offer,
        )

    def _show_next(self, con: HotSQL, answered: Answered, show_next: Callable[[NextCard], None], read_ahead: Callable) -> None:
        """The next card as the written answer leaves the queue, read in its transaction (or as `read_ahead` read
        it while the card before was read, if that holds), handed to `show_next`."""
        now, queue = self._now(), self._queue
        if now >= queue.day_end:  # a new study day: its queue is read after the commit
            return
        mark = con.change_mark()  # (this transaction's own writes in it: the mark its commit leaves)
        if queue.learning is None or queue.learning.mark != mark:
            queue.load_learning(con, mark, queue.day_end + self.learn_ahead)
        card_id = self._offered.pop(0) if self._offered else self._pick(con, queue, now)
        if card_id is None:
            return
        row, note_cards = read_ahead(card_id) or card_sql.card_with_note(con, card_id)
        if row is None:
            return
        # Its buttons are planned while the question is read (`prepare`, `shown_intervals`): not on the key's path.
        self._shown, self._to_plan = None, (row, note_cards)
        self._shown_read = (row, note_cards, mark) if mark is not None else None
        card = card_view(row, deck_name_of(con, queue, row))
        logged = card_sql.answers_logged(con, card_id) if card.check.predict is not None else 0
        show_next(NextCard(answered, DueCard(card, None), queue.counts(), logged))

    def _restore(self, before: tuple) -> None:  # noqa: ANN001 - (undo length, reviewed, mixed, offered, shown)
        """The session as before an answer whose commit failed: its counts, stack and queue (re-read)."""
        undo_length, self._reviewed, self._mixed, self._offered, self._shown = before
        self._shown_read = self._prefetched = self._to_plan = self._guessed = None
        del self._undo[undo_length:]
        self._queue = self._load(self._now())

    def _lapse_offer(self, card_id: int, rating: Rating):  # -> PrerequisiteOffer | None
        """After the card's repeated lapses, its weakest prerequisite section (studydl.course.lapse_offer)."""
        if rating != Rating.AGAIN or self.settings.lapse_prerequisite <= 0:
            return None
        shown = self._shown
        if shown is not None and shown.plan.card_id == card_id and shown.plan.memory.state != CardState.REVIEW:
            return None  # Again on a new or (re)learning card is no lapse: known from the card as shown, no read
        return self._offer_for(card_id)

    def take_offer(self, card_ids: tuple[int, ...]) -> None:
        """Hand these cards out next, before the queue's (the learner accepted a prerequisite offer)."""
        with self._lock:
            self._offered = [*card_ids, *self._offered]

    def _count_answer(self, queue: Queue, result: AnswerResult, now: datetime) -> None:
        if result.deck_id not in queue.names:  # a deck synced since the session began
            self._queue = self._load(now)
            return
        count_answer(queue, self.scope, result, now)
        kind = {CardState.NEW: "new", CardState.REVIEW: "review"}.get(result.before.state)
        if kind:
            self._mixed[kind] += 1

    def answers_logged(self, card_id: int) -> int:
        """How many answers (cram ones too) the card has in the log: seeds a predict card's draw."""
        return self._read(card_sql.answers_logged, card_id)

    def _read(self, query: Callable, *args: object):  # noqa: ANN202
        with self.db.raw_read() as con:
            return query(con, *args)

    # -- summary ---------------------------------------------------------------

    def summary(self) -> SessionSummary:
        """Answers kept this session, time since it began, today's retention."""
        with self._lock:
            now = self._now()
            day_start = self._today(now).day_start
            return session_summary(self.db, day_start, self._reviewed, (now - self._started).total_seconds())
