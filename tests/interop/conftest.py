"""Fixtures for import/export tests: run the CLI in-process against a real home and SQLite file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from studydl.cli import cli
from studydl.home import Home


@pytest.fixture
def run(home: Home) -> Callable[..., Result]:
    """`run("import", "x.md")` -> the click Result (stdout and stderr kept apart)."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--home", str(home.root), *args], catch_exceptions=False)

    return invoke
