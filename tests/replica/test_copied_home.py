"""A home copied to another place (another machine, or another folder) is a device of its own.

The copy is found by where its store is (the file's path and inode): from its first sync
it answers under a new device id, while the answers it holds from before the copy keep
the ids the original gives them too, so the server takes each once, whichever of the two
pushes it, and each copy pulls what the other did after the copy. Against a real
PostgreSQL server; each case ends with `converged` (every answer once everywhere, every
card the replay of the merged log).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.pg_server import PgServer
from tests.replica.devices import QUESTIONS, Clock, Device, converged, server_answers


def _copy(original: Device, to: Path) -> Device:
    """Copy the original's whole home (closed, as a user copies a folder), then open the copy."""
    original.close()
    shutil.copytree(original.home.root, to)
    return Device(to, original.home.db_url, clock=Clock(original.clock.now))


def test_a_copied_home_and_its_original_both_go_on_studying(
    tmp_path: Path, pg_server: PgServer
) -> None:
    url = pg_server.new_shared_log()
    laptop = Device(tmp_path / "laptop", url)
    laptop.answer(QUESTIONS[9], 3)
    laptop.sync()
    laptop.answer(QUESTIONS[0], 3)  # given before the copy, synced by nobody yet
    laptop.answer(QUESTIONS[1], 1)
    copy = _copy(laptop, tmp_path / "new-laptop")
    laptop = Device(tmp_path / "laptop", url, clock=Clock(copy.clock.now))
    copy.answer(QUESTIONS[2], 3)
    laptop.answer(QUESTIONS[3], 4, after_s=90)
    for device in (copy, laptop, copy, laptop):
        device.sync()
    answers, _ = server_answers(url)
    assert len(answers) == 5  # Q9, Q0, Q1 once each, though both copies hold them; Q2 and Q3
    converged(url, [laptop, copy], given=5)
    with copy.db.raw_read() as con, laptop.db.raw_read() as other:
        assert (
            con.execute("SELECT value FROM sync_state WHERE key = 'device'").fetchone()
            != other.execute("SELECT value FROM sync_state WHERE key = 'device'").fetchone()
        )
    laptop.close()
    copy.close()


def test_a_home_moved_to_a_new_machine_brings_its_unsynced_answers(
    tmp_path: Path, pg_server: PgServer
) -> None:
    url = pg_server.new_shared_log()
    old = Device(tmp_path / "old", url)
    old.answer(QUESTIONS[9], 3)
    old.sync()
    old.answer(QUESTIONS[0], 3)  # the old machine is retired before it syncs these
    old.answer(QUESTIONS[1], 2)
    new = _copy(old, tmp_path / "new")
    assert new.sync().waiting == 0
    new.answer(QUESTIONS[2], 3)
    new.sync()
    desktop = Device(tmp_path / "desktop", url, clock=Clock(new.clock.now))
    desktop.sync()
    converged(url, [new, desktop], given=4)
    new.close()
    desktop.close()


def test_a_home_copied_before_it_ever_synced_is_told_apart(
    tmp_path: Path, pg_server: PgServer
) -> None:
    url = pg_server.new_shared_log()
    laptop = Device(tmp_path / "laptop", url)
    laptop.answer(QUESTIONS[0], 3)  # studied for weeks without a server, then copied
    copy = _copy(laptop, tmp_path / "new-laptop")
    laptop = Device(tmp_path / "laptop", url, clock=Clock(copy.clock.now))
    copy.answer(QUESTIONS[1], 3)
    for device in (laptop, copy, laptop):
        device.sync()
    converged(url, [laptop, copy], given=2)
    laptop.close()
    copy.close()
