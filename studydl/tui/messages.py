"""Messages posted from worker threads; only their handlers touch widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from datetime import timedelta

    from studydl.domain.cards import CardView
    from studydl.domain.errors import DeckProblem
    from studydl.domain.review import DueCard, QueueCounts, Rating, SessionSummary
    from studydl.replica.sync import SyncReport
    from studydl.store.db import Database
    from studydl.tui.home_data import HomeData


@dataclass
class StoreReady(Message):
    """The store is open, the first sync done and the deck list loaded after it (posted to the app)."""

    db: Database
    home: HomeLoaded
    """The deck list's first data, for the home screen."""


@dataclass
class DecksSynced(Message):
    """A deck sync finished (posted to the app)."""

    errors: list[DeckProblem] = field(default_factory=list)
    touched: bool = False
    """Cards were added, changed, moved, retired or restored."""
    first: bool = False
    """The start-up sync (its counts came with StoreReady)."""


@dataclass
class DecksChanged(Message, bubble=False):
    """Sent to every screen: what they show may have changed; reload it."""


@dataclass
class CardReady(Message):
    """The review session's next card (None: the session is over)."""

    due: DueCard | None
    counts: QueueCounts
    can_undo: bool
    note: str = ""
    """A notice to show with the card (e.g. `Undid Good`)."""
    answers_logged: int = 0
    """The card's answers in the log (seeds a predict card's draw)."""


@dataclass
class CardPlanned(Message, bubble=False):
    """The buttons' intervals of a card an answer handed over with its question only (`due`, as it came)."""

    due: DueCard
    intervals: dict[Rating, timedelta]


@dataclass
class CardUpcoming(Message):
    """The card the review session guesses comes after the one shown: drawn ahead, while the learner reads."""

    card: CardView


@dataclass
class CardReloaded(Message):
    """The current card's text as the store has it now (None: it was deleted from its deck)."""

    due: DueCard | None


@dataclass
class PredictionSettled(Message):
    """A predict card's demo ran (or its cached run was read): the measured metrics, or why not."""

    card_id: int
    metrics: dict[str, float] | None
    cached: bool = False
    error: str = ""
    stopped: str | None = None
    """Why the run ended early (its time budget): then there is no verdict."""


@dataclass
class SessionDone(Message):
    summary: SessionSummary


@dataclass
class DeckFilesChanged(Message):
    """The folder watcher saw deck files change (posted to the app)."""

    paths: list[Path] = field(default_factory=list)


@dataclass
class HomeLoaded(Message):
    """The deck list's data, loaded in a worker."""

    data: HomeData
    synced: bool
    """The decks had been synced at least once when it was loaded."""
    seconds: float
    generation: int = 0
    """Which load of the home screen it answers (0: the start-up load); an older one than shown is dropped."""


@dataclass
class AnswersSynced(Message):
    """A sync with the shared log finished, or found the server away (posted to the app)."""

    report: SyncReport
