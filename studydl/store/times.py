"""Times as the store keeps them on SQLite: naive UTC text, `YYYY-MM-DD HH:MM:SS.ffffff`.

The form SQLAlchemy's SQLite DateTime writes, so the plain-SQL paths (the review hot
path, the quick counts) and the ORM read and write the same values. No SQLAlchemy here.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value is not None else None
