"""`--db` values: which database they name, and how messages name it (never with its password)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.domain.errors import StoreError
from studydl.store.location import locate


@pytest.mark.parametrize(
    ("value", "dialect", "shown"),
    [
        ("postgresql://me:secret@db.example.org:6543/cards", "postgresql", "PostgreSQL server db.example.org:6543, database cards"),
        ("postgresql+psycopg://me@10.0.0.2/cards", "postgresql", "PostgreSQL server 10.0.0.2:5432, database cards"),
        ("postgres://me@db/cards?sslmode=require", "postgresql", "PostgreSQL server db:5432, database cards"),
        ("postgresql:///cards", "postgresql", "PostgreSQL server on the local socket (port 5432), database cards"),
        ("/tmp/elsewhere/studydl.db", "sqlite", "/tmp/elsewhere/studydl.db"),
        ("sqlite:////tmp/elsewhere/studydl.db", "sqlite", "/tmp/elsewhere/studydl.db"),
    ],
)
def test_what_a_db_value_names(value: str, dialect: str, shown: str) -> None:
    where = locate(value)
    assert (where.dialect, where.describe()) == (dialect, shown)
    assert "secret" not in where.describe()
    if dialect == "postgresql":
        assert where.url.drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mysql://me@db/cards", "mysql databases are not supported"),
        ("postgresql+psycopg2://me@db/cards", "through psycopg 3"),
        ("postgresql://me:secret@db", "name the database in the URL: postgresql://me:***@db"),
        ("sqlite://", "must name a file"),
        ("", "empty database URL"),
        ("postgresql://me:secret@db:abc/cards", "the port of postgresql://me:***@db:abc/cards is not a number"),
        ("postgresql://me@[::1:5432/cards", "the port of postgresql://me@[::1:5432/cards is not a number"),
        ("postgresql://me@db:99999/cards", "port 99999 is out of range"),
        ("postgresql://me@db:0/cards", "port 0 is out of range"),
    ],
)
def test_db_values_studydl_cannot_use(value: str, message: str) -> None:
    with pytest.raises(StoreError, match=re.escape(message)) as caught:
        locate(value)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("value", ["postgresql://me:secret@db:abc/cards", "postgresql://me@db:99999/cards"])
def test_a_bad_db_url_is_one_line_and_no_traceback(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "--db", value, "due"])
    assert result.exit_code == 1 and not isinstance(result.exception, ValueError)
    assert result.output.startswith("Error: --db: ") and result.output.count("\n") == 1 and "secret" not in result.output


def test_db_option_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--db` or STUDYDL_DB choose the database (the option wins); without them, the home's file."""
    home = tmp_path / "home"
    elsewhere, env_file = tmp_path / "elsewhere.db", tmp_path / "from-env.db"
    run = CliRunner().invoke
    assert run(cli, ["--home", str(home), "--db", str(elsewhere), "due"]).exit_code == 0
    assert elsewhere.exists() and not (home / "studydl.db").exists()
    monkeypatch.setenv("STUDYDL_DB", str(env_file))
    assert run(cli, ["--home", str(home), "due"]).exit_code == 0
    assert env_file.exists() and not (home / "studydl.db").exists()
    monkeypatch.delenv("STUDYDL_DB")
    assert run(cli, ["--home", str(home), "due"]).exit_code == 0
    assert (home / "studydl.db").exists()
    bad = run(cli, ["--home", str(home), "--db", "mysql://me@db/cards", "due"])
    assert bad.exit_code == 1 and bad.stderr == "Error: --db: mysql databases are not supported (use a SQLite file or a PostgreSQL server)\n"
