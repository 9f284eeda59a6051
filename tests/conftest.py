"""Fixtures shared by every layer: a real home folder, a real SQLite file, real deck files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from studydl.home import Home
from studydl.store.db import Database

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the real user data dir."""
    monkeypatch.setenv("STUDYDL_HOME", str(tmp_path_factory.mktemp("default-home")))


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    """Study days are local days: make local time UTC so dates and day boundaries are fixed."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


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


def run_studydl(*args: str, home: Home | None = None, input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `studydl` entry point in a subprocess."""
    env = dict(os.environ)
    if home is not None:
        env["STUDYDL_HOME"] = str(home.root)
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
