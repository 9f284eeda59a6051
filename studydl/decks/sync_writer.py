"""Write one sync into the store: deck rows, paired cards, new cards, retired cards, in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from studydl.decks.adopt import adopt_copies
from studydl.decks.card_columns import TEXT_COLUMNS, text_fields, text_values
from studydl.decks.identity import Incoming, StoredCard, likely_rewordings, match
from studydl.decks.roots import BUNDLED, HOME, DeckKey, DeckRoots, origin
from studydl.decks.sync import CardChange, DeckSynced, Reworded, SyncReport
from studydl.decks.sync_files import FileState, stored_fingerprint
from studydl.domain.cards import ParsedCard, ParsedDeck
from studydl.domain.errors import DeckProblem
from studydl.store.bulk import bulk_insert, indexes_deferred
from studydl.store.hot import hot_for
from studydl.store.models import CardRow, DeckRow, ReviewRow


@dataclass
class _Planned:
    state: FileState
    deck: ParsedDeck
    row: DeckRow | None
    """The stored deck this file is (None: a new deck)."""
    note: str = ""


@dataclass
class Writer:
    session: Session
    now: datetime
    report: SyncReport
    roots: DeckRoots
    rows: dict[DeckKey, DeckRow] = field(default_factory=dict)
    uids: Iterator[str] = field(default_factory=lambda: fresh_uids())

    def apply(self, parsed: list[tuple[FileState, ParsedDeck]], missing_keys: list[DeckKey]) -> None:
        s = self.session
        self.rows = {DeckKey(r.root, r.rel_path): r for r in s.scalars(select(DeckRow))}
        missing = {self.rows[k].id: self.rows[k] for k in missing_keys if k in self.rows}
        plans = self._plan([(st, d) for st, d in parsed if not self._superseded(st)], missing)
        plans = self._drop_id_conflicts(plans, missing)
        for plan in plans:
            if plan.row is not None:
                missing.pop(plan.row.id, None)
        decks = self._write_decks(plans)
        affected = [*(row.id for row in decks.values()), *missing]
        if not plans and not missing:
            return

        rows = list(s.scalars(select(CardRow).where(or_(CardRow.retired.is_(True), CardRow.deck_id.in_(affected)))))
        by_id = {row.id: row for row in rows}
        keys = {row.id: str(key) for key, row in self.rows.items()}
        incoming = [Incoming(key, card) for p in plans for key in (str(p.state.key),) for card in p.deck.cards]
        owner = [p for p in plans for _ in p.deck.cards]
        matching = match(incoming, [_stored(row, keys.get(row.deck_id, "")) for row in rows])

        stand_ins = _stand_ins(incoming, matching.pairs, by_id)
        notes = self._note_uids(incoming, matching.pairs, by_id)
        for i, sid in matching.pairs.items():
            self._update(by_id[sid], incoming[i], decks[incoming[i].deck], owner[i].deck.name, notes)
        if matching.new:
            self._insert_new([incoming[i] for i in matching.new], decks, notes)
            paths = {key: row.path for key, row in decks.items()}
            self.report.added.extend(_change(owner[i].deck.name, paths[incoming[i].deck], incoming[i].card) for i in matching.new)

        leaving = [by_id[sid] for sid in matching.unmatched if not by_id[sid].retired]
        for row in self._drop_stand_ins(leaving, stand_ins, keys):
            leaving.remove(row)
        by_deck_id = {row.id: row for row in self.rows.values()}
        for row in adopt_copies(s, leaving, affected, self.now):
            deck = by_deck_id.get(row.deck_id)
            self.report.moved.append(CardChange(deck.name if deck else "?", row.question, f"{deck.path if deck else '?'}:{row.source_line}"))
            leaving.remove(row)
        for row in leaving:
            row.retired = True
            row.updated_at = self.now
            deck = by_deck_id.get(row.deck_id)
            self.report.retired.append(CardChange(deck.name if deck else "?", row.question, f"{deck.path if deck else '?'}:{row.source_line}"))
        self._hint_rewordings([incoming[i] for i in matching.new], [row for row in leaving if row.reps], keys, decks)
        for deck in missing.values():  # kept (its cards hang on it) but marked unsynced
            deck.file_hash = deck.file_size = deck.file_mtime_ns = None

    def _drop_stand_ins(self, leaving: list[CardRow], stand_ins: set[tuple[str, str]], keys: dict[int, str]) -> list[CardRow]:
        """The empty row of a reworded card whose `id:` now brings the old card back: it goes, unreported."""
        if not stand_ins:
            return []
        empty = [row for row in leaving if not (row.reps or row.state) and (keys.get(row.deck_id, ""), row.content_hash) in stand_ins]
        answered = set(self.session.scalars(select(ReviewRow.card_id).where(ReviewRow.card_id.in_([row.id for row in empty]))))
        dropped = [row for row in empty if row.id not in answered]
        for row in dropped:
            self.session.delete(row)
        return dropped

    def _hint_rewordings(self, added: list[Incoming], retired: list[CardRow], keys: dict[int, str], decks: dict[str, DeckRow]) -> None:
        """A new card where a card with reviews was retired: say which `id:` would keep that history."""
        if not added or not retired:
            return
        pairs = likely_rewordings(added, [_stored(row, keys.get(row.deck_id, "")) for row in retired])
        for i, j in sorted(pairs.items()):
            where = f"{decks[added[i].deck].path}:{added[i].card.line}"
            self.report.reworded.append(Reworded(where, retired[j].question, retired[j].uid, retired[j].reps))

    # -- decks -------------------------------------------------------------------

    def _superseded(self, st: FileState) -> bool:
        """Another process synced this deck since this sync read the store: the store may hold the
        same bytes already, or a newer version than ours. Ours is written only when the store does
        not hold it and the file still does (else the file changed again: ours is the older)."""
        row = self.rows.get(st.key) or next((r for r in self.rows.values() if r.path == str(st.file.path)), None)
        if (stored_fingerprint(row) if row is not None else None) == st.seen:
            return False
        if row is not None and row.file_hash == st.digest and row.path == str(st.file.path):
            return True
        try:
            return hashlib.sha256(st.file.path.read_bytes()).hexdigest() != st.digest
        except OSError:
            return True

    def _plan(self, parsed: list[tuple[FileState, ParsedDeck]], missing: dict[int, DeckRow]) -> list[_Planned]:
        """Which stored deck each file is: by key; else by its path (the same machine keyed it
        another way); else the deck it copies or gives back; else a deck whose file was renamed."""
        by_path = {row.path: row for row in self.rows.values()}
        claimed: set[int] = set()
        plans = []
        for st, deck in parsed:
            key = st.key
            home_copy = self.rows.get(DeckKey(HOME, key.rel_path))
            candidates = chain(
                [
                    (self.rows.get(key), ""),
                    (by_path.get(str(st.file.path)), ""),
                    (self.rows.get(DeckKey(BUNDLED, key.rel_path)) if key.root == HOME else None, "your copy of the bundled deck"),
                    (home_copy if key.root == BUNDLED and home_copy and not self._file_exists(home_copy) else None, "your copy is gone: the bundled deck again"),
                ],
                ((row, f"renamed from {row.rel_path}") for row in self._renamed_from(st.digest, missing)),
            )
            row, note = next(((r, n) for r, n in candidates if r is not None and r.id not in claimed), (None, ""))
            if row is not None:
                claimed.add(row.id)
            plans.append(_Planned(st, deck, row, note))
        return plans

    def _renamed_from(self, digest: str, missing: dict[int, DeckRow]) -> Iterator[DeckRow]:
        """Decks whose last synced bytes are these and whose file is gone: the file was renamed."""
        for row in self.rows.values():
            if row.file_hash == digest and (row.id in missing or not self._file_exists(row)):
                yield row

    def _file_exists(self, row: DeckRow) -> bool:
        path = self.roots.file_of(DeckKey(row.root, row.rel_path), row.path)
        return path is not None and path.is_file()

    def _write_decks(self, plans: list[_Planned]) -> dict[str, DeckRow]:
        """Create, re-key and update the deck rows; returns them by key."""
        out: dict[str, DeckRow] = {}
        for plan in plans:
            st, row = plan.state, plan.row
            if row is None:
                row = DeckRow(root=st.key.root, rel_path=st.key.rel_path, path=str(st.file.path), name=plan.deck.name)
                self.session.add(row)
            elif (row.root, row.rel_path) != (st.key.root, st.key.rel_path):
                self.rows.pop(DeckKey(row.root, row.rel_path), None)
                row.root, row.rel_path = st.key.root, st.key.rel_path
            self.rows[st.key] = row
            row.name, row.path = plan.deck.name, str(st.file.path)
            row.file_size, row.file_mtime_ns, row.file_hash, row.synced_at = st.size, st.mtime_ns, st.digest, self.now
            out[str(st.key)] = row
            self.report.synced.append(str(st.file.path))
            self.report.decks.append(DeckSynced(plan.deck.name, str(st.file.path), origin(st.key.root), plan.note))
        self.session.flush()
        return out

    # -- explicit ids --------------------------------------------------------------

    def _drop_id_conflicts(self, plans: list[_Planned], missing: dict[int, DeckRow]) -> list[_Planned]:
        """An explicit `id:` is one card: a second file using it in this sync, or a file using
        one held by a deck not in this sync whose file still exists, is an error for that file."""
        wanted: dict[str, list[tuple[int, ParsedCard]]] = {}
        for n, plan in enumerate(plans):
            for card in plan.deck.cards:
                if card.explicit_id:
                    wanted.setdefault(card.explicit_id, []).append((n, card))
        if not wanted:
            return plans
        syncing = {p.row.id for p in plans if p.row is not None} | set(missing)
        by_id = {row.id: row for row in self.rows.values()}
        held: dict[str, int] = {}
        for uid, deck_id in self.session.execute(
            select(CardRow.uid, CardRow.deck_id).where(CardRow.uid.in_(list(wanted)), CardRow.retired.is_(False))
        ):
            held[uid] = deck_id
            deck = by_id.get(deck_id)
            if deck_id not in syncing and deck is not None and not self._file_exists(deck):
                missing[deck_id] = deck  # its file was renamed or moved: its cards go with the id
                syncing.add(deck_id)
        dropped: set[int] = set()
        for uid, users in wanted.items():
            holder = held.get(uid)
            if holder is not None and holder not in syncing:
                line = self.session.scalar(select(CardRow.source_line).where(CardRow.uid == uid))
                for n, card in users:
                    self._id_problem(plans[n], card, uid, f"{by_id[holder].path}:{line}")
                    dropped.add(n)
                continue
            files = list(dict.fromkeys(n for n, _ in users))
            if len(files) < 2:
                continue
            first = next((n for n in files if plans[n].row is not None and plans[n].row.id == holder), files[0])
            where = next(f"{plans[first].state.file.path}:{card.line}" for n, card in users if n == first)
            for n, card in users:
                if n != first:
                    self._id_problem(plans[n], card, uid, where)
                    dropped.add(n)
        return [p for n, p in enumerate(plans) if n not in dropped]

    def _id_problem(self, plan: _Planned, card: ParsedCard, uid: str, where: str) -> None:
        self.report.errors.append(DeckProblem(plan.state.file.path, card.line, f"id {uid!r} is already used at {where}"))

    # -- cards -----------------------------------------------------------------------

    def _note_uids(self, incoming: list[Incoming], pairs: dict[int, int], by_id: dict[int, CardRow]) -> dict[tuple[str, int], str]:
        """Siblings share a note uid: kept from any sibling already stored, else new."""
        notes: dict[tuple[str, int], str] = {}
        for i, sid in pairs.items():
            notes.setdefault((incoming[i].deck, incoming[i].card.note_key), by_id[sid].note_uid)
        for item in incoming:
            key = (item.deck, item.card.note_key)
            if key not in notes:
                notes[key] = next(self.uids)
        return notes

    def _update(self, row: CardRow, item: Incoming, deck: DeckRow, deck_name: str, notes: dict[tuple[str, int], str]) -> None:
        card = item.card
        text_changed = (row.question, row.answer, row.kind) != (card.question, card.answer, str(card.kind))
        moved = (row.deck_id, row.section) != (deck.id, card.section)
        meta_changed = (row.demo_id, row.tags, row.uid, row.answer_check) != (
            card.demo_id, " ".join(card.tags), card.explicit_id or row.uid, card.check.to_json()
        )
        restored = row.retired
        fields = text_fields(card, deck.id, notes[(item.deck, card.note_key)])
        if card.explicit_id:
            fields.update(uid=card.explicit_id, explicit=True)
        for key, value in fields.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        if restored or text_changed or moved or meta_changed:
            row.updated_at = self.now
        change = _change(deck_name, deck.path, card)
        if restored:
            self.report.restored.append(change)
        elif text_changed or meta_changed:
            self.report.changed.append(change)
        elif moved:
            self.report.moved.append(change)

    def _insert_new(self, items: list[Incoming], decks: dict[str, DeckRow], notes: dict[tuple[str, int], str]) -> None:
        """New cards with one executemany (COPY on PostgreSQL) on the session's connection (see store.bulk);
        into an empty table (a first sync) with the indexes built after the load."""
        con = hot_for(self.session)
        now = con.to_db(self.now)
        deck_ids = {key: row.id for key, row in decks.items()}
        rows = (
            (
                item.card.explicit_id or next(self.uids),
                bool(item.card.explicit_id),
                *text_values(item.card, deck_ids[item.deck], notes[(item.deck, item.card.note_key)]),
                False, now, now, 0, 0, 0, False, 0, False,
            )  # fmt: skip
            for item in items
        )
        with indexes_deferred(con, "cards"):
            bulk_insert(con, "cards", NEW_COLUMNS, rows, converted=True)


NEW_COLUMNS = (
    "uid", "explicit", *TEXT_COLUMNS, "retired", "created_at", "updated_at", "state", "reps", "lapses", "suspended", "flag", "leech",
)  # fmt: skip
"""What a new card's row is given (the rest are NULL: no schedule yet)."""


def fresh_uids(batch: int = 4096) -> Iterator[str]:
    """Random uids as `secrets.token_hex(8)` makes them, the system's randomness read `batch` at a time
    (one read per uid was a fifth of a first sync's writing)."""
    while True:
        pool = secrets.token_hex(8 * batch)
        for start in range(0, len(pool), 16):
            yield pool[start : start + 16]


def _stand_ins(incoming: list[Incoming], pairs: dict[int, int], by_id: dict[int, CardRow]) -> set[tuple[str, str]]:
    """(deck, content) of each card an `id:` line brings back from retirement: a row left with that
    content in that deck is the new card that stood in for it since the rewording."""
    return {(incoming[i].deck, incoming[i].card.content_hash) for i, sid in pairs.items() if incoming[i].card.explicit_id and by_id[sid].retired}


def _stored(row: CardRow, deck: str) -> StoredCard:
    return StoredCard(
        id=row.id,
        uid=row.uid,
        kind=row.kind,
        ordinal=row.ordinal,
        question=row.question,
        answer=row.answer,
        content_hash=row.content_hash,
        deck=deck,
        source_line=row.source_line,
        retired=row.retired,
        has_history=bool(row.reps or row.state),
        note_uid=row.note_uid,
    )


def _change(deck: str, path: str | Path, card: ParsedCard) -> CardChange:
    return CardChange(deck, card.question, f"{path}:{card.line}")
