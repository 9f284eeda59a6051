"""Sync deck files into the store: parse what changed, pair cards, write it in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import or_, select

from studydl.decks.identity import Incoming, StoredCard, match
from studydl.decks.parser import parse_bytes
from studydl.domain.cards import ParsedCard, ParsedDeck
from studydl.domain.errors import DeckProblem
from studydl.store.bulk import insert_rows
from studydl.store.db import Database
from studydl.store.models import CardRow, DeckRow


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CardChange:
    """One line of a sync report."""

    deck: str
    question: str
    where: str
    """`file:line` of the card (its old place for a retired card)."""


@dataclass
class SyncReport:
    added: list[CardChange] = field(default_factory=list)
    changed: list[CardChange] = field(default_factory=list)
    moved: list[CardChange] = field(default_factory=list)
    retired: list[CardChange] = field(default_factory=list)
    restored: list[CardChange] = field(default_factory=list)
    errors: list[DeckProblem] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)
    """Deck files written to the store in this sync."""
    unchanged: int = 0
    """Deck files skipped because they had not changed."""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.moved or self.retired or self.restored)


def find_deck_files(paths: Iterable[Path]) -> tuple[list[Path], list[DeckProblem]]:
    """The `.md` files under the given files and folders (folders recursively, hidden ones skipped)."""
    files: list[Path] = []
    problems: list[DeckProblem] = []
    for raw in paths:
        path = raw.expanduser().resolve()
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*.md")) if not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(DeckProblem(raw, 1, "no such file or folder"))
    return list(dict.fromkeys(files)), problems


@dataclass
class _FileState:
    path: Path
    data: bytes
    digest: str
    size: int
    mtime_ns: int


def _read_changed(files: list[Path], known: dict[str, DeckRow]) -> tuple[list[_FileState], int, list[DeckProblem]]:
    """Files whose bytes differ from what the store last synced; the rest are counted unchanged."""
    changed: list[_FileState] = []
    unchanged = 0
    problems: list[DeckProblem] = []
    for path in files:
        row = known.get(str(path))
        try:
            st = path.stat()
            if row and row.file_hash and row.file_size == st.st_size and row.file_mtime_ns == st.st_mtime_ns and not _racy(row, st.st_mtime_ns):
                unchanged += 1
                continue
            data = path.read_bytes()
        except OSError as exc:
            problems.append(DeckProblem(path, 1, f"cannot read file: {exc.strerror or exc}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if row and row.file_hash == digest:
            unchanged += 1
            continue
        changed.append(_FileState(path, data, digest, st.st_size, st.st_mtime_ns))
    return changed, unchanged, problems


RACY_WINDOW_NS = 2_000_000_000
"""A file modified this close to its last sync may have changed again within the same
timestamp tick, keeping size and time (git's "racily clean"): it is hashed, not trusted."""


def _racy(row: DeckRow, mtime_ns: int) -> bool:
    if row.synced_at is None:
        return True
    synced_ns = int(row.synced_at.timestamp() * 1_000_000_000)
    return mtime_ns >= synced_ns - RACY_WINDOW_NS


def sync_decks(
    db: Database,
    paths: Iterable[Path],
    *,
    known_demos: Collection[str] | None = None,
    prune_missing: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> SyncReport:
    """Sync the deck files under `paths`.

    A deck with a problem is reported and left exactly as it is in the store; the
    others sync. With `prune_missing`, decks whose file no longer exists anywhere
    are retired too (a full sync). Nothing is written when no file changed.
    """
    report = SyncReport()
    files, report.errors = find_deck_files(paths)
    with db.read() as s:
        known = {row.source_path: row for row in s.scalars(select(DeckRow))}
    changed, report.unchanged, problems = _read_changed(files, known)
    report.errors.extend(problems)

    parsed: list[tuple[_FileState, ParsedDeck]] = []
    for state in changed:
        deck = parse_bytes(state.path, state.data, known_demos)
        if deck.ok:
            parsed.append((state, deck))
        else:
            report.errors.extend(deck.errors)

    present = {str(p) for p in files}
    missing = [
        row.source_path
        for row in known.values()
        if prune_missing and row.file_hash and row.source_path not in present and not Path(row.source_path).exists()
    ]
    if not parsed and not missing:
        return report

    with db.write() as s:
        _Writer(s, clock(), report).apply(parsed, missing)
    return report


@dataclass
class _Writer:
    session: object
    now: datetime
    report: SyncReport

    def apply(self, parsed: list[tuple[_FileState, ParsedDeck]], missing: list[str]) -> None:
        s = self.session
        decks = {row.source_path: row for row in s.scalars(select(DeckRow))}  # type: ignore[attr-defined]
        # Another process may have synced the same bytes since we looked.
        parsed = [(st, d) for st, d in parsed if not (str(st.path) in decks and decks[str(st.path)].file_hash == st.digest)]
        parsed = self._drop_id_conflicts(parsed, decks)
        affected_ids = [decks[p].id for p in [*(str(st.path) for st, _ in parsed), *missing] if p in decks]

        rows = list(
            s.scalars(  # type: ignore[attr-defined]
                select(CardRow).where(or_(CardRow.retired.is_(True), CardRow.deck_id.in_(affected_ids)))
            )
        )
        by_id = {row.id: row for row in rows}
        incoming = [Incoming(str(st.path), card) for st, deck in parsed for card in deck.cards]
        owner = [(st, deck) for st, deck in parsed for _ in deck.cards]
        matching = match(incoming, [_stored(row) for row in rows])

        for st, deck in parsed:
            row = decks.get(str(st.path))
            if row is None:
                row = DeckRow(source_path=str(st.path), name=deck.name)
                s.add(row)  # type: ignore[attr-defined]
                decks[str(st.path)] = row
            row.name = deck.name
            row.file_size, row.file_mtime_ns, row.file_hash, row.synced_at = st.size, st.mtime_ns, st.digest, self.now
            self.report.synced.append(str(st.path))
        s.flush()  # type: ignore[attr-defined]

        notes = self._note_uids(incoming, owner, matching.pairs, by_id)
        for i, sid in matching.pairs.items():
            self._update(by_id[sid], incoming[i], decks[incoming[i].path], owner[i][1].name, notes)
        new_rows = [self._new_row(incoming[i], decks[incoming[i].path], notes) for i in matching.new]
        if new_rows:
            _insert_cards(s, new_rows)
            for i in matching.new:
                self.report.added.append(_change(owner[i][1].name, incoming[i]))
        names = {row.id: row.name for row in decks.values()}
        for sid in matching.unmatched:
            row = by_id[sid]
            if not row.retired:
                row.retired = True
                row.updated_at = self.now
                self.report.retired.append(CardChange(names.get(row.deck_id, "?"), row.question, f"{row.source_path}:{row.source_line}"))
        for path in missing:
            if path in decks:  # kept (its cards hang on it) but marked unsynced
                decks[path].file_hash = decks[path].file_size = decks[path].file_mtime_ns = None

    def _drop_id_conflicts(self, parsed: list[tuple[_FileState, ParsedDeck]], decks: dict[str, DeckRow]) -> list[tuple[_FileState, ParsedDeck]]:
        """An explicit `id:` already used by an active card of a deck not in this sync is an error."""
        syncing = {decks[str(st.path)].id for st, _ in parsed if str(st.path) in decks}
        wanted = {c.explicit_id for _, d in parsed for c in d.cards if c.explicit_id}
        if not wanted:
            return parsed
        taken = {
            uid: (path, line)
            for uid, path, line, deck_id in self.session.execute(  # type: ignore[attr-defined]
                select(CardRow.uid, CardRow.source_path, CardRow.source_line, CardRow.deck_id).where(
                    CardRow.uid.in_(wanted), CardRow.retired.is_(False)
                )
            )
            if deck_id not in syncing
        }
        kept = []
        for st, deck in parsed:
            clashes = [c for c in deck.cards if c.explicit_id in taken]
            for c in clashes:
                path, line = taken[c.explicit_id]  # type: ignore[index]
                self.report.errors.append(DeckProblem(st.path, c.line, f"id {c.explicit_id!r} is already used at {path}:{line}"))
            if not clashes:
                kept.append((st, deck))
        return kept

    def _note_uids(self, incoming: list[Incoming], owner: list, pairs: dict[int, int], by_id: dict[int, CardRow]) -> dict[tuple[str, int], str]:
        """Siblings share a note uid: kept from any sibling already stored, else new."""
        notes: dict[tuple[str, int], str] = {}
        for i, sid in pairs.items():
            notes.setdefault((incoming[i].path, incoming[i].card.note_key), by_id[sid].note_uid)
        for item in incoming:
            notes.setdefault((item.path, item.card.note_key), secrets.token_hex(8))
        return notes

    def _update(self, row: CardRow, item: Incoming, deck: DeckRow, deck_name: str, notes: dict[tuple[str, int], str]) -> None:
        card = item.card
        text_changed = (row.question, row.answer, row.kind) != (card.question, card.answer, str(card.kind))
        moved = (row.deck_id, row.section) != (deck.id, card.section)
        meta_changed = (row.demo_id, row.tags, row.uid) != (card.demo_id, " ".join(card.tags), card.explicit_id or row.uid)
        restored = row.retired
        fields = dict(
            deck_id=deck.id,
            section=card.section,
            kind=str(card.kind),
            ordinal=card.ordinal,
            question=card.question,
            answer=card.answer,
            content_hash=card.content_hash,
            source_path=item.path,
            source_line=card.line,
            demo_id=card.demo_id,
            tags=" ".join(card.tags),
            retired=False,
            note_uid=notes[(item.path, card.note_key)],
        )
        if card.explicit_id:
            fields.update(uid=card.explicit_id, explicit=True)
        for key, value in fields.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        if restored or text_changed or moved or meta_changed:
            row.updated_at = self.now
        change = _change(deck_name, item)
        if restored:
            self.report.restored.append(change)
        elif text_changed or meta_changed:
            self.report.changed.append(change)
        elif moved:
            self.report.moved.append(change)

    def _new_row(self, item: Incoming, deck: DeckRow, notes: dict[tuple[str, int], str]) -> dict:
        card = item.card
        return dict(
            uid=card.explicit_id or secrets.token_hex(8),
            explicit=bool(card.explicit_id),
            note_uid=notes[(item.path, card.note_key)],
            deck_id=deck.id,
            section=card.section,
            kind=str(card.kind),
            ordinal=card.ordinal,
            question=card.question,
            answer=card.answer,
            content_hash=card.content_hash,
            source_path=item.path,
            source_line=card.line,
            demo_id=card.demo_id,
            tags=" ".join(card.tags),
            retired=False,
            created_at=self.now,
            updated_at=self.now,
            state=0,
            reps=0,
            lapses=0,
            suspended=False,
            flag=0,
            leech=False,
        )


def _insert_cards(session: object, rows: list[dict]) -> None:
    """Insert new cards with one executemany on the session's connection (see store.bulk)."""
    insert_rows(session, "cards", rows)


def _stored(row: CardRow) -> StoredCard:
    return StoredCard(
        id=row.id,
        uid=row.uid,
        kind=row.kind,
        ordinal=row.ordinal,
        question=row.question,
        answer=row.answer,
        content_hash=row.content_hash,
        source_path=row.source_path,
        source_line=row.source_line,
        retired=row.retired,
    )


def _change(deck: str, item: Incoming) -> CardChange:
    card: ParsedCard = item.card
    return CardChange(deck, card.question, f"{item.path}:{card.line}")
