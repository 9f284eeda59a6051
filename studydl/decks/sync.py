"""Sync deck files into the store: find and parse what changed, then write it in one transaction."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studydl.decks.roots import BUNDLED, HOME, DeckFile, DeckKey, DeckRoots, origin
from studydl.decks.sync_files import FileState, KnownDeck, read_changed
from studydl.domain.errors import DeckProblem

if TYPE_CHECKING:
    from studydl.domain.cards import ParsedDeck
    from studydl.store.db import Database


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CardChange:
    """One line of a sync report."""

    deck: str
    question: str
    where: str
    """`file:line` of the card (its old place for a retired card)."""


@dataclass(frozen=True)
class Reworded:
    """A card added where a card with history was retired in the same sync: maybe one question reworded."""

    where: str
    """`file:line` of the new card."""
    old_question: str
    old_id: str
    """The retired card's id: as the new card's `id:` line, it brings its history back."""
    reviews: int


@dataclass(frozen=True)
class DeckSynced:
    """A deck file read into the store by a sync."""

    name: str
    path: str
    origin: str
    """`bundled` or `yours`."""
    note: str = ""
    """What happened to the deck itself: `your copy of the bundled deck`, `renamed from ...`."""


@dataclass
class SyncReport:
    added: list[CardChange] = field(default_factory=list)
    changed: list[CardChange] = field(default_factory=list)
    moved: list[CardChange] = field(default_factory=list)
    retired: list[CardChange] = field(default_factory=list)
    restored: list[CardChange] = field(default_factory=list)
    reworded: list[Reworded] = field(default_factory=list)
    """Hints: a new card and the retired one it may reword (identity.likely_rewordings)."""
    errors: list[DeckProblem] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)
    """Deck files written to the store in this sync."""
    decks: list[DeckSynced] = field(default_factory=list)
    """The same, with each deck's name and origin."""
    shadowed: list[tuple[str, str]] = field(default_factory=list)
    """(bundled file, the learner's copy in the home) for each bundled deck the copy replaces."""
    origins: dict[str, int] = field(default_factory=dict)
    """How many deck files this sync looked at, by origin (`bundled`, `yours`)."""
    unchanged: int = 0
    """Deck files skipped because they had not changed."""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.moved or self.retired or self.restored)


def find_deck_files(paths: Iterable[Path], roots: DeckRoots | None = None) -> tuple[list[Path], list[DeckProblem]]:
    """The `.md` files under the given files and folders (folders recursively, hidden ones skipped)."""
    found = (roots or DeckRoots()).find(paths)
    return [f.path for f in found.files], found.problems


def default_roots() -> DeckRoots:
    """The bundled decks only: for callers that sync without a home."""
    from studydl.resources import bundled_decks_dir

    return DeckRoots.of(bundled=bundled_decks_dir())


def load_known(db: Database) -> list[KnownDeck]:
    """Every stored deck's file facts, in plain SQL: a sync that finds nothing changed
    (every start of the app) loads neither the ORM nor the parser."""
    query = "SELECT id, root, rel_path, name, path, file_size, file_mtime_ns, file_hash, synced_at FROM decks"
    with db.raw_read() as con:
        return [
            KnownDeck(id_, DeckKey(root, rel_path), name, path, size, mtime_ns, digest, con.from_db(synced_at))
            for id_, root, rel_path, name, path, size, mtime_ns, digest, synced_at in con.execute(query)
        ]


@dataclass
class SyncRead:
    """What a sync read, before it writes: the changed files parsed, the decks whose files are
    gone, and the report so far. Another process may sync between the read and the write."""

    report: SyncReport
    roots: DeckRoots
    parsed: list[tuple[FileState, ParsedDeck]] = field(default_factory=list)
    missing: list[DeckKey] = field(default_factory=list)


def sync_decks(
    db: Database,
    paths: Iterable[Path],
    *,
    roots: DeckRoots | None = None,
    known_demos: Collection[str] | None = None,
    prune_missing: bool = True,
    clock: Callable[[], datetime] = utcnow,
) -> SyncReport:
    """Sync the deck files under `paths` (files and folders).

    A deck with a problem is reported and left exactly as it is in the store; the
    others sync. With `prune_missing`, a deck whose file is gone from a folder this
    sync read whole is retired. Nothing is written when no file changed.
    """
    with collector_paused():
        return write_synced(db, read_for_sync(db, paths, roots=roots, known_demos=known_demos, prune_missing=prune_missing), clock)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (reference counting still frees).

    A large sync makes objects by the hundred thousand and keeps them to the end: each
    full pass of the collector walks them all, and the passes come more often as they
    grow (at 300,000 cards, 22 passes took 7.6 of 53 s). Nothing a sync makes is a cycle
    that must be freed before it ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_for_sync(
    db: Database,
    paths: Iterable[Path],
    *,
    roots: DeckRoots | None = None,
    known_demos: Collection[str] | None = None,
    prune_missing: bool = True,
) -> SyncRead:
    """The first half of a sync: find and parse the deck files that changed since the store last read them."""
    roots = roots or default_roots()
    read = SyncRead(SyncReport(), roots)
    report = read.report
    found = roots.find(paths)
    report.errors = list(found.problems)
    report.shadowed = [(str(f.path), str(roots.folder(HOME) / f.key.rel_path)) for f in found.shadowed]  # type: ignore[operator]
    for f in found.files:
        report.origins[origin(f.key.root)] = report.origins.get(origin(f.key.root), 0) + 1
    known = load_known(db)
    by_key = {k.key: k for k in known}
    by_path = {k.path: k for k in known}
    current = _current_rows(found.files, by_key, by_path)
    forced = _merges(found.files, by_key)

    changed, report.unchanged, problems = read_changed(found.files, current, forced)
    report.errors.extend(problems)
    if changed:  # markdown-it and yaml are loaded only when a file changed
        from studydl.decks.parse_pool import parse_many

        decks = parse_many([(state.file.path, state.data) for state in changed], known_demos)
    for state, deck in zip(changed, decks if changed else [], strict=True):
        if deck.ok:
            read.parsed.append((state, deck))
        else:
            report.errors.extend(deck.errors)

    if prune_missing and found.scopes:
        present = {f.key for f in [*found.files, *found.shadowed]} | {k.key for k in current.values()}
        read.missing = [
            k.key
            for k in known
            if k.file_hash and k.key not in present and any(scope.covers(k.key) for scope in found.scopes)
        ]
    read.missing += [DeckKey(BUNDLED, key.rel_path) for key in forced]
    return read


def write_synced(db: Database, read: SyncRead, clock: Callable[[], datetime] = utcnow) -> SyncReport:
    """The second half: write what was read in one transaction. A deck another process synced
    since the read is written only if the file still holds the bytes read (sync_writer)."""
    if read.parsed or read.missing:
        from studydl.decks.sync_writer import Writer

        with db.write() as s:
            Writer(s, clock(), read.report, read.roots).apply(read.parsed, read.missing)
    return read.report


def _current_rows(files: list[DeckFile], by_key: dict[DeckKey, KnownDeck], by_path: dict[str, KnownDeck]) -> dict[DeckKey, KnownDeck]:
    """Each file's deck as stored: by key, else (the same machine, keyed another way) by path."""
    out: dict[DeckKey, KnownDeck] = {}
    for file in files:
        row = by_key.get(file.key) or by_path.get(str(file.path))
        if row is not None:
            out[file.key] = row
    return out


def _merges(files: list[DeckFile], by_key: dict[DeckKey, KnownDeck]) -> set[DeckKey]:
    """Home decks stored apart from the bundled deck they copy (from before copies replaced
    bundled decks): read again, so the copy takes the bundled deck's cards over."""
    out = set()
    for f in files:
        bundled = by_key.get(DeckKey(BUNDLED, f.key.rel_path))
        if f.key.root == HOME and f.key in by_key and bundled is not None and bundled.file_hash:
            out.add(f.key)
    return out
