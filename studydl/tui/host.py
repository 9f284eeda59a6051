"""What screens and the command palette may use of the app: a narrow protocol, not the App class.

Screens are opened by the app (app -> screens); they reach back only through this
protocol, so no screen imports the app module and the TUI's imports have no circle
(app -> commands -> screens -> app was one). tests/tui/test_layout.py checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from studydl.domain.cards import CardView
    from studydl.domain.errors import DeckProblem
    from studydl.home import Home
    from studydl.store.db import Database


class StudyHost(Protocol):
    """The app as a screen sees it."""

    home: Home
    db: Database | None
    """None until the store is open and the first sync is done."""
    clock: Callable[[], datetime]
    monotonic: Callable[[], float]
    synced: bool
    deck_names: list[str]
    """The decks of the deck list, for the command palette and the settings' per-deck limits."""
    deck_errors: list[DeckProblem]

    def home_ready(self) -> None:
        """The deck list shows counts taken after the first sync."""

    def edit_card(self, card: CardView) -> None:
        """Open the card's deck file at its line in the learner's editor, then sync."""

    def count_waiting(self) -> None:
        """Recount the answers waiting for the shared log's server while it is away (any thread)."""

    def settle_heap(self, stage: str) -> None:
        """Once per stage: move what is allocated so far out of the cyclic GC's reach."""

    def action_review(self, deck: str | None = None, section: str | None = None, cram: bool = False) -> None: ...
    def action_browse(self, query: str = "") -> None: ...
    def action_stats(self) -> None: ...
    def action_settings(self) -> None: ...
    def action_sync(self) -> None: ...
    def action_deck_errors(self) -> None: ...
    def action_help(self) -> None: ...


def host(node: DOMNode) -> StudyHost:
    """The app of a screen or widget, as the protocol."""
    return cast(StudyHost, cast(Any, node).app)
