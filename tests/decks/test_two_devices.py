"""Issue 17's "done when": two homes with the same decks at different paths share one set of cards and one review log.

A laptop and a desktop, each with its own home folder (its log, its decks folder) at its
own absolute path, and a checkout of the same deck repository at yet another path, both
use one database: a collection on the PostgreSQL server (and, as the same test, one
SQLite file named by --db). Everything goes through the real `studydl` commands.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from studydl.cli import cli
from studydl.engine.history import replay_card, stored_memory
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow, ReviewRow

REPO = {
    "rnn.md": "---\ndeck: RNNs\n---\n# RNNs\n\nBPTT :: backpropagation through time\n\nQ: What does an LSTM add to an RNN?\nA: A gated cell state.\n",
    "vision/cnn.md": "---\ndeck: CNNs\n---\n# CNNs\n\nQ: What does a pooling layer do?\nA: It downsamples.\n\nQ: What is a stride?\nA: The step of the filter.\n",
}
MINE = "---\ndeck: Mine\n---\n# Mine\n\nQ: What is my favourite optimizer?\nA: Adam.\n"


class Device:
    """One machine: its home folder and its checkout of the deck repository, both at paths of its own."""

    def __init__(self, root: Path, home: str, checkout: str, db: str) -> None:
        self.home, self.checkout, self.db = root / home, root / checkout, db
        for rel, text in REPO.items():
            (self.checkout / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.checkout / rel).write_text(text, encoding="utf-8")
        (self.home / "decks").mkdir(parents=True)
        (self.home / "decks" / "mine.md").write_text(MINE, encoding="utf-8")

    def run(self, *args: str, input: str | None = None) -> Result:
        result = CliRunner().invoke(cli, ["--home", str(self.home), "--db", self.db, *args], input=input, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    def sync(self) -> list[str]:
        """A plain sync (bundled decks and the home's decks folder), then the checkout: the two summary lines."""
        return [self.run("sync", "--quiet").output.strip(), self.run("sync", "--quiet", str(self.checkout)).output.strip()]

    def review(self, keys: str, *deck: str) -> list[tuple[int, str]]:
        """Answer one card per key (Enter shows the answer first); the acknowledged (card, rating)s."""
        out = self.run("review", "--plain", *deck, input="".join(f"\n{k}\n" for k in keys)).output
        return [(int(line.split()[1]), line.split()[2]) for line in out.splitlines() if line.startswith("saved ")]


def test_two_homes_at_different_paths_share_one_set_of_cards_and_one_review_log(tmp_path: Path, db_url: str | None) -> None:
    url = db_url or str(tmp_path / "shared" / "studydl.db")
    laptop = Device(tmp_path / "laptop", "home/ann/.local/share/studydl", "home/ann/src/dl-decks", url)
    desktop = Device(tmp_path / "desktop", "Users/ann/Library/studydl", "work/checkouts/dl-decks", url)

    first = laptop.sync()
    assert first[1].startswith("4 added, 0 changed"), first
    answered = laptop.review("34", "--deck", "CNNs")  # the repository's two CNN cards
    answered += laptop.review("3131")
    assert len(answered) == 6

    # The same bytes at other paths: nothing added, changed or retired (the files are read
    # again, as they are other files, and the decks remember where they were seen last).
    assert all(line.startswith("0 added, 0 changed, 0 moved, 0 retired, 0 restored;") for line in desktop.sync())
    answered += desktop.review("4343")

    # The desktop rewords a card of the repository; the laptop, not yet pulled, syncs its older text.
    cnn = desktop.checkout / "vision" / "cnn.md"
    cnn.write_text(cnn.read_text().replace("It downsamples.", "It downsamples the feature map."), encoding="utf-8")
    assert desktop.run("sync", "--quiet", str(desktop.checkout)).output.startswith("0 added, 1 changed")
    shutil.copy(cnn, laptop.checkout / "vision" / "cnn.md")  # the laptop pulls
    assert laptop.run("sync", "--quiet", str(laptop.checkout)).output.startswith("0 added, 0 changed")
    answered += laptop.review("33")

    db = Database(url)
    try:
        with db.read() as s:
            decks = sorted((d.root, d.rel_path) for d in s.scalars(select(DeckRow)) if not d.root.startswith("bundled"))
            log = [(card_id, rating) for card_id, rating in s.execute(select(ReviewRow.card_id, ReviewRow.rating).order_by(ReviewRow.id))]
            total = s.scalar(select(func.count()).select_from(CardRow))
            pooling = s.scalars(
                select(CardRow).join(DeckRow).where(DeckRow.root == "dir:dl-decks", CardRow.question == "What does a pooling layer do?")
            ).one()
        assert decks == [("dir:dl-decks", "rnn.md"), ("dir:dl-decks", "vision/cnn.md"), ("home", "mine.md")]  # one deck each, whichever path synced it
        names = {1: "again", 2: "hard", 3: "good", 4: "easy"}
        assert [(card_id, names[rating]) for card_id, rating in log] == answered  # every answer of both devices, once, in order
        bundled = json.loads(laptop.run("cards", "--json").output)["cards"]
        assert total == len(bundled)  # one set of cards: nothing was added twice
        assert pooling.answer == "It downsamples the feature map." and not pooling.retired
        assert pooling.id in {card_id for card_id, _ in answered[:2]}  # reworded on one device, synced on both: its history kept
        for card_id in {card_id for card_id, _ in log}:
            assert replay_card(db, card_id) == stored_memory(db, card_id)
    finally:
        db.dispose()
