"""Which deck files changed since the store last read them (size and time first, then the hash)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studydl.decks.roots import DeckFile, DeckKey
from studydl.domain.errors import DeckProblem

RACY_WINDOW_NS = 2_000_000_000
"""A file modified this close to its last sync may have changed again within the same
timestamp tick, keeping size and time (git's "racily clean"): it is hashed, not trusted."""


@dataclass(frozen=True)
class KnownDeck:
    """A deck as the store last saw it (a plain snapshot, no ORM row)."""

    id: int
    key: DeckKey
    name: str
    path: str
    file_size: int | None
    file_mtime_ns: int | None
    file_hash: str | None
    synced_at: datetime | None

    @property
    def fingerprint(self) -> tuple:
        return stored_fingerprint(self)


def stored_fingerprint(deck: Any) -> tuple:
    """What a stored deck says about the file it last synced (a KnownDeck or a DeckRow)."""
    return (deck.file_hash, deck.file_size, deck.file_mtime_ns, deck.path)


@dataclass
class FileState:
    """A deck file read for this sync."""

    file: DeckFile
    data: bytes
    digest: str
    size: int
    mtime_ns: int
    seen: tuple | None = None
    """The deck's stored fingerprint when this sync read the store (None: no deck yet)."""

    @property
    def key(self) -> DeckKey:
        return self.file.key


def _racy(known: KnownDeck, mtime_ns: int) -> bool:
    if known.synced_at is None:
        return True
    synced_ns = int(known.synced_at.timestamp() * 1_000_000_000)
    return mtime_ns >= synced_ns - RACY_WINDOW_NS


def read_changed(
    files: list[DeckFile], known: dict[DeckKey, KnownDeck], forced: set[DeckKey] = frozenset()
) -> tuple[list[FileState], int, list[DeckProblem]]:
    """Files whose bytes differ from what the store last synced for their deck (or in `forced`);
    the rest are counted unchanged."""
    changed: list[FileState] = []
    unchanged = 0
    problems: list[DeckProblem] = []
    for file in files:
        row = known.get(file.key)
        same_place = row is not None and row.path == str(file.path)
        try:
            st = file.path.stat()
            if (
                row
                and same_place
                and file.key not in forced
                and row.file_hash
                and row.file_size == st.st_size
                and row.file_mtime_ns == st.st_mtime_ns
                and not _racy(row, st.st_mtime_ns)
            ):
                unchanged += 1
                continue
            data = file.path.read_bytes()
        except OSError as exc:
            problems.append(DeckProblem(file.path, 1, f"cannot read file: {exc.strerror or exc}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if row and row.file_hash == digest and same_place and file.key not in forced:
            unchanged += 1
            continue
        changed.append(FileState(file, data, digest, st.st_size, st.st_mtime_ns, row.fingerprint if row else None))
    return changed, unchanged, problems
