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


class SessionCounts(Static):
    """Counts left in the session; updated after every answer."""

    def show(self, counts: QueueCounts) -> None:
        self.update(counts_text(counts.new, counts.learning, counts.review))
