"""Backups, restore and doctor are SQLite-file features: on a server's database they say to use the server's tools."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.home import Home
from tests.backends import cli_args
from tests.pg_server import PgServer


@pytest.fixture
def server_home(tmp_path, pg_server: PgServer) -> Home:
    home = Home(tmp_path / "home", db_url=pg_server.new_collection()).ensure()
    (home.decks_dir / "a.md").write_text("ReLU :: max(0, x)\n\nQ: What is a tensor?\nA: An n-dimensional array.\n", encoding="utf-8")
    assert CliRunner().invoke(cli, [*cli_args(home), "sync"]).exit_code == 0
    return home


@pytest.mark.parametrize("command", [["backup"], ["backup", "--list"], ["restore", "backup.db", "--yes"], ["doctor"]])
def test_backup_restore_and_doctor_point_to_the_servers_tools(server_home: Home, command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*cli_args(server_home), *command], catch_exceptions=False)
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.count("\n") == 0 and "on the PostgreSQL server 127.0.0.1:" in line and "pg_dump" in line, line
    assert line.startswith(f"Error: studydl {command[0]} works on a SQLite file; your database is on the ")


def test_a_review_on_a_server_makes_no_automatic_backup(server_home: Home) -> None:
    result = CliRunner().invoke(cli, [*cli_args(server_home), "review", "--plain"], input="\n3\n\n3\n", catch_exceptions=False)
    assert result.exit_code == 0 and result.output.count("saved ") == 2, result.output
    assert not server_home.backups_dir.exists() or not any(server_home.backups_dir.iterdir())
    assert not server_home.db_path.exists()  # nothing was written beside the home's decks and log
