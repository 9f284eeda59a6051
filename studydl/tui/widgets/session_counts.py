"""What is left in a review session: new / learning / review."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from studydl.domain.review import QueueCounts


def counts_text(new: int, learning: int, review: int) -> Text:
    """`New 5  Learning 2  Review 10`, coloured as the deck list colours them."""
    return Text.assemble(
        ("New ", "dim"), (str(new), "bold blue"), "  ",
        ("Learning ", "dim"), (str(learning), "bold red"), "  ",
        ("Review ", "dim"), (str(review), "bold green"),
    )


def cram_text(counts: QueueCounts) -> Text:
    """`Cram  12 to go  2 coming back`: a cram's cards are neither new nor reviews to it."""
    text = Text.assemble(("Cram  ", "dim"), (str(counts.review), "bold"), (" to go", "dim"))
    if counts.learning:
        text.append_text(Text.assemble("  ", (str(counts.learning), "bold red"), (" coming back", "dim")))
    return text


class SessionCounts(Static):
    """Counts left in the session; updated after every answer."""

    _shown: tuple[QueueCounts, bool] | None = None

    def show(self, counts: QueueCounts, cram: bool = False) -> None:
        """`cram`: the cram queue's counts (cards not yet seen as `review`, those coming back as `learning`)."""
        if (counts, cram) == self._shown:  # (a learning card answered and coming back changes none)
            return
        self._shown = (counts, cram)
        text = cram_text(counts) if cram else counts_text(counts.new, counts.learning, counts.review)
        self.update(text, layout=False)  # one line the screen's width: nothing moves, no layout of the screen
