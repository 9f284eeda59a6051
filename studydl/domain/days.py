"""Study days: a day runs from the day-start hour (default 4 am, local time) to the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

DEFAULT_DAY_START_HOUR = 4


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def day_bounds(now: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the study day that contains `now` (an aware datetime)."""
    local = now.astimezone(zone or local_zone())
    start = local.replace(hour=day_start_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    end = start + timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC)
