"""The review screen's rating key: the answer written in the engine worker, the next card posted before its commit.

The session hands the next card over inside the answer's transaction (ReviewSession.answer's
`show_next`); it is posted at once, so the screen draws it while the commit's fsync runs.
The session's lock keeps the next engine call (another answer, an undo) waiting until the
commit returns; a commit that fails brings the answered card back ("Not saved") and the
app's one error handler says why; leaving the screen or closing the app waits for it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import work

from studydl.domain.review import Answered, DueCard, NextCard, Rating
from studydl.tui.messages import CardPlanned, CardReady, CardUpcoming
from studydl.tui.widgets.answer_bar import AnswerBar

if TYPE_CHECKING:
    from studydl.engine.session import ReviewSession
    from studydl.tui.host import StudyHost

log = logging.getLogger("studydl.tui.review")


def leech_note(answered: Answered) -> str:
    """What to say after an answer that made the card a leech ("" otherwise)."""
    if not answered.leech:
        return ""
    return "Leech: this card was suspended; edit it or unsuspend it in the browser." if answered.suspended else "Leech: this card keeps being forgotten."


class AnswerWork:
    """Mixed into ReviewScreen: it provides session, study_app, app, due, cram, proposed, query_one, post_message,
    _post_next, _logged, _offer_prerequisite.

    The ReviewScreen's `_start` worker calls `_between_cards` after the first card too."""

    session: ReviewSession | None
    study_app: StudyHost
    due: DueCard | None
    cram: bool
    proposed: Rating | None

    def on_unmount(self) -> None:
        """Leaving, or the app closing, right after a rating key: the answer's commit ends first."""
        if self.session is not None:
            self.session.wait_for_writes()

    def on_card_planned(self, message: CardPlanned) -> None:
        if message.due is self.due:  # (the same showing of the card: not a later one of it)
            self._set_intervals(message.intervals)

    def _set_intervals(self, intervals: dict[Rating, timedelta]) -> None:
        """The card on screen's buttons' intervals, come after its question (an answer handed it over); a
        rating a typed answer or a prediction proposed stays marked."""
        assert self.due is not None
        self.due = replace(self.due, intervals=intervals)
        bar = self.query_one(AnswerBar)
        bar.show_intervals(intervals, ends="end" if self.cram else "")
        if self.proposed is not None:
            bar.propose(self.proposed)

    def _between_cards(self, session: ReviewSession) -> None:
        """In the worker, the next card up: what its answer can know ahead (`prepare`), the store's log written out,
        and the card after it guessed, to be drawn ahead."""
        session.prepare()
        session.checkpoint()
        upcoming = session.upcoming()
        if upcoming is not None:
            self.post_message(CardUpcoming(upcoming))

    @work(thread=True, exit_on_error=False, group="engine", description="Saving the answer")
    def _answer(self, session: ReviewSession, card_id: int, rating: Rating, duration_ms: int, detail: dict | None) -> None:
        """Write the answer; the next card is posted before the commit (its fsync runs while the
        frame is drawn), the session's lock keeps the next engine call waiting for the commit."""
        started = time.perf_counter()
        shown: list[NextCard] = []

        def show_next(next_card: NextCard) -> None:
            shown.append(next_card)
            note = leech_note(next_card.answered)
            self.post_message(CardReady(next_card.due, next_card.counts, True, note, next_card.answers_logged))

        try:
            answered = session.answer(card_id, rating, duration_ms, detail, show_next=show_next)
        except Exception:
            if shown:  # the next card is up, and the answer was not saved: its card again
                due = session.due_card(card_id)
                self.post_message(CardReady(due, session.counts(), session.can_undo(), "Not saved: answer it again.", self._logged(session, due)))
            raise  # (the app's one handler says what failed)
        log.debug("answer: %.1f ms", (time.perf_counter() - started) * 1000)
        if shown:
            due = shown[0].due
            intervals = session.shown_intervals(due.card.id)  # (its buttons, planned while the question is read)
            if intervals is not None:
                self.post_message(CardPlanned(due, intervals))
            self.study_app.count_waiting()
        else:
            note = leech_note(answered)
            if answered.offer is not None:  # a repeated lapse: offer its prerequisite first
                self.app.call_from_thread(self._offer_prerequisite, session, answered.offer, note)
            else:
                self._post_next(session, note)
        self._between_cards(session)
