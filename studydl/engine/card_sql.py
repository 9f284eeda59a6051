"""The per-answer hot path in plain SQL on the driver's own connection (SQLite or PostgreSQL).

Picking a card, reading it and writing an answer run a handful of one-row
statements; through SQLAlchemy Core each costs ~0.25 ms of Python, through the
DB-API cursor ~0.02 ms. They run inside the caller's transaction: a
`Database.raw_read()`/`raw_write()` connection (the review session), or a
SQLAlchemy session's own connection (other callers); taking the write lock and
committing stay in `Database` either way. What differs between the databases
(placeholders, how times are stored, a JSON field, an index hint) is behind
`studydl.store.hot.HotSQL`; the statements here are written once, for both.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from studydl.store.hot import HotSQL, hot_for
from studydl.store.models import CardRow

CARD_COLUMNS = tuple(c.name for c in CardRow.__table__.columns)
_TIMES = {"due", "last_review", "buried_until", "created_at", "updated_at"}
_BOOLS = {"explicit", "retired", "suspended", "leech"}
_SELECT_CARD = f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE id = ?"


Txn = Session | HotSQL
"""A transaction already begun: a SQLAlchemy session, or a `Database.raw_*` connection."""


def hot(s: Txn) -> HotSQL:
    """The hot-path interface of a transaction (its transaction already begun)."""
    return hot_for(s) if isinstance(s, Session) else s


def card_row(con: HotSQL, card_id: int) -> SimpleNamespace | None:
    """Every column of one card, typed as the ORM would type them (attribute access)."""
    found = con.execute(_SELECT_CARD, (card_id,)).fetchone()
    return None if found is None else _typed(con, found)


def _typed(con: HotSQL, found: tuple) -> SimpleNamespace:
    data: dict[str, Any] = dict(zip(CARD_COLUMNS, found, strict=True))
    from_db = con.from_db
    for name in _TIMES:
        data[name] = from_db(data[name])
    for name in _BOOLS:
        data[name] = bool(data[name])
    return SimpleNamespace(**data)


_SELECT_NOTE = f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE note_uid = (SELECT note_uid FROM cards WHERE id = ?)"
_ID, _NOTE_COLUMNS = CARD_COLUMNS.index("id"), tuple(
    CARD_COLUMNS.index(c) for c in ("id", "deck_id", "section", "state", "due", "buried_until", "retired", "suspended")
)


def card_with_note(con: HotSQL, card_id: int) -> tuple[SimpleNamespace | None, list[tuple]]:
    """One card (as `card_row`) and every card of its note, itself included, in one read: (id, deck_id,
    section, state, due, buried_until, retired, suspended) of each."""
    return _with_note(con, card_id, con.execute(_SELECT_NOTE, (card_id,)).fetchall())


def card_with_note_versioned(con: HotSQL, card_id: int) -> tuple[SimpleNamespace | None, list[tuple], Any]:
    """As `card_with_note`, and the store's change counter in the same statement (`HotSQL.version_sql`;
    None when the card is not found): outside a transaction, the one read shows a card and when."""
    found = con.execute(_SELECT_NOTE.replace(" FROM cards", f", {con.version_sql} FROM cards", 1), (card_id,)).fetchall()
    return (*_with_note(con, card_id, found), found[0][-1] if found else None)


def _with_note(con: HotSQL, card_id: int, found: list[tuple]) -> tuple[SimpleNamespace | None, list[tuple]]:
    from_db = con.from_db
    row = None
    note = []
    i, d, sec, st, due, bur, ret, sus = _NOTE_COLUMNS
    for values in found:
        if values[_ID] == card_id:
            row = _typed(con, values[: len(CARD_COLUMNS)])
            note.append((card_id, row.deck_id, row.section, row.state, row.due, row.buried_until, row.retired, row.suspended))
        else:
            note.append((values[i], values[d], values[sec], values[st], from_db(values[due]), from_db(values[bur]), bool(values[ret]), bool(values[sus])))
    return row, note


def deck_name(con: HotSQL, deck_id: int) -> str:
    """A deck's name ("" for none)."""
    found = con.execute("SELECT name FROM decks WHERE id = ?", (deck_id,)).fetchone()
    return found[0] if found else ""


def bury(con: HotSQL, card_ids: list[int], until: datetime | None) -> None:
    """Bury these cards until `until` (None: unbury), in one statement."""
    if card_ids:
        con.execute(f"UPDATE cards SET buried_until = ? WHERE id IN ({', '.join('?' * len(card_ids))})", (con.to_db(until), *card_ids))


def write_memory(con: HotSQL, card_id: int, columns: dict[str, Any], versioned: bool = False) -> Any:
    """Set columns of a card (scheduling columns named as in Memory.columns(), flag, buried_until).

    `versioned`: return the store's change counter as this write transaction saw it (`HotSQL.counter`; its
    own statement: as the UPDATE's `RETURNING (SELECT data_version FROM pragma_data_version())` it took the
    UPDATE from ~19 to ~55-80 us), None if no such card."""
    to_db = con.to_db
    values = [to_db(v) if k in _TIMES else v for k, v in columns.items()]
    values.append(card_id)
    version = con.counter() if versioned else None
    updated = con.execute(_update_sql(tuple(columns)), values).rowcount
    return version if updated else None


@lru_cache(maxsize=64)
def _update_sql(names: tuple[str, ...]) -> str:
    """UPDATE of these columns of one card: made once per shape."""
    return f"UPDATE cards SET {', '.join(f'{name} = ?' for name in names)} WHERE id = ?"


def insert_review(
    con: HotSQL,
    card_id: int,
    reviewed_at: datetime,
    rating: int,
    duration_ms: int | None,
    state_before: str,
    state_after: str,
    kind: str = "scheduled",
    detail: str | None = None,
) -> int:
    """Append one answer; `kind` is `scheduled` or `cram`, `detail` the JSON of a typed or predicted answer."""
    return con.insert(
        "INSERT INTO review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after, kind, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (card_id, con.to_db(reviewed_at), rating, duration_ms, state_before, state_after, kind, detail),
    )


class PickSQL:
    """The three queue queries for one scope, as SQL text with `?` parameters."""

    def __init__(self, deck_ids: list[int] | None, section: str | None, con: HotSQL) -> None:
        where = ["retired = FALSE", "suspended = FALSE"]
        self.scope_params: tuple[Any, ...] = ()
        if deck_ids is not None:
            where.append(f"deck_id IN ({', '.join(str(int(i)) for i in deck_ids) or 'NULL'})")
        if section:
            where.append("(section = ? OR substr(section, 1, ?) = ?)")
            self.scope_params = (section, len(section) + 3, section + " / ")
        live = " AND ".join(where)
        unburied = "(buried_until IS NULL OR buried_until <= ?)"
        # Per state, so each is a walk of ix_cards_queue in due order that stops at the first
        # card (with `state IN (1, 3)` SQLite sorted every learning card due, each time).
        learning = f"SELECT id, due FROM cards WHERE {live} AND state = {{}} AND due <= ? AND {unburied} ORDER BY due LIMIT 1"
        self.learning = (
            f"SELECT id FROM (SELECT * FROM ({learning.format(1)}) AS l UNION ALL SELECT * FROM ({learning.format(3)}) AS r)"
            " AS first ORDER BY due LIMIT 1"
        )
        self._review = f"SELECT id FROM cards WHERE {live} AND deck_id IN ({{}}) AND state = 2 AND due < ? AND {unburied} ORDER BY due LIMIT 1"
        # A deck's new cards by range of the covering ix_cards_deck_state, then a small sort.
        # Named on SQLite, as without ANALYZE statistics it prefers ix_cards_queue (it gives
        # the order) and walks every deck's new cards before this one's: 20 ms for the 100th
        # of 100 decks, against 0.1 ms here. (PostgreSQL's planner has statistics.)
        self.new = (
            f"SELECT id FROM cards {con.index_hint('ix_cards_deck_state')} WHERE {live} AND deck_id = ? AND state = 0"
            f" AND {unburied} ORDER BY due, id LIMIT 1"
        )

        # Today's due reviews with what the review orders sort by (engine/review_order.py).
        self.due_reviews = (
            f"SELECT id, deck_id, due, last_review, stability, difficulty, reps FROM cards WHERE {live} AND state = 2"
            f" AND due < ? AND {unburied}"
        )
        self.all_new = f"SELECT id, deck_id FROM cards WHERE {live} AND state = 0 AND {unburied}"
        # The cards shown next, for their fuzz draws (engine/fuzz_draws.py): the learning
        # cards due first (each state in index order) and a deck's first new cards.
        first = f"SELECT id, reps, due FROM cards WHERE {live} AND state = {{}} AND due < ? AND {unburied} ORDER BY due LIMIT ?"
        self.first_learning = (
            f"SELECT id, reps FROM ({first.format(1)}) AS l UNION ALL SELECT id, reps FROM ({first.format(3)}) AS r"
        )
        self.first_new = (
            f"SELECT id, reps FROM cards {con.index_hint('ix_cards_deck_state')} WHERE {live} AND deck_id = ? AND state = 0"
            " ORDER BY due, id LIMIT ?"
        )
        self.still_due = "SELECT state, due, buried_until, suspended, retired FROM cards WHERE id = ?"
        # The learning cards a session keeps in memory (engine/learning_queue.py), buried ones too.
        self.all_learning = f"SELECT due, state, id, buried_until FROM cards WHERE {live} AND state IN (1, 3) AND due <= ?"

        # Two range reads of the covering ix_cards_deck_state (deck_id, retired, suspended,
        # state, due, buried_until, section): every new card, and the cards due before the day's end.
        # All decks are enumerated (deck_id IN decks) so each deck is an index seek, not a
        # scan of every card (most cards are reviews due later, which neither query touches).
        per_deck = live if deck_ids is not None else f"deck_id IN (SELECT id FROM decks) AND {live}"
        self.count_new = f"SELECT deck_id, count(*) FROM cards WHERE {per_deck} AND state = 0 AND {unburied} GROUP BY deck_id"
        self.count_due = (
            f"SELECT deck_id, state, count(*) FROM cards WHERE {per_deck} AND state IN (1, 2, 3) AND due < ?"
            f" AND {unburied} GROUP BY deck_id, state"
        )

    def counts(self, con: HotSQL, day_end: Any, now: Any) -> dict[int, list[int]]:
        """deck id -> [new, learning, review] (learning and review due before `day_end`), unburied at `now`."""
        out: dict[int, list[int]] = {}
        for deck_id, n in con.execute(self.count_new, (*self.scope_params, now)):
            out.setdefault(deck_id, [0, 0, 0])[0] += n
        for deck_id, state, n in con.execute(self.count_due, (*self.scope_params, day_end, now)):
            out.setdefault(deck_id, [0, 0, 0])[1 if state in (1, 3) else 2] += n
        return out

    def review(self, deck_ids: list[int]) -> str:
        return self._review.format(", ".join(str(int(i)) for i in deck_ids))

    @staticmethod
    def one(con: HotSQL, sql: str, params: tuple[Any, ...]) -> int | None:
        found = con.execute(sql, params).fetchone()
        return found[0] if found else None


def card_uids(con: HotSQL, card_ids: tuple[int, ...]) -> list[str]:
    """The uids of those of these cards that exist, in order."""
    return [row.uid for cid in card_ids if (row := card_row(con, cid)) is not None]


def answers_logged(con: HotSQL, card_id: int) -> int:
    """How many answers (cram ones too) the card has in the log."""
    return int(con.execute("SELECT count(*) FROM review_log WHERE card_id = ?", (card_id,)).fetchone()[0])
