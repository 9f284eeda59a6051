"""Editing a deck: the file to open, and for a bundled deck the learner's own copy of it.

Bundled decks live inside the installed package (an upgrade replaces them; in a
source checkout they are the repository's). Editing one works on a copy at the
same path in the home's decks folder: the copy replaces the bundled deck, taking
over its cards and history on the next sync, and an upgrade never touches it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from studydl.decks.roots import BUNDLED, DeckKey, DeckRoots
from studydl.domain.errors import StudyError
from studydl.private_files import create_private_file, make_private_dirs
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow


@dataclass(frozen=True)
class EditTarget:
    """The file to open for a deck, and the bundled file it was copied from (if just copied)."""

    path: Path
    copied_from: Path | None = None

    def drop_if_unchanged(self) -> bool:
        """Remove a copy nobody edited (so later upgrades of the bundled deck reach the learner)."""
        if self.copied_from is None or not self.path.is_file():
            return False
        if self.path.read_bytes() != self.copied_from.read_bytes():
            return False
        self.path.unlink()
        return True


def deck_of_card(db: Database, card_id: int) -> tuple[DeckKey, str]:
    """The key and last known path of a card's deck."""
    with db.read() as s:
        found = s.execute(
            select(DeckRow.root, DeckRow.rel_path, DeckRow.path).join(CardRow, CardRow.deck_id == DeckRow.id).where(CardRow.id == card_id)
        ).one_or_none()
    if found is None:
        raise StudyError(f"no card with id {card_id}")
    return DeckKey(found[0], found[1]), found[2]


def edit_target(roots: DeckRoots, key: DeckKey, last_path: str) -> EditTarget:
    """The file to edit for a deck; a bundled deck is first copied into the home's decks folder."""
    if key.root == BUNDLED:
        source = roots.file_of(key)
        target = roots.copy_target(key)
        if target is None or source is None:
            raise StudyError(f"{last_path} is a bundled deck and there is no home decks folder to copy it to")
        if target.exists():
            return EditTarget(target)
        if not source.is_file():
            raise StudyError(f"the bundled deck {source} is gone; sync again")
        make_private_dirs(target.parent)
        create_private_file(target)  # the learner's alone, as everything studydl makes in the home
        shutil.copyfile(source, target)
        return EditTarget(target, copied_from=source)
    path = roots.file_of(key, last_path)
    if path is None or not path.is_file():
        raise StudyError(f"the deck file {path or last_path} is not on this machine")
    return EditTarget(path)
