"""The review screen's part for cards that check themselves: the typed answer and the prediction.

A typed card shows an input; Enter compares the text with the expected answer and
shows the character diff. A predict card shows the parameters drawn for this review
(and its choices); Enter reads the prediction and runs the demo in a worker (or
reads its cached run), then shows the measured value beside it. Either way the
answer is revealed with a proposed rating that Enter accepts and 1-4 override.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Input

from studydl.domain.review import DueCard, Rating
from studydl.tui.messages import PredictionSettled
from studydl.tui.widgets.answer_bar import AnswerBar
from studydl.tui.widgets.card_view import CardPanel

if TYPE_CHECKING:
    from studydl.tui.host import StudyHost


class AnswerChecks:
    """Mixed into ReviewScreen: it provides due, busy, study_app, _run, action_reveal, notify."""

    due: DueCard | None
    busy: bool
    study_app: StudyHost

    def _reset_checks(self) -> None:
        self.proposed: Rating | None = None
        """The rating a typed answer or a prediction proposes (Enter accepts it)."""
        self.detail: dict[str, object] | None = None
        """What the typed or predicted answer was, for the log."""
        self.params: dict[str, object] = {}
        """A predict card's parameters drawn for this showing."""
        self.guess: object = None

    def _ask(self, due: DueCard, answers_logged: int) -> None:
        """A typed or predict card: show the input (and a prediction's drawn parameters)."""
        from studydl.render.answer_text import choices_line, params_line, prediction_prompt

        card, typed = due.card, self.query_one("#typed", Input)  # type: ignore[attr-defined]
        typed.value = ""
        prediction = card.check.predict
        if prediction is not None and card.demo_id is not None:
            from studydl.engine.predict import draw

            self.params = draw(prediction, card.id, answers_logged)
            lines = [params_line(card.demo_id, self.params)] + ([choices_line(prediction, "\n")] if prediction.choices else [])
            self.query_one(CardPanel).show_task("\n".join(lines))  # type: ignore[attr-defined]
            typed.placeholder = prediction_prompt(prediction) + " · Enter"
        elif card.check.typed:
            typed.placeholder = "Type the answer · Enter checks it (empty: just show it)"
        else:
            typed.display = False
            panel = self.query_one(CardPanel)  # type: ignore[attr-defined]
            if not panel.has_focus:  # (focusing it again would draw all of it again)
                panel.focus()
            return
        typed.display = True
        typed.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the answer box (a handler by name: Textual's @on does not reach into a mixin)."""
        if event.input.id != "typed":
            return
        event.stop()
        if self.due is None or self.busy:
            return
        card, text = self.due.card, event.value.strip()
        panel = self.query_one(CardPanel)  # type: ignore[attr-defined]
        if not text:  # nothing typed: the answer, rated by hand
            self._stop_asking()
            self.action_reveal()  # type: ignore[attr-defined]
            return
        prediction = card.check.predict
        if prediction is None:
            from studydl.engine.typed_answer import compare, expected_answer
            from studydl.render.answer_text import typed_diff

            result = compare(text, expected_answer(card))
            self.proposed, self.detail = result.proposed, result.detail()
            self._show_checked(typed_diff(result))
            self._stop_asking()
            self.action_reveal()  # type: ignore[attr-defined]
            return
        from studydl.engine.predict import read_guess

        try:
            self.guess = read_guess(prediction, text)
        except ValueError as exc:
            self.notify(f"Not a prediction: {exc}.", severity="warning")  # type: ignore[attr-defined]
            return
        self._stop_asking()
        panel.show_check(f"Running {card.demo_id}…")
        demo_id, params = card.demo_id, dict(self.params)
        self._run(lambda: self._measure(card.id, demo_id, params))  # type: ignore[attr-defined]

    def _stop_asking(self) -> None:
        self.query_one("#typed").display = False  # type: ignore[attr-defined]
        self.query_one(CardPanel).focus()  # type: ignore[attr-defined]

    @work(thread=True, exit_on_error=False, group="predict", description="Running the card's demo")
    def _measure(self, card_id: int, demo_id: str, params: dict) -> None:
        from studydl.demos.errors import DemoError
        from studydl.demos.measure import CACHE_FOLDER, measure
        from studydl.engine.predict import DEMO_SEED

        try:
            result = measure(demo_id, params, seed=DEMO_SEED, cache_dir=self.study_app.home.root / CACHE_FOLDER)
        except DemoError as exc:
            self.post_message(PredictionSettled(card_id, None, error=str(exc)))  # type: ignore[attr-defined]
            return
        self.post_message(PredictionSettled(card_id, result.metrics, result.cached, stopped=result.stopped))  # type: ignore[attr-defined]

    def on_prediction_settled(self, message: PredictionSettled) -> None:
        self.busy = False
        if self.due is None or message.card_id != self.due.card.id:
            return
        card, panel = self.due.card, self.query_one(CardPanel)  # type: ignore[attr-defined]
        prediction = card.check.predict
        assert prediction is not None
        from studydl.engine.predict import NoVerdict, settle
        from studydl.render.answer_text import verdict_text

        if message.metrics is None:
            verdict = NoVerdict(f"the demo could not run ({message.error})")
        else:
            verdict = settle(prediction, self.guess, message.metrics, message.stopped)  # type: ignore[arg-type]
        if isinstance(verdict, NoVerdict):  # the learner rates it; nothing graded is logged
            panel.show_check(verdict.text())
        else:
            self.proposed = verdict.rating
            self.detail = {
                **verdict.detail(), "metric": prediction.metric, "params": self.params, "demo": card.demo_id,
                "cached": message.cached,
            }
            self._show_checked(verdict_text(prediction, verdict, message.cached))
        self.action_reveal()  # type: ignore[attr-defined]

    def _show_checked(self, check: Text) -> None:
        """The checked answer and the rating it proposes, in words and on its button (Enter gives it)."""
        from studydl.render.answer_text import with_proposal

        assert self.proposed is not None
        self.query_one(CardPanel).show_check(with_proposal(check, self.proposed))  # type: ignore[attr-defined]
        self.query_one(AnswerBar).propose(self.proposed)  # type: ignore[attr-defined]
