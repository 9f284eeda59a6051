"""Daily review: question, answer, four buttons; the engine runs in a worker thread."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input
from textual.worker import Worker, WorkerState

from studydl.domain.errors import StudyError
from studydl.domain.review import DueCard, Rating
from studydl.tui.host import host
from studydl.tui.messages import (
    CardReady,
    CardReloaded,
    CardUpcoming,
    DecksChanged,
    SessionDone,
)
from studydl.tui.screens.review_answer import AnswerWork
from studydl.tui.screens.review_checks import AnswerChecks
from studydl.tui.screens.review_demo import DemoKey
from studydl.tui.widgets.answer_bar import AnswerBar, Showing
from studydl.tui.widgets.card_view import CardPanel, next_flag
from studydl.tui.widgets.footer import StudyFooter
from studydl.tui.widgets.session_counts import SessionCounts

if TYPE_CHECKING:
    from studydl.engine.session import ReviewSession
    from studydl.tui.host import StudyHost

log = logging.getLogger("studydl.tui.review")


class ReviewScreen(AnswerWork, AnswerChecks, DemoKey, Screen[None]):
    """Reviews the due cards of one deck (or section, or every deck) until none are left."""

    CSS_PATH = "../styles/review.tcss"
    BINDINGS = [
        Binding("escape", "leave", "Decks"),
        Binding("space,enter", "reveal", "Reveal", show=False),  # (the bar under the card says so)
        Binding("space,enter", "accept", "Accept", show=False),
        Binding("1", "answer(1)", "Again", show=False),
        Binding("2", "answer(2)", "Hard", show=False),
        Binding("3", "answer(3)", "Good", show=False),
        Binding("4", "answer(4)", "Easy", show=False),
        Binding("u", "undo", "Undo"),
        Binding("s", "suspend", "Suspend"),
        Binding("b", "bury", "Bury"),
        Binding("f", "flag", "Flag"),
        Binding("e", "edit", "Edit"),
        # `d`: one of three, by the card (check_action): its demo; on a predict card not yet
        # predicted, a notice that it opens after the prediction (the card's marker says so; the
        # key types into the prediction box meanwhile); on a card without a demo, a notice that
        # it has none. The footer shows `d Demo` dimmed where it opens none.
        Binding("d", "demo", "Demo"),
        Binding("d", "demo_later", show=False),
        Binding("d", "no_demo", show=False),
    ]
    QUEUED_WHILE_LOADING = frozenset({"reveal", "accept", "answer", "suspend", "bury", "flag", "edit", "demo", "demo_later", "no_demo"})
    """Keys pressed before the first card is shown are kept and applied to it, in order."""

    def __init__(self, deck: str | None = None, section: str | None = None, *, cram: bool = False) -> None:
        super().__init__()
        self.deck = deck
        self.section = section
        self.cram = cram
        """Every card of the deck, due or not; answers logged as cram, the schedule untouched."""
        self._reset_checks()
        self.session: ReviewSession | None = None
        self.due: DueCard | None = None
        self.revealed = False
        self.busy = True
        """An engine call is under way: keys that would start another wait for its answer."""
        self.can_undo = False
        self._shown_at = 0.0
        self._paused = 0.0
        """Seconds spent away from the card (editor, demo): not part of the answer time."""
        self.starting = True
        """No card shown yet: the session is starting (keys pressed meanwhile wait in `_pending`)."""
        self._pending: list[tuple[str, tuple[object, ...]]] = []
        self._footer_shown: tuple[bool, ...] | None = None
        """`_footer_state()` when the footer last took the keys' states."""

    @property
    def study_app(self) -> StudyHost:
        return host(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionCounts(id="counts")
        yield CardPanel(id="card")
        yield Input(id="typed")
        yield AnswerBar(id="answers")
        yield StudyFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = ("Cram: " if self.cram else "") + " / ".join(p for p in (self.deck or "All decks", self.section) if p)
        self.query_one("#typed").display = False
        self.query_one(CardPanel).focus()
        app = self.study_app
        self._start(app.db, app.clock)
        from studydl.tui.demo_warmup import warm_demos_if_needed

        warm_demos_if_needed(app.db, self.deck)

    # -- engine work (thread) -----------------------------------------------------

    def _post_next(self, session: ReviewSession, note: str = "") -> None:
        started = time.perf_counter()
        due = session.next_card()
        if due is None:
            self.post_message(SessionDone(session.summary()))
        else:
            self.post_message(CardReady(due, session.counts(), session.can_undo(), note, self._logged(session, due)))
        log.debug("next_card + counts: %.1f ms", (time.perf_counter() - started) * 1000)
        self.study_app.count_waiting()  # (offline with a shared log: the footer's count of answers waiting)

    @staticmethod
    def _logged(session: ReviewSession, due: DueCard) -> int:
        """A predict card's answers in the log (seeds its draw); 0 for other cards (no query)."""
        return session.answers_logged(due.card.id) if due.card.check.predict is not None else 0

    @work(thread=True, exit_on_error=False, group="engine", description="Starting the review")
    def _start(self, db, clock) -> None:  # noqa: ANN001
        from studydl.engine.cram import CramSession
        from studydl.engine.session import ReviewSession

        # No settings given: the session reads the store's and follows later changes.
        kind = CramSession if self.cram else ReviewSession
        self.session = kind(db, self.deck, clock=clock, section=self.section)
        self._post_next(self.session)
        self._between_cards(self.session)

    def _offer_prerequisite(self, session: ReviewSession, offer, note: str) -> None:  # noqa: ANN001
        from studydl.tui.screens.prerequisite_offer import PrerequisiteOfferScreen

        def chosen(accept: bool | None) -> None:
            if accept:
                session.take_offer(offer.card_ids)
            self._next(session, note)

        self.app.push_screen(PrerequisiteOfferScreen(offer), chosen)

    @work(thread=True, exit_on_error=False, group="engine", description="Next card")
    def _next(self, session: ReviewSession, note: str = "") -> None:
        self._post_next(session, note)

    @work(thread=True, exit_on_error=False, group="engine", description="Undo")
    def _undo(self, session: ReviewSession, showing: int | None) -> None:
        action = session.undo_action()
        try:
            card = session.undo()
        except StudyError as exc:  # refused: the action stays on the undo stack
            if showing is None:
                self._post_next(session, f"Not undone: {exc}")
            else:
                due = session.due_card(showing)
                self.post_message(CardReady(due, session.counts(), session.can_undo(), f"Not undone: {exc}", self._logged(session, due)))
            return
        if card is None:
            self._post_next(session, "Nothing to undo.")
            return
        due = session.due_card(card.id)
        self.post_message(CardReady(due, session.counts(), session.can_undo(), f"Undone: {action}.", self._logged(session, due)))

    @work(thread=True, exit_on_error=False, group="engine", description="Suspending the card")
    def _suspend(self, session: ReviewSession, card_id: int) -> None:
        session.suspend(card_id)
        self._post_next(session, "Suspended: unsuspend it in the browser.")

    @work(thread=True, exit_on_error=False, group="engine", description="Burying the card")
    def _bury(self, session: ReviewSession, card_id: int) -> None:
        session.bury(card_id)
        self._post_next(session, "Buried until tomorrow (u takes it back).")

    @work(thread=True, exit_on_error=False, group="engine", description="Flagging the card")
    def _flag(self, session: ReviewSession, due: DueCard, flag: int) -> None:
        session.set_flag(due.card.id, flag)
        self.post_message(CardReloaded(DueCard(replace(due.card, flag=flag), due.intervals)))

    @work(thread=True, exit_on_error=False, group="engine", description="Reloading the card")
    def _reload(self, session: ReviewSession, card_id: int) -> None:
        due = session.due_card(card_id)
        if due.card.retired:
            self._post_next(session, "That card is gone from its deck file.")
        else:
            self.post_message(CardReloaded(due))

    def _run(self, start) -> None:  # noqa: ANN001
        """Start one engine call; keys that need its result wait until it posts one.

        The footer is not refreshed here: a key pressed meanwhile is refused by
        check_action all the same, and a frame drawn now would make the next card's
        frame wait for the next frame slot.
        """
        self.busy = True
        start()

    # -- messages from the engine worker ---------------------------------------------

    async def on_card_ready(self, message: CardReady) -> None:
        self.due, self.revealed, self.can_undo = message.due, False, message.can_undo
        self._reset_checks()
        self.query_one(SessionCounts).show(message.counts, cram=self.cram)
        if message.due is not None:
            await self.query_one(CardPanel).show_card(message.due.card, revealed=False)
            self.query_one(AnswerBar).show_intervals(message.due.intervals or {}, ends="end" if self.cram else "")
            self._ask(message.due, message.answers_logged)
        self._show_buttons()
        self._shown_at, self._paused = self.study_app.monotonic(), 0.0
        if message.note:
            self.notify(message.note)
        self.busy = False
        if self._footer_state() != self._footer_shown:  # (most cards change nothing the footer shows)
            self.call_after_refresh(self.refresh_bindings)  # the footer after the card's frame, not before it
        self.call_after_refresh(self.study_app.settle_heap, "review")
        if self.starting:
            self.starting = False
            self._replay_pending()

    def _replay_pending(self) -> None:
        """Apply the keys pressed while the first card loaded, each as it would have acted on the card."""
        pending, self._pending = self._pending, []
        for action, parameters in pending:
            if self.busy or self.due is None:
                break  # an answer among them started the next card: the rest would act on one unseen
            if action == "demo":
                action = self._demo_key()  # (a notice, too, where it cannot open)
                getattr(self, f"action_{action}")()
            elif self.check_action(action, parameters):
                getattr(self, f"action_{action}")(*parameters)

    def on_card_upcoming(self, message: CardUpcoming) -> None:
        self.query_one(CardPanel).prepare(message.card)

    async def on_card_reloaded(self, message: CardReloaded) -> None:
        if message.due is None or self.due is None or message.due.card.id != self.due.card.id:
            return
        self.due = message.due
        await self.query_one(CardPanel).show_card(message.due.card, revealed=self.revealed, keep_checks=True)
        self.can_undo = self.session is not None and self.session.can_undo()  # a flag is undoable
        self.busy = False
        self.refresh_bindings()

    def on_session_done(self, message: SessionDone) -> None:
        self.busy = self.starting = False
        self._pending.clear()
        if message.summary.reviewed == 0 and self.due is None:
            self.notify("Nothing is due here now.", title="No cards to review")
            self.dismiss()
            return
        from studydl.tui.screens.summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(message.summary))

    def on_decks_changed(self, _message: DecksChanged) -> None:
        if self.session is not None and self.due is not None and not self.busy:
            self._run(lambda: self._reload(self.session, self.due.card.id))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app reports the error; here the screen stops waiting (or leaves if it never began)."""
        if event.state is WorkerState.ERROR:  # (worker messages do not bubble: hand it to the app's one handler)
            self.study_app.on_worker_state_changed(event)
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            self.refresh_bindings()
            if self.session is None and self.is_current:
                self.dismiss()

    # -- keys ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which keys work now. A key that cannot is shown dimmed (None), not hidden: the footer
        keeps one set of keys for the whole session, so answering a card never rebuilds it
        (but for `d`, whose meaning follows the card). While the first card loads, the keys
        that act on a card are taken and kept for it (see `_queue`)."""
        if self.starting and action in self.QUEUED_WHILE_LOADING:
            return action not in ("accept", "demo_later", "no_demo")  # (one action per key while queued)
        ready = self.due is not None and not self.busy
        if action == "reveal":
            return (ready and not self.revealed) or None
        if action in ("answer", "accept"):
            return ready and self.revealed
        if action == "undo":
            return (self.can_undo and not self.busy) or None
        if action in {"suspend", "bury", "flag", "edit"}:
            return ready or None
        if action == "demo":  # (shown on every card, dimmed where it opens nothing: the footer stays as it is)
            return (ready and self._demo_key() == "demo") or None
        if action in ("demo_later", "no_demo"):
            return action == self._demo_key() and ready
        return True

    def _footer_state(self) -> tuple[bool | None, ...]:
        """What check_action says now of the footer's keys whose state can change (a card's keys share one)."""
        return tuple(self.check_action(action, ()) for action in ("suspend", "undo", "demo"))

    def refresh_bindings(self) -> None:
        self._footer_shown = self._footer_state()
        super().refresh_bindings()

    def _queue(self, action: str, *parameters: object) -> bool:
        """While the first card loads: keep the key's action for it (True); else False, act now."""
        if not self.starting:
            return False
        self._pending.append((action, parameters))
        return True

    def _show_buttons(self) -> None:
        """One widget draws "Show answer" and the four answers: a card changes what it draws, not the layout."""
        if self.due is None or (not self.revealed and self.query_one("#typed").display):
            showing = Showing.NOTHING
        else:
            showing = Showing.ANSWERS if self.revealed else Showing.REVEAL
        if showing is Showing.ANSWERS and self.due.intervals is None and self.session is not None:
            # Shown before the worker's CardPlanned came (a key right after the card): plan it here.
            intervals = self.session.shown_intervals(self.due.card.id)
            if intervals is not None:
                self._set_intervals(intervals)
        self.query_one(AnswerBar).show(showing)

    def action_reveal(self) -> None:
        if self._queue("reveal"):
            return
        if self.query_one("#typed").display:  # space on a typed card: type first (or Enter on nothing)
            return
        self.revealed = True
        panel = self.query_one(CardPanel)
        panel.set_revealed(True)
        if self.due is not None:
            panel.show_demo_marker(self.due.card.demo_id)
        self._show_buttons()
        self.refresh_bindings()

    def action_answer(self, rating: int) -> None:
        if self._queue("answer", rating):
            return
        assert self.due is not None and self.session is not None
        elapsed = self.study_app.monotonic() - self._shown_at - self._paused
        detail = self.detail
        self._run(lambda: self._answer(self.session, self.due.card.id, Rating(rating), max(0, round(elapsed * 1000)), detail))

    def action_accept(self) -> None:
        """Enter on a revealed card: the proposed rating of a typed or predicted answer, else Good."""
        self.action_answer(int(self.proposed or Rating.GOOD))

    def action_undo(self) -> None:
        showing = self.due.card.id if self.due is not None else None
        self._run(lambda: self._undo(self.session, showing))

    def action_suspend(self) -> None:
        if self._queue("suspend"):
            return
        self._run(lambda: self._suspend(self.session, self.due.card.id))

    def action_bury(self) -> None:
        if self._queue("bury"):
            return
        self._run(lambda: self._bury(self.session, self.due.card.id))

    def action_flag(self) -> None:
        if self._queue("flag"):
            return
        self._run(lambda: self._flag(self.session, self.due, next_flag(self.due.card.flag)))

    def action_edit(self) -> None:
        if self._queue("edit"):
            return
        started = self.study_app.monotonic()
        self.study_app.edit_card(self.due.card)
        self._paused += self.study_app.monotonic() - started

    def action_leave(self) -> None:
        self.dismiss()

    @on(AnswerBar.RevealPressed)
    def _reveal_clicked(self) -> None:
        if self.check_action("reveal", ()):
            self.action_reveal()

    @on(AnswerBar.Chosen)
    def _answer_clicked(self, event: AnswerBar.Chosen) -> None:
        if self.check_action("answer", ()):
            self.action_answer(int(event.rating))
