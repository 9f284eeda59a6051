"""SQL expressions that each database spells its own way, for queries written once with SQLAlchemy.

- `json_int(column, key)`: the integer at `key` of JSON text (the review log's states);
- `epoch_seconds(column)`: whole seconds since 1970 of a stored (naive UTC) time;
- `upsert(session, table, values, key)`: insert, or update the row with that key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class json_int(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it stands for
    """The integer at one key of a JSON text column."""

    type = Integer()
    inherit_cache = True

    def __init__(self, column: Any, key: str) -> None:
        self.key = key
        super().__init__(column)


@compiles(json_int, "sqlite")
def _json_int_sqlite(element: json_int, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$.{element.key}')"


@compiles(json_int, "postgresql")
def _json_int_postgresql(element: json_int, compiler: Any, **kw: Any) -> str:
    return f"CAST(CAST({compiler.process(element.clauses, **kw)} AS json) ->> '{element.key}' AS integer)"


class epoch_seconds(FunctionElement[int]):  # noqa: N801
    """Whole seconds since 1970-01-01 UTC of a naive UTC timestamp column."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(floor(extract(epoch FROM {compiler.process(element.clauses, **kw)})) AS bigint)"


def upsert(session: Any, table: Any, values: dict[str, Any], key: list[Any]) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET the other values, in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(**values)
    names = {getattr(k, "key", k) for k in key}
    session.execute(stmt.on_conflict_do_update(index_elements=key, set_={n: stmt.excluded[n] for n in values if n not in names}))
