"""The deck list's numbers in plain SQL: due counts per deck and section, the next due time.

Shared by the app's deck list and `studydl due`, and kept off SQLAlchemy: both are read
paths a learner waits for (the app's first counts, a whole `due` process), and loading
the ORM would cost more than the reads. Each function runs inside one transaction on
the driver's own connection (`Database.raw_read()`, SQLite or PostgreSQL), so the
numbers are one snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from studydl.engine.presets import read_settings  # noqa: F401  (re-exported: the deck list reads settings here)
from studydl.engine.queue_counts import LEARN_STATES, NEW, REVIEW, DeckQueue, deck_names, done_today
from studydl.engine.setting_values import Settings

if TYPE_CHECKING:
    from studydl.store.hot import HotSQL

LIVE = "retired = FALSE AND suspended = FALSE"
UNBURIED = "(buried_until IS NULL OR buried_until <= ?)"
LEARN_OR_REVIEW = f"({', '.join(str(s) for s in (*LEARN_STATES, REVIEW))})"


@dataclass(frozen=True)
class DeckSectionCounts:
    """Due counts for one deck (`section == ""`) or one section of it."""

    deck: str
    section: str
    new: int
    learning: int
    review: int
    total: int
    """Live (not retired, not suspended) cards."""
    new_all: int = 0
    """New cards before the daily limit (`new` is what today's limit leaves of them)."""


def section_counts(con: HotSQL, now: datetime, day_end: datetime) -> dict[tuple[int, str], list[int]]:
    """(deck id, section) -> [new, learning due, review due, live total, first line], for every section with cards.

    Three grouped reads of covering indexes, the cards table not read: the new cards and
    the cards due today by range on ix_cards_deck_state (deck_id, retired, suspended,
    state, due, buried_until, section), and the totals with each section's first line in
    one pass over ix_cards_deck_section (deck_id, section, retired, suspended,
    source_line), in its order. No statement per deck: three in all, whatever the decks.
    """
    visible = f"deck_id IN (SELECT id FROM decks) AND {LIVE} AND {UNBURIED}"
    by_section, by_state = con.index_hint("ix_cards_deck_section"), con.index_hint("ix_cards_deck_state")
    totals = (
        f"SELECT deck_id, section, sum(CASE WHEN {LIVE} THEN 1 ELSE 0 END), min(source_line)"
        f" FROM cards {by_section} GROUP BY deck_id, section"
    )
    out = {(deck_id, section): [0, 0, 0, int(total or 0), int(first or 0)] for deck_id, section, total, first in con.execute(totals)}
    at = con.to_db(now)
    # (named: grouped by deck and section, SQLite would rather walk ix_cards_deck_section and read every row)
    new = f"SELECT deck_id, section, count(*) FROM cards {by_state} WHERE {visible} AND state = {NEW} GROUP BY deck_id, section"
    for deck_id, section, n in con.execute(new, (at,)):
        out[(deck_id, section)][0] += n
    due = (
        f"SELECT deck_id, section, state, count(*) FROM cards {by_state} WHERE {visible} AND state IN {LEARN_OR_REVIEW}"
        " AND due < ? GROUP BY deck_id, section, state"
    )
    for deck_id, section, state, n in con.execute(due, (at, con.to_db(day_end))):
        out[(deck_id, section)][1 if state in LEARN_STATES else 2] += n
    return out


def tree_counts(con: HotSQL, now: datetime, settings: Settings) -> list[DeckSectionCounts]:
    """Per deck (section "") and per section: new/learning/review due, deck limits applied.

    A section's counts are capped by its deck's (the limits are per deck).
    """
    day_start, day_end = settings.study_days().bounds(now)
    names = deck_names(con)
    rows = section_counts(con, now, day_end)
    done = done_today(con, day_start)
    decks: dict[str, DeckQueue] = {}
    sections: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for (deck_id, section), (new, learning, review, total, first) in rows.items():
        name = names.get(deck_id, "?")
        deck = decks.setdefault(name, DeckQueue(*settings.limits_for(name)))
        deck.new += new
        deck.learning += learning
        deck.review += review
        counts = sections[(name, section)]
        for i, value in enumerate((new, learning, review, total)):
            counts[i] += value
        counts[4] = first
    for (deck_id, state), n in done.items():
        deck = decks.get(names.get(deck_id, "?"))
        if deck is not None and state == NEW:
            deck.new_done += n
        elif deck is not None and state == REVIEW:
            deck.review_done += n
    by_deck: dict[str, list[str]] = defaultdict(list)
    for name, section in sections:
        by_deck[name].append(section)
    out = []
    for name in sorted(decks, key=str.lower):
        deck = decks[name]
        total = sum(sections[(name, section)][3] for section in by_deck[name])
        out.append(DeckSectionCounts(name, "", deck.new_left, deck.learning, deck.review_left, total, deck.new))
        in_file_order = sorted((sections[(name, section)][4], section) for section in by_deck[name] if section)
        for _first, section in in_file_order:
            new, learning, review, total, _ = sections[(name, section)]
            out.append(
                DeckSectionCounts(name, section, min(new, deck.new_left), learning, min(review, deck.review_left), total, new)
            )
    return out


def next_due(con: HotSQL, now: datetime) -> datetime | None:
    """When the next learning or review card comes due (or out of burial) after `now`.

    A live card counts from max(due, buried_until). Split in two so each part is an
    index read, not a scan of every card: cards not buried past their due time, the
    first due after `now` per state (ix_cards_queue, in due order); and cards buried
    past their due time, the first to come out after `now` (the partial ix_cards_buried,
    which holds the buried cards alone; named, or SQLite walks ix_cards_deck_state).
    """
    at = con.to_db(now)
    found: list[datetime] = []
    first = (
        f"SELECT due FROM cards WHERE {LIVE} AND state = ? AND due > ?"
        " AND (buried_until IS NULL OR buried_until <= due) ORDER BY due LIMIT 1"
    )
    for state in (*LEARN_STATES, REVIEW):
        row = con.execute(first, (state, at)).fetchone()
        if row is not None:
            found.append(con.from_db(row[0]))  # type: ignore[arg-type]
    buried = con.execute(
        f"SELECT min(buried_until) FROM cards {con.index_hint('ix_cards_buried')} WHERE deck_id IN (SELECT id FROM decks) AND {LIVE}"
        f" AND state IN {LEARN_OR_REVIEW} AND buried_until > due AND buried_until > ?",
        (at,),
    ).fetchone()[0]
    if buried is not None:
        found.append(con.from_db(buried))  # type: ignore[arg-type]
    return min(found) if found else None


def bundled_decks(con: HotSQL) -> frozenset[str]:
    """Names of the decks that ship with studydl and have no copy of the learner's (synced decks only)."""
    roots: dict[str, set[str]] = defaultdict(set)
    for name, root in con.execute("SELECT name, root FROM decks WHERE file_hash IS NOT NULL"):
        roots[name].add(root)
    return frozenset(name for name, found in roots.items() if found == {"bundled"})


def deck_tree_counts(db, now: datetime, settings: Settings) -> list[DeckSectionCounts]:  # noqa: ANN001 (a Database)
    """`tree_counts` in a read transaction of its own."""
    with db.raw_read() as con:
        return tree_counts(con, now, settings)


def next_due_time(db, now: datetime) -> datetime | None:  # noqa: ANN001 (a Database)
    """`next_due` in a read transaction of its own."""
    with db.raw_read() as con:
        return next_due(con, now)
