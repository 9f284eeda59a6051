"""Issue 27's drills: two devices study apart and merge through the shared log, losing no answer.

Against a real PostgreSQL server started by the tests: answers given while the server is
stopped, on the same and on different cards, some undone (one after it was pushed);
syncs in either order; a device killed (SIGKILL) in the middle of a push; the server
stopped in the middle of a pull; the same push sent twice. Each ends with `converged`:
both devices and the server hold exactly the union of the answers, none twice, and
every card's state on each device equals the replay of the merged log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from studydl.replica.sync import BATCH_ENV, KILL_ENV
from tests.conftest import started_server
from tests.pg_server import PgServer
from tests.replica.devices import (
    QUESTIONS,
    START,
    Clock,
    Device,
    converged,
    server_answers,
    today_counts,
)


@pytest.mark.parametrize("first", ["laptop", "desktop"])
def test_two_devices_study_apart_and_converge_whichever_syncs_first(tmp_path: Path, first: str) -> None:
    with started_server() as server:
        url = server.new_shared_log()
        laptop = Device(tmp_path / "laptop", url, clock=Clock(START))
        desktop = Device(tmp_path / "desktop", url, clock=Clock(START.replace(second=30)))
        laptop.answer(QUESTIONS[9], 3)
        assert laptop.sync().pushed == 1  # on the server before it goes away
        server.stop("fast")
        laptop.undo()  # an answer already pushed, undone offline: an undo event waits
        for question, rating in ((QUESTIONS[0], 3), (QUESTIONS[1], 1), (QUESTIONS[2], 3)):
            laptop.answer(question, rating)
        for question, rating in ((QUESTIONS[0], 1), (QUESTIONS[1], 3), (QUESTIONS[3], 4)):
            desktop.answer(question, rating)  # the same cards a few seconds after the laptop, and one of its own
        desktop.undo()  # never pushed: it never leaves the desktop
        away = laptop.sync()
        assert (away.reachable, away.waiting) == (False, 3) and "cannot reach the PostgreSQL server" in (away.error or "")
        assert desktop.sync().waiting == 2

        server.restart()
        devices = {"laptop": laptop, "desktop": desktop}
        second = devices["desktop" if first == "laptop" else "laptop"]
        devices[first].sync()
        second.sync()
        devices[first].sync()
        converged(url, [laptop, desktop], given=5)
        assert today_counts(laptop) == today_counts(desktop)  # the daily limits count both devices' answers
        for device in (laptop, desktop):
            device.close()


def _studydl(home: Path, url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "STUDYDL_HOME": str(home), "STUDYDL_DB": url, **env}
    return subprocess.run([sys.executable, "-m", "studydl", *args], capture_output=True, text=True, env=environ, timeout=120)


def test_a_device_killed_in_the_middle_of_a_push(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url, clock=Clock(START.replace(second=20)))
    for index, rating in enumerate("313241"):
        laptop.answer(QUESTIONS[index], int(rating))
    desktop.answer(QUESTIONS[0], 4)
    decks = str(laptop.home.decks_dir)
    # killed inside the server's transaction of its second batch: that batch is not on the server
    killed = _studydl(laptop.home.root, url, "sync", "--quiet", decks, **{KILL_ENV: "sending-2", BATCH_ENV: "2"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(server_answers(url)[0]) == 2
    # killed after the server committed its first batch, before the device noted it: sent again, added once
    killed = _studydl(laptop.home.root, url, "sync", "--quiet", decks, **{KILL_ENV: "pushed-1", BATCH_ENV: "2"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(server_answers(url)[0]) == 4
    done = _studydl(laptop.home.root, url, "sync", "--quiet", decks)
    assert done.returncode == 0 and "waiting" in done.stdout, done.stdout + done.stderr
    desktop.sync()
    laptop.sync()
    converged(url, [laptop, desktop], given=7)
    laptop.close()
    desktop.close()


def test_the_server_stopped_in_the_middle_of_a_pull(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCH_ENV, "2")
    with started_server() as server:
        url = server.new_shared_log()
        laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
        for index in range(5):
            laptop.answer(QUESTIONS[index], 3)
        laptop.answer(QUESTIONS[0], 1)
        laptop.sync()

        def stop_after_first(point: str) -> None:
            if point == "pulled-1":
                server.stop("immediate")

        cut = desktop.sync(step=stop_after_first)
        assert cut.pulled == 2 and not cut.merged.waiting and "lost the connection" in (cut.error or ""), cut
        assert len([event for event, _ in _log(desktop)]) == 2  # the first batch is in, with its position; nothing half
        server.restart()
        assert desktop.sync().pulled == 4
        converged(url, [laptop, desktop], given=6)
        laptop.close()
        desktop.close()


def _log(device: Device) -> list[tuple[str, str]]:
    with device.db.raw_read() as con:
        return con.execute("SELECT r.event_id, c.question FROM review_log r JOIN cards c ON c.id = r.card_id").fetchall()


def test_the_same_push_sent_twice_adds_each_answer_once(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
    for index in range(3):
        laptop.answer(QUESTIONS[index], 3)
    assert laptop.sync().pushed == 3
    with laptop.db.raw_write() as con:  # as if the device had not noted that the server took them
        con.execute("UPDATE sync_events SET pushed = FALSE")
    again = laptop.sync()
    assert again.pushed == 0 and again.waiting == 0  # sent again, taken by nobody
    assert len(server_answers(url)[0]) == 3
    desktop.sync()
    desktop.sync()
    converged(url, [laptop, desktop], given=3)
    laptop.close()
    desktop.close()
