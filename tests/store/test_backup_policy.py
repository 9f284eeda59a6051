"""The rotation walk gives Anki's answers: its two unit tests (rslib/src/collection/backup.rs), ported."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from studydl.store.backup import Backup
from studydl.store.backup_policy import BackupPolicy, obsolete_backups

ZONES = [ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")]


def backup(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> Backup:
    moment = datetime(year, month, day, hour, minute, tzinfo=zone)
    return Backup(Path(moment.isoformat()), moment)


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_thinning_manual(zone: ZoneInfo) -> None:
    """Anki's `thinning_manual`: today 2022-02-22, limits 3 daily, 2 weekly, 1 monthly."""
    today = datetime(2022, 2, 22, tzinfo=zone)
    limits = BackupPolicy(daily=3, weekly=2, monthly=1)
    cases = [  # (backup, removed?)
        (backup(zone, 2022, 2, 22), False),  # grace period
        (backup(zone, 2022, 2, 22), False),
        (backup(zone, 2022, 2, 21), False),
        (backup(zone, 2022, 2, 20, 6), True),  # daily
        (backup(zone, 2022, 2, 20, 18), False),
        (backup(zone, 2022, 2, 10), False),
        (backup(zone, 2022, 2, 9), False),
        (backup(zone, 2022, 2, 7), True),  # weekly: Monday, week already backed up
        (backup(zone, 2022, 2, 6, 1), True),
        (backup(zone, 2022, 2, 6, 2), False),
        (backup(zone, 2022, 1, 6), False),
        (backup(zone, 2022, 1, 5), True),  # monthly
        (backup(zone, 2021, 12, 24), False),
        (backup(zone, 2021, 12, 1), True),
        (backup(zone, 2021, 11, 1), True),
    ]
    removed = obsolete_backups([b for b, _ in cases], today, zone, limits)
    assert sorted(removed, key=lambda b: b.taken_at) == sorted((b for b, gone in cases if gone), key=lambda b: b.taken_at)


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_thinning_generic(zone: ZoneInfo) -> None:
    """Anki's `thinning_generic`: a backup every day for a year, Anki's default limits 12/10/9."""
    today = datetime(2022, 1, 1, tzinfo=zone)
    limits = BackupPolicy(daily=12, weekly=10, monthly=9)
    days = [today.date() - timedelta(days=i) for i in range(1, 366)]
    backups = [Backup(Path(str(d)), datetime.combine(d, time(), zone)) for d in days]
    expected: list[Backup] = []
    rest = iter(backups[1 + limits.daily :])  # one day of grace, then the daily ones
    for _ in range(limits.weekly):  # weekly backups: the last day of each week (Sunday)
        for item in rest:
            if item.taken_at.date().weekday() == 6:
                break
            expected.append(item)
    for _ in range(limits.monthly):  # monthly backups: the last day of each month
        for item in rest:
            if item.taken_at.date().month != (item.taken_at.date() + timedelta(days=1)).month:
                break
            expected.append(item)
    expected.extend(rest)
    assert obsolete_backups(backups, today, zone, limits) == expected


def test_days_are_the_learners_local_days() -> None:
    """Two backups an hour apart in UTC fall on two local days in Sydney, on one in New York."""
    first = backup(ZoneInfo("UTC"), 2026, 11, 20, 12, 30)
    second = backup(ZoneInfo("UTC"), 2026, 11, 20, 13, 30)
    now = datetime(2026, 11, 25, 12, tzinfo=ZoneInfo("UTC"))
    limits = BackupPolicy(daily=5, weekly=0, monthly=0)
    assert obsolete_backups([first, second], now, ZoneInfo("America/New_York"), limits) == [first]
    assert obsolete_backups([first, second], now, ZoneInfo("Asia/Kolkata"), limits) == [first]
    # 12:30 UTC is 23:30 in Sydney (summer time, UTC+11), 13:30 UTC is 00:30 on the next day there
    assert obsolete_backups([first, second], now, ZoneInfo("Australia/Sydney"), limits) == []
    assert first.taken_at.astimezone(ZoneInfo("Australia/Sydney")).date() == date(2026, 11, 20)


def test_defaults() -> None:
    policy = BackupPolicy()
    assert (policy.minimum_interval, policy.daily, policy.weekly, policy.monthly) == (timedelta(hours=3), 7, 4, 3)
