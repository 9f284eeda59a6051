"""Items 1-2: with a shared log every command works on the device's own store, server or not.

`studydl sync` syncs the decks and then pushes and pulls answers, saying what moved (and
`--json`); `due` and `review` pull first when the server is there and do not wait when
it is not (a refused connection is noticed at once; the note goes to stderr).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from studydl.cli import cli
from tests.pg_server import PgServer, free_port
from tests.replica.devices import QUESTIONS, Device, server_answers


def run(device: Device, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--home", str(device.home.root), "--db", device.home.db_url, *args], input=input, catch_exceptions=False
    )


def test_every_command_works_with_the_server_away_and_says_what_waits(tmp_path: Path) -> None:
    url = f"postgresql://studydl@127.0.0.1:{free_port()}/studydl"  # nothing listens there
    laptop = Device(tmp_path / "laptop", url)
    reviewed = run(laptop, "review", "--plain", input="\n3\n\n1\nq\n")
    assert reviewed.exit_code == 0, reviewed.output
    assert [line.split()[0] for line in reviewed.stdout.splitlines() if line.startswith("saved ")] == ["saved", "saved"]
    assert reviewed.stderr.splitlines()[-1].startswith("offline, 2 answers waiting (cannot reach the PostgreSQL server 127.0.0.1:")
    due = run(laptop, "due")
    assert due.exit_code == 0 and due.stdout.startswith("deck") and "offline, 2 answers waiting" in due.stderr
    stats = run(laptop, "stats")
    assert stats.exit_code == 0 and "Reviews today:      2" in stats.stdout
    synced = run(laptop, "sync", "--quiet", str(laptop.home.decks_dir))
    assert synced.exit_code == 0, synced.output
    assert synced.stdout.splitlines()[-1].startswith("answers: offline, 2 answers waiting (cannot reach the PostgreSQL server")
    as_json = json.loads(run(laptop, "sync", "--json", str(laptop.home.decks_dir)).stdout)
    assert as_json["answers"]["reachable"] is False and as_json["answers"]["waiting"] == 2
    laptop.close()


def test_sync_pushes_and_pulls_and_says_what_moved(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
    laptop.answer(QUESTIONS[0], 3)
    laptop.answer(QUESTIONS[1], 1)
    pushed = run(laptop, "sync", "--quiet", str(laptop.home.decks_dir))
    assert pushed.stdout.splitlines()[-1] == "answers: pushed 2 events, pulled 0 events (0 answers added); 0 waiting", pushed.stdout
    pulled = json.loads(run(desktop, "sync", "--json", str(desktop.home.decks_dir)).stdout)
    assert pulled["decks"]["unchanged"] == 1 and pulled["answers"]["pulled"] == 2
    assert pulled["answers"]["merged"] == {"answers": 2, "undone": 0, "cards": 2, "settings": 0, "waiting": 0}
    nothing = run(desktop, "sync", "--quiet", str(desktop.home.decks_dir))
    assert nothing.stdout.splitlines()[-1] == "answers: pushed 0 events, pulled 0 events (0 answers added); 0 waiting"
    laptop.close()
    desktop.close()


def test_due_and_review_pull_first(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
    for question in QUESTIONS[:-1]:
        laptop.answer(question, 4)  # every card but one: no longer new
    laptop.sync()
    assert run(desktop, "due").stdout.splitlines()[-1].split()[-3] == "1"  # pulled before counting: one new card left
    laptop.answer(QUESTIONS[-1], 4)
    laptop.sync()
    reviewed = run(desktop, "review", "--plain", "--deck", "Drill", input="q\n")
    assert "new 0 · learning 0" in reviewed.stdout or "Nothing more is due now." in reviewed.stdout, reviewed.stdout
    assert len(server_answers(url)[0]) == len(QUESTIONS)
    laptop.close()
    desktop.close()
