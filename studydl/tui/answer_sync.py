"""The app and the shared log (`--db postgresql://...`): sync in the background, say in the footer how it went.

A mixin of StudyApp. With a shared log, the app syncs this device's answers when the
store is open, every few minutes while it stays open, at the end of each review
session and when it closes (studydl/replica). Each sync runs in a worker thread and
never holds the app up: a server away is noticed at once (a short connect timeout),
and the footer of every screen then says "offline, N answers waiting". The count is
kept up to date after each card ("N answers waiting" while the server is there: the
next sync pushes them). Without a shared log none of this runs.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from textual import work

from studydl.domain.words import plural
from studydl.tui.messages import AnswersSynced, DecksChanged

if TYPE_CHECKING:
    from studydl.replica.sync import SyncReport

log = logging.getLogger("studydl.tui")

EVERY_ENV = "STUDYDL_SYNC_MINUTES"
EVERY_MINUTES = 5.0
"""How often the open app syncs (STUDYDL_SYNC_MINUTES changes it)."""


def status_text(offline: bool, waiting: int) -> str:
    """The footer's words: `offline, 3 answers waiting`, `2 answers waiting`, or nothing."""
    if offline:
        return f"offline, {plural(waiting, 'answer')} waiting"
    return f"{plural(waiting, 'answer')} waiting" if waiting else ""


class AnswerSync:
    """Background syncs with the shared log; StudyApp provides home, db, workers and screens."""

    sync_status: str = ""
    """What the footers say about the shared log ("" when nothing needs saying)."""
    _offline = False

    def start_answer_sync(self) -> None:
        """The store is open: sync now, then every few minutes."""
        if self.home.shared_log is None:
            return
        self.sync_answers()
        minutes = float(os.environ.get(EVERY_ENV) or EVERY_MINUTES)
        self.set_interval(minutes * 60, self.sync_answers)

    @work(thread=True, exit_on_error=False, group="answers", exclusive=True, description="Syncing answers")
    def sync_answers(self) -> None:
        """Push and pull now (nothing without a shared log)."""
        if self.db is None or self.home.shared_log is None:
            return
        from studydl.replica.sync import sync_answers

        report = sync_answers(self.db, self.home.shared_log)
        if report.error is not None:
            log.info("answers: offline, %d waiting (%s)", report.waiting, report.error)
        else:
            log.info("answers: pushed %d, pulled %d, %d waiting", report.pushed, report.pulled, report.waiting)
        self.post_message(AnswersSynced(report))

    def count_waiting(self) -> None:
        """After a card, in the review's worker thread: how many answers wait for the next sync (the footer says so)."""
        if self.db is None or self.home.shared_log is None:
            return
        from studydl.replica.sync import waiting_answers

        waiting = waiting_answers(self.db)
        self.call_from_thread(self._show_status, status_text(self._offline, waiting))

    def on_answers_synced(self, message: AnswersSynced) -> None:
        report: SyncReport = message.report
        self._offline = report.error is not None
        self._show_status(status_text(self._offline, report.waiting))
        merged = report.merged
        if merged.answers or merged.undone or merged.cards or merged.settings:
            for screen in self.screen_stack:
                screen.post_message(DecksChanged())

    def _show_status(self, text: str) -> None:
        if text == self.sync_status:
            return
        self.sync_status = text
        from studydl.tui.widgets.footer import StudyFooter

        for screen in self.screen_stack:
            for footer in screen.query(StudyFooter):
                footer.show_status(text)

    def push_at_close(self) -> None:
        """The app closes: one last sync, in this thread (a server away is noticed at once)."""
        if self.db is None or self.home.shared_log is None:
            return
        from studydl.replica.sync import sync_answers

        report = sync_answers(self.db, self.home.shared_log)
        log.info("answers at close: pushed %d, %d waiting%s", report.pushed, report.waiting, f" ({report.error})" if report.error else "")
