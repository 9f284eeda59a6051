"""Study days: the one owner of "which study day is it".

A study day runs from the day-start hour (default 4 am) in the learner's zone to the
same hour the next day, as Anki's `scheduler/timing.rs` has it. Days are counted on
the local calendar through zoneinfo, so a day that a daylight-saving change makes 23
or 25 hours long is still one day, and boundaries stay at the local hour all year.

Everything that counts days asks `StudyDays`: the queue (today's limits, burying
until tomorrow), review due dates, the elapsed days FSRS is given, the log replay,
the optimizer's items, and the statistics.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DAY_START_HOUR = 4


@lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def zone_named(name: str) -> tzinfo:
    """The IANA zone `name` (e.g. `America/New_York`); ValueError when unknown."""
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from exc


def local_zone() -> tzinfo:
    """The system's IANA zone (`$TZ` first, then tzlocal); UTC when none can be found.

    An IANA zone, not today's fixed UTC offset: its daylight-saving changes move the
    day boundaries with the clock.
    """
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        try:
            return _zone(env)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        from tzlocal import get_localzone_name

        name = get_localzone_name()
        if name:
            return _zone(name)
    except Exception:  # no zone configured, or one zoneinfo does not know
        pass
    return UTC


@dataclass(frozen=True)
class StudyDays:
    """Maps instants to study-day numbers and back, for one zone and day-start hour.

    A study day's number is the proleptic ordinal of its local calendar date
    (`date.toordinal()`), so differences between numbers are days.
    """

    zone: tzinfo = UTC
    start_hour: int = DEFAULT_DAY_START_HOUR

    @classmethod
    def local(cls, start_hour: int = DEFAULT_DAY_START_HOUR) -> StudyDays:
        """The system zone's study days."""
        return cls(local_zone(), start_hour)

    def day_of(self, instant: datetime) -> int:
        """The study day `instant` (an aware datetime) falls in."""
        known = self.__dict__.get("_last")
        if known is not None and known[0] <= instant < known[1]:  # the day asked about last (most asks)
            return known[2]
        local = instant.astimezone(self.zone)
        day = local.date().toordinal()
        day = day - 1 if local.hour < self.start_hour else day
        # (start, end, number) of this day, kept on the instance (not a field: no part of its
        # identity). A day's bounds are fixed by the zone's rules, so a kept day stays right.
        object.__setattr__(self, "_last", (self.start_of(day), self.start_of(day + 1), day))
        return day

    def date_of(self, instant: datetime) -> date:
        """The study day as a calendar date (the date the day began on)."""
        return date.fromordinal(self.day_of(instant))

    def day_of_date(self, calendar_date: date) -> int:
        """The number of the study day that a local calendar date names (as a due date in a file does)."""
        return calendar_date.toordinal()

    def start_of(self, day: int) -> datetime:
        """When study day `day` begins, in UTC.

        The day-start hour in local time. If a daylight-saving gap skips that hour (a
        start hour of 2 on a spring-forward night), zoneinfo's fold=0 reading gives the
        end of the gap; if the hour happens twice, its first occurrence.
        """
        return _day_start(self.zone, self.start_hour, day)

    def bounds(self, instant: datetime) -> tuple[datetime, datetime]:
        """(start, end) in UTC of the study day `instant` falls in."""
        day = self.day_of(instant)
        return self.start_of(day), self.start_of(day + 1)

    def days_between(self, earlier: datetime, later: datetime) -> int:
        """Study days from `earlier` to `later` (0 on the same study day, never negative)."""
        return max(0, self.day_of(later) - self.day_of(earlier))


@lru_cache(maxsize=4096)
def _day_start(zone: tzinfo, start_hour: int, day: int) -> datetime:
    return datetime.combine(date.fromordinal(day), time(start_hour), tzinfo=zone).astimezone(UTC)



def day_bounds(
    now: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR, zone: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the study day that contains `now` (in `zone`, else the system's)."""
    return StudyDays(zone if zone is not None else local_zone(), day_start_hour).bounds(now)
