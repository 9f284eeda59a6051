"""Open a collection from someone else's package so that nothing in it runs.

SQL stored in a database runs when the database is queried: a `notes` that is a
view over an endless recursive query never returns, a generated column
`hex(zeroblob(50000000))` makes 100 MB per row read. So before any query on
the collection's tables:

- it is opened read-only, `trusted_schema` off, with SQLite's limits lowered
  (a value at most 64 MB, short statements, shallow expressions, nothing attached);
- its schema holds only plain tables and indexes: no view, no trigger, no virtual
  table, and the tables we read have the columns we read, none of them generated
  or hidden (`PRAGMA table_xinfo`);
- every query draws on one step budget (a progress handler), proportional to the
  file's size: reading a collection takes a few steps per byte, so a query that
  needs far more is not reading it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from studydl.interop.result import ImportFailed

TABLES: dict[str, set[str]] = {
    "col": {"crt", "conf", "models", "decks"},
    "notes": {"id", "mid", "tags", "flds"},
    "cards": {"id", "nid", "did", "ord", "type", "queue", "due", "ivl", "factor", "reps", "lapses", "left", "odue", "odid", "flags", "data"},
    "revlog": {"id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type"},
    "notetypes": {"id", "name", "config"},
    "fields": {"ntid", "ord", "name"},
    "templates": {"ntid", "ord", "config"},
    "decks": {"id", "name"},
    "config": {"KEY", "val"},
}
"""The tables studydl reads and the columns it reads from each; col, notes and cards must be there."""
REQUIRED = ("col", "notes", "cards")
LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: 64 * 1024 * 1024,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 100,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 50,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 4,
    sqlite3.SQLITE_LIMIT_VDBE_OP: 10_000,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 8,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 100,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 100,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 1,
    sqlite3.SQLITE_LIMIT_WORKER_THREADS: 0,
}
STEPS_BASE = 50_000_000
STEPS_PER_BYTE = 200
"""The step budget: STEPS_BASE + STEPS_PER_BYTE x the file's size (reading it all takes far fewer)."""
_TICK = 10_000


class StepBudget:
    """A progress handler that stops SQLite once `budget` virtual-machine steps are spent."""

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.spent = False

    def __call__(self) -> int:
        self.left -= _TICK
        self.spent = self.left < 0
        return int(self.spent)


def open_guarded(path: Path, db_path: Path, budget: int | None = None) -> tuple[sqlite3.Connection, StepBudget]:
    """The collection at `db_path` read-only and vetted; `path` names the package in messages."""
    steps = StepBudget(budget if budget is not None else STEPS_BASE + STEPS_PER_BYTE * db_path.stat().st_size)
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    con.text_factory = _text  # Anki's own check counts notes with invalid UTF-8: they exist
    con.create_collation("unicase", _unicase)
    try:
        for limit, value in LIMITS.items():
            con.setlimit(limit, value)
        con.set_progress_handler(steps, _TICK)
        con.execute("pragma trusted_schema = off")
        con.execute("pragma query_only = on")
        con.execute("pragma mmap_size = 0")
        _vet_schema(path, con)
    except BaseException:
        con.close()
        raise
    return con, steps


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _unicase(a: str, b: str) -> int:
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def refusal(path: Path, steps: StepBudget, exc: BaseException) -> ImportFailed:
    """The one-line message for a query that failed: the budget spent, or the database unreadable."""
    if steps.spent:
        return ImportFailed(f"{path}: reading the collection took more work than a collection of its size needs; refused")
    return ImportFailed(f"{path}: not a readable Anki collection ({exc})")


def _vet_schema(path: Path, con: sqlite3.Connection) -> None:
    try:
        rows = con.execute("select type, name, sql from sqlite_master").fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a garbled schema, or one over the limits
        raise ImportFailed(f"{path}: not a readable Anki collection ({exc})") from exc
    tables: set[str] = set()
    for kind, name, sql in rows:
        if kind in ("view", "trigger"):
            raise ImportFailed(f"{path}: the collection holds a {kind} ({name!r}); an Anki collection has none, refused")
        if kind == "table" and str(sql or "").lstrip()[:20].upper().replace(" ", "").startswith("CREATEVIRTUAL"):
            raise ImportFailed(f"{path}: the collection holds a virtual table ({name!r}); an Anki collection has none, refused")
        if kind == "table":
            tables.add(name)
    missing = [name for name in REQUIRED if name not in tables]
    if missing:
        raise ImportFailed(f"{path}: not an Anki collection (no {'/'.join(missing)} table)")
    for table, wanted in TABLES.items():
        if table in tables:
            _vet_columns(path, con, table, wanted)


def _vet_columns(path: Path, con: sqlite3.Connection, table: str, wanted: set[str]) -> None:
    columns = con.execute(f"pragma table_xinfo({table})").fetchall()  # cid, name, type, notnull, default, pk, hidden
    odd = [name for _, name, _, _, _, _, hidden in columns if hidden]
    if odd:
        raise ImportFailed(f"{path}: column {table}.{odd[0]} of the collection is generated or hidden; refused")
    names = {name.lower() for _, name, *_ in columns}
    lacking = sorted(c for c in wanted if c.lower() not in names)
    if lacking:
        raise ImportFailed(f"{path}: not an Anki collection (table {table} has no column {', '.join(lacking)})")
