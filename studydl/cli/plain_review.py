"""`review --plain`: the review loop as lines on stdout, read from stdin (works over a pipe).

Card text is rendered by rich from the same Markdown tokens the app shows (math as
Unicode). A typed card asks for the answer and shows a character diff; a predict card
asks for a prediction, runs its demo (or reuses the cached run) and shows the measured
value; both then propose a rating that Enter accepts and 1-4 override. On those two
prompts, commands start with `/` (`/q`, `/s`, `/b`, `/f`, `/u`), since an answer may be
any text. `--cram` reviews every card of the deck and logs the answers as cram.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import PurePath
from typing import TextIO

import click
from rich.console import Console

from studydl.cli.context import CliContext
from studydl.domain.review import DueCard, Rating, format_interval
from studydl.domain.words import plural

RATING_KEYS = {"1": Rating.AGAIN, "2": Rating.HARD, "3": Rating.GOOD, "4": Rating.EASY}
ACTION_KEYS = ("u", "s", "b", "f")
HINT = "u undo · s suspend · b bury · f flag · q quit"
SLASH_HINT = "/u undo · /s suspend · /b bury · /f flag · /q quit"


def _say(text: str = "") -> None:
    """Print and flush at once: a pipe reader sees each line as soon as it is true."""
    click.echo(text)
    sys.stdout.flush()


def _read(stream: TextIO, prompt: str, lower: bool = True) -> str | None:
    """One line from the input, or None at end of input."""
    _say(prompt)
    line = stream.readline()
    if line == "":
        return None
    return line.strip().lower() if lower else line.strip()


def _read_key(stream: TextIO, prompt: str) -> str | None:
    """A key at a rating or show-answer prompt: `q` and `/q` alike (the typed prompts need the `/`)."""
    key = _read(stream, prompt)
    return key[1:].strip() or "q" if key is not None and key.startswith("/") else key


def _rendered(renderable: object, width: int = 100) -> str:
    """rich's rendering as text lines (colour only on a terminal), trailing spaces dropped."""
    buffer = io.StringIO()
    colour = sys.stdout.isatty()
    Console(file=buffer, width=width, force_terminal=colour, no_color=not colour, highlight=False).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def _side(label: str, markdown: str) -> str:
    """`Q: first line` with the card's further lines indented under it."""
    from studydl.render.rich_card import RichCard

    lines = _rendered(RichCard(markdown)).split("\n")
    return "\n".join([f"{label} {lines[0]}", *(f"   {line}" if line else "" for line in lines[1:])])


class PlainReview:
    """One plain review session (scheduled or cram) on a stream of input lines."""

    def __init__(self, obj: CliContext, deck: str | None, stream: TextIO, cram: bool = False) -> None:
        from studydl.engine.cram import CramSession
        from studydl.engine.session import ReviewSession

        self.obj, self.stream, self.cram = obj, stream, cram
        self.session = CramSession(obj.db, deck) if cram else ReviewSession(obj.db, deck)
        from studydl.store.queries import deck_rows

        with obj.db.read() as s:
            self.deck_files = {name: PurePath(rel).name for _id, name, rel in deck_rows(s)}
        """Deck name -> its file's name: a card is named by where it is written, not by its id."""

    # -- the loop -------------------------------------------------------------------

    def run(self) -> None:
        if self.cram:
            _say("Cram: every card of the deck, due or not; answers are logged as cram and change no schedule.")
        while True:
            due = self.session.next_card()
            if due is None:
                _say("Nothing more to cram." if self.cram else "Nothing more is due now.")
                break
            if not self._card(due):
                break
        summary = self.session.summary()
        cram = f", {summary.cram_today} of them cram" if summary.cram_today else ""
        today = f"; {summary.correct_today} of {plural(summary.answers_today, 'answer')} correct today ({summary.correct_share:.0%}{cram})" if summary.answers_today else ""
        retention = f"; review retention today {summary.retention_today:.0%}" if summary.retention_today is not None else ""
        _say(f"Reviewed {plural(summary.reviewed, 'card')} in {summary.seconds / 60:.1f} min{today}{retention}.")

    def _card(self, due: DueCard) -> bool:
        """Show one card and act on the learner's keys; False to end the session."""
        card, counts = due.card, self.session.counts()
        left = f"cram · {counts.total} left" if self.cram else f"new {counts.new} · learning {counts.learning} · review {counts.review}"
        where = " › ".join(part for part in (card.deck, card.section) if part)
        _say(f"\n[{where}] {self.deck_files.get(card.deck, '')}:{card.source_line}   {left}")
        _say(_side("Q:", card.question))
        self.session.prepare()  # (while the question is read: what Again would offer, worked out)
        self.session.checkpoint()  # (and the store's log written out)
        started = time.monotonic()
        proposed: Rating | None = None
        detail: dict[str, object] | None = None
        if card.check.predict is not None:
            key, proposed, detail = self._predict(due)
        elif card.check.typed:
            key, proposed, detail = self._typed(due)
        else:
            key = _read_key(self.stream, f"(Enter: show answer · 1-4 rate · {HINT})")
            if key == "":
                _say(_side("A:", card.answer))
        if key == "":
            hint = f"Enter: {proposed.name.title()} · " if proposed is not None else ""
            key = _read_key(self.stream, f"{self._buttons(due)}   ({hint}{HINT})")
            if key == "" and proposed is not None:
                key = str(int(proposed))
        while key not in (None, "q", *ACTION_KEYS, *RATING_KEYS):
            key = _read_key(self.stream, "Type 1, 2, 3 or 4 (or u, s, b, f, q).")
        if key is None or key == "q":
            return False
        if key in ACTION_KEYS:
            self._action(key, due)
            return True
        rating = RATING_KEYS[key]
        answered = self.session.answer(card.id, rating, int((time.monotonic() - started) * 1000), detail)
        if self.cram:
            _say(f"saved {card.id} {rating.name.lower()}  (cram: schedule unchanged)")
        else:
            _say(f"saved {card.id} {rating.name.lower()}  next in {format_interval(answered.interval)}")
        if answered.leech:
            _say("this card is a leech" + (" and was suspended" if answered.suspended else ""))
        return True

    def _buttons(self, due: DueCard) -> str:
        return "   ".join(
            f"{n} {r.name.title()} {format_interval(due.intervals[r]) if r in due.intervals else 'end'}"
            for n, r in RATING_KEYS.items()
        )

    def _command(self, line: str | None) -> str | None:
        """A `/x` command on a typed or predict prompt as its key; None at end of input."""
        if line is None:
            return None
        return line[1:].strip().lower() or "q"

    # -- typed and predict cards ----------------------------------------------------

    def _typed(self, due: DueCard) -> tuple[str | None, Rating | None, dict[str, object] | None]:
        from studydl.engine.typed_answer import compare, expected_answer
        from studydl.render.answer_text import typed_diff

        line = _read(self.stream, f"Type the answer, then Enter ({SLASH_HINT})", lower=False)
        if line is None or line.startswith("/"):
            return self._command(line), None, None
        result = compare(line, expected_answer(due.card))
        _say(_rendered(typed_diff(result, colour=sys.stdout.isatty())))
        _say(_side("A:", due.card.answer))
        return "", result.proposed, result.detail()

    def _predict(self, due: DueCard) -> tuple[str | None, Rating | None, dict[str, object] | None]:
        from studydl.engine.predict import draw, read_guess
        from studydl.render.answer_text import choices_line, params_line, prediction_prompt

        card = due.card
        prediction = card.check.predict
        assert prediction is not None and card.demo_id is not None
        params = draw(prediction, card.id, self.session.answers_logged(card.id))
        _say(params_line(card.demo_id, params))
        if prediction.choices:
            _say(choices_line(prediction))
        while True:
            line = _read(self.stream, f"{prediction_prompt(prediction)} ({SLASH_HINT})", lower=False)
            if line is None or line.startswith("/"):
                return self._command(line), None, None
            try:
                guess = read_guess(prediction, line)
                break
            except ValueError as exc:
                _say(f"Not a prediction: {exc}.")
        return self._settle(due, params, guess)

    def _settle(self, due, params, guess):  # noqa: ANN001, ANN202
        """Run the demo (or reuse its cached run), show the verdict and the answer."""
        from studydl.demos.errors import DemoError
        from studydl.demos.measure import CACHE_FOLDER, measure
        from studydl.engine.predict import DEMO_SEED, NoVerdict, settle
        from studydl.render.answer_text import verdict_text

        card = due.card
        prediction = card.check.predict
        _say(f"Running {card.demo_id}…")
        try:
            measured = measure(card.demo_id, params, seed=DEMO_SEED, cache_dir=self.obj.home.root / CACHE_FOLDER)
            verdict = settle(prediction, guess, measured.metrics, measured.stopped)
        except DemoError as exc:
            verdict = NoVerdict(f"the demo could not run ({exc})")
        if isinstance(verdict, NoVerdict):  # the learner rates it; nothing graded is logged
            _say(verdict.text())
            _say(_side("A:", card.answer))
            return "", None, None
        _say(_rendered(verdict_text(prediction, verdict, measured.cached)))
        _say(_side("A:", card.answer))
        detail = {**verdict.detail(), "metric": prediction.metric, "params": params, "demo": card.demo_id, "cached": measured.cached}
        return "", verdict.rating, detail

    # -- actions --------------------------------------------------------------------

    def _action(self, key: str, due: DueCard) -> None:
        from studydl.domain.errors import StudyError

        card = due.card
        if key == "u":
            action = self.session.undo_action()
            try:
                undone = self.session.undo()
            except StudyError as exc:
                _say(f"not undone: {exc}")
                return
            _say(f"undone {undone.id} ({action})" if undone else "nothing to undo")
        elif key == "s":
            self.session.suspend(card.id)
            _say(f"suspended {card.id}")
        elif key == "b":
            self.session.bury(card.id)
            _say(f"buried {card.id} until tomorrow")
        elif key == "f":
            flag = 0 if card.flag else 1
            self.session.set_flag(card.id, flag)
            _say(f"flagged {card.id}" if flag else f"unflagged {card.id}")


def plain_review(obj: CliContext, deck: str | None, stream: TextIO, cram: bool = False) -> None:
    """Run a plain review (or cram) session until q, end of input or nothing left; then the backup a session makes.

    With a server, the other devices' answers are pulled first and this session's pushed at its end.
    """
    obj.sync_answers()
    PlainReview(obj, deck, stream, cram).run()
    obj.sync_answers()
    from studydl.cli.backup import backup_after_session

    backup_after_session(obj)

