"""Fixtures shared by every layer: a real home folder, a real database, real deck files.

The database is a SQLite file in the home. Where a folder's conftest parametrizes
`backend` (store, engine, decks, reliability), each test using `home` or `db` runs on
both: SQLite, and a collection of its own on a real PostgreSQL server (tests/pg_server.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from studydl.home import DB_ENV, Home
from studydl.store.db import Database
from tests.pg_server import PgServer, find_bin_dir

# Property tests explore new examples on a developer's machine; in CI they replay the same
# derandomized examples, so a run's verdict never depends on the luck of the draw (a failure
# found locally is kept in .hypothesis/ and fixed, never met at random by CI).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
DEMO_BUDGET_ENV = "STUDYDL_DEMO_BUDGET"
TESTS_DEMO_BUDGET_S = 900


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the real user data dir, nor a database named by the developer's environment."""
    monkeypatch.setenv("STUDYDL_HOME", str(tmp_path_factory.mktemp("default-home")))
    monkeypatch.delenv(DB_ENV, raising=False)


@pytest.fixture(autouse=True)
def _no_demo_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Demos in tests end by their own step counts, never by the wall clock: a loaded machine
    (`pytest -n 8` on 2 cores) gives the same results, only later. The app's and the CLI's
    demo runs (also in subprocesses) get a budget no test reaches; a test about the budget
    sets its own, or removes this one to get the demo's."""
    monkeypatch.setenv(DEMO_BUDGET_ENV, str(TESTS_DEMO_BUDGET_S))


@pytest.fixture
def demos_own_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests about a demo's own time budget: the spec's, not the tests' (`usefixtures`)."""
    monkeypatch.delenv(DEMO_BUDGET_ENV, raising=False)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    """Study days are local days: make local time UTC so dates and day boundaries are fixed."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    """This test process's PostgreSQL server (started on first use, stopped at the end).

    Without PostgreSQL's binaries the tests that need it skip with the reason, except
    in CI (`CI` set), where they fail: a backend that is skipped is not tested.
    """
    with started_server() as server:
        yield server


@contextmanager
def started_server() -> Iterator[PgServer]:
    """A PostgreSQL server of its own, stopped (and its folder deleted) on leaving, even on failure."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql; `make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PgServer(bin_dir)
    try:
        yield server.start()
    finally:
        server.close()


@pytest.fixture
def backend() -> str:
    """The database the store runs on; folders that test the store on both parametrize it."""
    return "sqlite"


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """None for the home's SQLite file, else a fresh collection's URL on the test PostgreSQL server."""
    if backend == "sqlite":
        return None
    return request.getfixturevalue("pg_server").new_collection()


@pytest.fixture
def home(tmp_path: Path, db_url: str | None) -> Home:
    return Home(tmp_path / "home", db_url=db_url).ensure()


@pytest.fixture
def db(home: Home) -> Database:
    database = home.open_db()
    yield database
    database.dispose()


@pytest.fixture
def write_deck(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a deck file (dedented) under tmp_path/decks and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / "decks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))), Path("/usr/lib/faketime/libfaketime.so.1"))
"""Debian's libfaketime (scripts/test-tools installs the `faketime` package)."""


def faketime_env(at: datetime) -> dict[str, str]:
    """Environment that starts a subprocess's clock at `at` (it then runs on), through libfaketime."""
    if not LIBFAKETIME.exists():
        pytest.fail(f"{LIBFAKETIME} is missing: scripts/test-tools installs Debian's faketime")
    stamp = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"@{stamp}", "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"}


def run_studydl(
    *args: str, home: Home | None = None, input: str | None = None, timeout: float = 120, at: datetime | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `studydl` entry point in a subprocess (its clock starting at `at` when given).

    A command whose output depends on the time of day (learning steps that cross the
    day's rollover become days, as in Anki) must pass `at`, or it fails near 4 am.
    """
    env = dict(os.environ)
    if at is not None:
        env.update(faketime_env(at))
    if home is not None:
        env["STUDYDL_HOME"] = str(home.root)
        if home.db_url:
            env[DB_ENV] = home.db_url
    return subprocess.run(
        [sys.executable, "-m", "studydl", *args],
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_studydl


def bundled_card_count(file_name: str) -> int:
    """How many cards a bundled deck file holds, as the parser reads it (the decks grow)."""
    from studydl.decks.parser import parse_file
    from studydl.resources import bundled_decks_dir

    return len(parse_file(bundled_decks_dir() / file_name).cards)
