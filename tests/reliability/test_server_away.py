"""Drill: a PostgreSQL server used directly (`?studydl=direct`) that cannot be reached, or goes away mid-review.

Every command (and the app) says so in one line naming the server, exits 1, prints no
traceback, and every answer acknowledged before the server went away is in the log
once it is back. A server restarted between two answers is not even noticed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.home import Home
from tests.backends import cli_args
from tests.conftest import run_studydl, started_server
from tests.pg_server import free_port
from tests.reliability.test_crash import (
    PROMPT,
    Child,
    check_store,
    deck_text,
    forked_cli,  # noqa: F401  (the fixture)
    make_collection,
)


def nowhere() -> str:
    """A URL of a collection used directly, on a local port nothing listens on (with a shared log
    instead, nothing stops: tests/replica/test_offline_commands.py)."""
    return f"postgresql://studydl@127.0.0.1:{free_port()}/studydl?studydl=direct"


@pytest.mark.parametrize("command", [["due"], ["sync"], ["review", "--plain"], ["stats"]])
def test_an_unreachable_server_is_one_line_naming_it(tmp_path: Path, command: list[str]) -> None:
    url = nowhere()
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "--db", url, *command], input="", catch_exceptions=False)
    port = url.split(":")[2].split("/")[0]
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: cannot reach the PostgreSQL server 127.0.0.1:{port}, database studydl: Connection refused\n"


def test_the_app_reports_an_unreachable_server_before_it_starts(tmp_path: Path) -> None:
    url = nowhere()
    done = run_studydl("--home", str(tmp_path / "home"), "--db", url, input="")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: cannot reach the PostgreSQL server 127.0.0.1:") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def answer(child: Child, rating: str = "3") -> tuple[int, str]:
    """Wait for a card, rate it, wait for the ack; (card id, rating name)."""
    assert (child.read_until(PROMPT) or "").startswith(PROMPT), child.lines[-5:]
    child.send(f"{rating}\n")
    ack = child.read_until("saved ")
    assert ack is not None, child.lines[-5:]
    card_id, name = ack.split()[1:3]
    return int(card_id), name


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_server_that_goes_away_mid_session(forked_cli, tmp_path: Path, write_deck: Callable[[str, str], Path], mode: str) -> None:  # noqa: F811
    """`fast`: stopped by its administrator; `immediate`: as if it crashed."""
    with started_server() as server:
        home = Home(tmp_path / "home", db_url=server.new_collection()).ensure()
        make_collection(home, write_deck("drill.md", deck_text()))
        child = forked_cli.start(*cli_args(home), "review", "--plain")
        acked = [answer(child, rating) for rating in "3132"]
        assert (child.read_until(PROMPT) or "").startswith(PROMPT)  # the next card is on screen
        server.stop(mode)
        child.send("3\n")  # answered while the server is down: not saved, and said so
        returncode = child.finish()
        assert returncode == 1, (child.lines[-4:], child.stderr)
        assert child.stderr.startswith(f"Error: cannot reach the PostgreSQL server 127.0.0.1:{server.port}, database studydl_tests"), child.stderr
        assert child.stderr.count("\n") == 1 and "Traceback" not in child.stderr
        assert not any(line.startswith("saved ") for line in child.lines[-3:])
        server.restart()
        assert check_store(home) == acked  # every acknowledged answer, once; the unacknowledged one not at all


def test_a_server_restarted_between_two_answers_is_not_noticed(forked_cli, tmp_path: Path, write_deck: Callable[[str, str], Path]) -> None:  # noqa: F811
    with started_server() as server:
        home = Home(tmp_path / "home", db_url=server.new_collection()).ensure()
        make_collection(home, write_deck("drill.md", deck_text()))
        child = forked_cli.start(*cli_args(home), "review", "--plain")
        acked = [answer(child) for _ in range(3)]
        assert (child.read_until(PROMPT) or "").startswith(PROMPT)  # waiting for the learner
        server.stop("fast")
        server.restart()
        child.send("1\n")
        ack = child.read_until("saved ")
        assert ack is not None, (child.lines[-4:], child.stderr)
        acked.append((int(ack.split()[1]), "again"))
        acked += [answer(child, rating) for rating in "34"]
        assert (child.read_until(PROMPT) or "").startswith(PROMPT)
        child.send("q\n")
        assert child.finish() == 0 and child.stderr == "", child.stderr
        assert check_store(home) == acked
