"""Stored cards -> a plain CSV table: id, deck, section, kind, question, answer, tags, demo."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from studydl.domain.cards import CardView

COLUMNS = ("id", "deck", "section", "kind", "question", "answer", "tags", "demo")


def write_csv(cards: list[CardView], out: Path) -> int:
    """One row per card (tags space-separated), written atomically; returns the row count."""
    fd, tmp = tempfile.mkstemp(prefix=".studydl-export-", suffix=".csv", dir=out.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for c in cards:
                writer.writerow((c.uid, c.deck, c.section, c.kind, c.question, c.answer, " ".join(c.tags), c.demo_id or ""))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(cards)
