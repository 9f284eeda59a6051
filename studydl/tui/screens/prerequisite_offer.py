"""After a repeated lapse: offer the weakest prerequisite section's cards next (y / n)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from studydl.domain.course import PrerequisiteOffer
from studydl.domain.words import plural


def emphasized(prompt: str) -> Text:
    """The offer's words with its `*...*` parts in italics."""
    text = Text()
    for i, part in enumerate(prompt.split("*")):
        text.append(part, style="italic bold" if i % 2 else "")
    return text


class PrerequisiteOfferScreen(ModalScreen[bool]):
    """`You forgot ...; ... is at 58 %: review it now?` True: review its cards next."""

    CSS_PATH = "../styles/prerequisite_offer.tcss"
    BINDINGS = [
        Binding("y,enter", "choose(True)", "Review it now"),
        Binding("n,escape", "choose(False)", "Not now"),
    ]

    def __init__(self, offer: PrerequisiteOffer) -> None:
        super().__init__()
        self.offer = offer

    def compose(self) -> ComposeResult:
        with Vertical(id="offer-dialog"):
            yield Static(emphasized(self.offer.prompt()), id="offer-prompt")
            cards = plural(len(self.offer.card_ids), "card")
            yield Static(Text(f"y: its {cards} next, then on with this session · n: not now", style="dim"), id="offer-keys")

    def action_choose(self, accept: bool) -> None:
        self.dismiss(accept)
