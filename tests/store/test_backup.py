"""Backups: consistent single-file copies, refused for a damaged database, made automatically at most every 3 hours."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from studydl.home import Home
from studydl.store.backup import backup_name, describe, find_backups, make_backup, parse_name
from studydl.store.backup_policy import auto_backup
from studydl.store.damage import DatabaseDamaged
from tests.store.conftest import DAMAGE, answer_all, count_reviews, damage, dump, studydl

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_backup_is_a_whole_copy_in_one_file(reviewed: Home, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    path = make_backup(reviewed.db_path, folder, NOON)
    assert path == folder / "backup-2026-11-25-12.00.00Z.db"
    assert dump(path) == dump(reviewed.db_path)
    assert sorted(p.name for p in folder.iterdir()) == [path.name]  # no -wal, -shm or partial file
    with sqlite3.connect(path) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "delete"
    info = describe(find_backups(folder)[0])
    assert (info.cards, info.reviews, info.size) == (5, 5, path.stat().st_size)


def test_names_sort_by_time_and_parse_back() -> None:
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Berlin, the night clocks go forward
    name = backup_name(moment, "before-restore", serial=2)
    assert name == "backup-2026-03-29-00.30.00Z-before-restore~2.db"
    parsed = parse_name(Path(name))
    assert parsed is not None and (parsed.taken_at, parsed.tag) == (moment, "before-restore")
    assert parse_name(Path("damaged-2026-03-29-00.30.00Z.db")) is None
    assert parse_name(Path("backup-2026-13-29-00.30.00Z.db")) is None


def test_same_second_gets_a_second_name(reviewed: Home, tmp_path: Path) -> None:
    first = make_backup(reviewed.db_path, tmp_path, NOON)
    second = make_backup(reviewed.db_path, tmp_path, NOON)
    assert first != second and second.name == "backup-2026-11-25-12.00.00Z~1.db"
    assert [b.path for b in find_backups(tmp_path)] == [first, second]


def test_backup_during_a_write_holds_only_committed_rows(reviewed: Home, tmp_path: Path) -> None:
    """A writer mid-transaction (WAL): the copy is the last committed state, and whole."""
    writer = sqlite3.connect(reviewed.db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM review_log")
    path = make_backup(reviewed.db_path, tmp_path, NOON)
    writer.execute("ROLLBACK")
    writer.close()
    assert count_reviews(path) == 5


def test_backup_while_another_thread_answers(reviewed: Home, tmp_path: Path) -> None:
    done = threading.Event()

    def review() -> None:
        answer_all(reviewed, "1")
        done.set()

    thread = threading.Thread(target=review)
    thread.start()
    copies = [make_backup(reviewed.db_path, tmp_path, NOON + timedelta(seconds=i)) for i in range(5)]
    thread.join()
    assert done.is_set()
    for copy in copies:
        with sqlite3.connect(copy) as con:
            assert con.execute("pragma integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_database_is_not_backed_up(reviewed: Home, tmp_path: Path, kind: str) -> None:
    assert studydl(reviewed, "backup").exit_code == 0  # a good one first
    before = sorted(reviewed.backups_dir.iterdir())
    damage(reviewed, kind)
    with pytest.raises(DatabaseDamaged, match="studydl doctor"):
        make_backup(reviewed.db_path, reviewed.backups_dir, NOON)
    result = studydl(reviewed, "backup")
    assert result.exit_code == 1 and "studydl restore" in result.output
    assert sorted(reviewed.backups_dir.iterdir()) == before  # no partial file either


def test_automatic_backup_at_most_every_three_hours_and_only_after_a_change(reviewed: Home, tmp_path: Path) -> None:
    folder, db = tmp_path / "auto", reviewed.db_path
    first = auto_backup(db, folder, NOON, BERLIN)
    assert first is not None
    deck = reviewed.decks_dir / "activations.md"
    deck.write_text(deck.read_text(encoding="utf-8") + "\nMish :: x * tanh(softplus(x))\n", encoding="utf-8")
    assert studydl(reviewed, "sync", str(deck)).exit_code == 0
    answer_all(reviewed, "4")  # a change...
    assert auto_backup(db, folder, NOON + timedelta(hours=2, minutes=59), BERLIN) is None  # ...but too soon
    second = auto_backup(db, folder, NOON + timedelta(hours=3), BERLIN)
    assert second is not None and count_reviews(second) > count_reviews(first)
    assert auto_backup(db, folder, NOON + timedelta(hours=7), BERLIN) is None  # nothing changed since
    assert [b.path for b in find_backups(folder)] == [first, second]


def test_automatic_backups_are_thinned(reviewed: Home, tmp_path: Path) -> None:
    """150 evenings of sessions (across the end of summer time): the walk keeps today and yesterday,
    then the newest backup of 7 days, of 4 weeks and of 3 months (Anki's walk, our limits)."""
    folder = tmp_path / "auto"
    start = datetime(2026, 6, 1, 18, 0, tzinfo=BERLIN)
    for day in range(150):
        with sqlite3.connect(reviewed.db_path) as con:  # a change each day
            con.execute("insert or replace into settings (key, value) values ('test.day', ?)", (str(day),))
        assert auto_backup(reviewed.db_path, folder, start + timedelta(days=day), BERLIN) is not None
    kept = [b.taken_at.astimezone(BERLIN) for b in find_backups(folder)][::-1]
    assert all(moment.hour == 18 for moment in kept)  # wall-clock evenings, before and after 25 October
    days = [moment.date() for moment in kept]
    assert days[0] == date(2026, 10, 28)
    assert days[:9] == [days[0] - timedelta(days=n) for n in range(9)]  # today, yesterday, then 7 days
    assert days[9:13] == [date(2026, 10, 18), date(2026, 10, 11), date(2026, 10, 4), date(2026, 9, 27)]  # Sundays
    # The months before: thinning ran after every backup, so what a month still has is its weekly
    # survivors, and the newest of them is its last Sunday.
    assert days[13:] == [date(2026, 8, 30), date(2026, 7, 26), date(2026, 6, 28)]


def test_cli_backup_prints_the_path_and_lists_backups(reviewed: Home) -> None:
    made = studydl(reviewed, "backup")
    assert made.exit_code == 0
    path = Path(made.output.strip())
    assert path.parent == reviewed.backups_dir and path.exists()
    listed = studydl(reviewed, "backup", "--list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].startswith(f"{len(find_backups(reviewed.backups_dir))} backups in {reviewed.backups_dir}")
    assert path.name in lines[1] and "5 reviews, 5 cards" in lines[1]


def test_list_without_backups(tmp_path: Path) -> None:
    home = Home(tmp_path / "empty").ensure()
    listed = studydl(home, "backup", "--list")
    assert listed.exit_code == 0 and "no backups yet" in listed.output
    made = studydl(home, "backup")
    assert made.exit_code == 1 and "no database yet" in made.output


def test_two_processes_ending_sessions_at_once_make_one_backup_and_no_error(reviewed: Home, tmp_path: Path) -> None:
    """Two review sessions on one database can end in the same second (the concurrency drill found it)."""
    import subprocess
    import sys

    folder = tmp_path / "b"
    with sqlite3.connect(reviewed.db_path) as con:  # a copy that takes a while, so the two overlap
        con.execute("create table padding (b blob)")
        con.executemany("insert into padding values (randomblob(1000000))", [()] * 40)
    script = (
        "import sys, datetime, zoneinfo\n"
        "from pathlib import Path\n"
        "from studydl.store.backup_policy import auto_backup\n"
        "sys.stdin.readline()\n"  # both start together
        f"made = auto_backup(Path({str(reviewed.db_path)!r}), Path({str(folder)!r}), "
        "datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), zoneinfo.ZoneInfo('Europe/Berlin'))\n"
        "print('made' if made else 'skipped')\n"
    )
    for _ in range(3):
        for backup in find_backups(folder):
            backup.path.unlink()
        procs = [subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for p in procs:  # both are past their imports and waiting: let them go together
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _out, err in outs]
        assert sorted(out.strip() for out, _err in outs) == ["made", "skipped"]
        assert len(find_backups(folder)) == 1
        assert [p.name for p in folder.iterdir() if p.name.endswith(".partial")] == []
