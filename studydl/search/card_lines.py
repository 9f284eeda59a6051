"""A search's matching cards one at a time, in plain SQL: what `studydl cards` prints.

The browser's search (`search.cards`) loads ORM rows, at most a screenful; the command
line prints every match, up to a million of them, so it reads the same conditions
(`SqlWriter`) on the driver's own connection and yields each card as its row comes off
the cursor: nothing is held but the row being printed, and SQLAlchemy is not loaded.
Decks come in the browser's order (name, then file), one indexed read each, so each
sort is over one deck's matches; cards in a deck in file order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from studydl.search.parser import Query
from studydl.search.sqlwriter import SqlWriter

if TYPE_CHECKING:
    from studydl.store.hot import HotSQL


class CardLine(NamedTuple):
    """What a line of `studydl cards` shows of one card."""

    uid: str
    retired: bool
    suspended: bool
    demo_id: str | None
    state: int
    due_on: str | None
    """The calendar date it is due in the local time zone, as shown (`2026-12-06`)."""
    deck: str
    section: str
    question: str
    where: str
    """`file:line` of the card in its deck."""


COLUMNS = "uid, retired, suspended, demo_id, state, due, section, question, source_line"


def deck_order(con: HotSQL) -> list[tuple[int, str, str, str]]:
    """(id, name, rel_path, path) of every deck in the browser's order: by name (any case), then file."""
    decks = con.execute("SELECT id, name, rel_path, path FROM decks").fetchall()
    return sorted(decks, key=lambda d: (d[1].lower(), d[2], d[0]))


def card_lines(con: HotSQL, query: Query, day_end: datetime) -> Iterator[CardLine]:
    """The cards matching `query` in deck and file order, streamed off the cursor.

    `day_end` is when the study day ends (`is:due`).
    """
    decks = deck_order(con)
    where, params = SqlWriter([(i, name, rel) for i, name, rel, _path in decks], day_end, con.to_db).where(query)
    # The two tautologies let SQLite seek ix_cards_deck_state (deck_id, retired, suspended,
    # state, due, ...) past the flags to a query's state and due (it skips no index column
    # without ANALYZE's statistics): `is:due` reads the due cards' entries, not the deck's.
    sql = (
        f"SELECT {COLUMNS} FROM cards WHERE cards.deck_id = ? AND cards.retired IN (FALSE, TRUE)"
        f" AND cards.suspended IN (FALSE, TRUE) AND ({where}) ORDER BY source_line, ordinal"
    )
    day = local_date(con)
    new = tuple.__new__  # CardLine's own __new__ is a Python function: a tenth of a row's cost
    for deck_id, name, _rel, path in decks:
        at = f"{path}:"
        for uid, retired, suspended, demo_id, state, due, section, question, line in con.execute(sql, (deck_id, *params)):
            yield new(CardLine, (uid, retired, suspended, demo_id, state, day(due), name, section, question, f"{at}{line}"))


def local_date(con: HotSQL) -> Callable[[Any], str | None]:
    """A stored time's local calendar date as shown (not a study day), converted once per
    minute of the stored times (a zone's offset is whole minutes): a million cards due over
    a week are ten thousand conversions."""

    dates: dict[Any, str] = {}

    def day(stored: Any) -> str | None:
        if stored is None:
            return None
        # SQLite's text `YYYY-MM-DD HH:MM:SS.ffffff` cut at the minute; PostgreSQL's datetime
        minute = stored[:16] if isinstance(stored, str) else stored.replace(second=0, microsecond=0)
        shown = dates.get(minute)
        if shown is None:
            if len(dates) > 16_384:  # bounded: a million cards may be due at as many minutes
                dates.clear()
            shown = dates[minute] = f"{con.from_db(minute).astimezone():%Y-%m-%d}"
        return shown

    return day
