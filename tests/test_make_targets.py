"""`make run` sets up only what running needs; `make test` adds the test extras (read from `make -n`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _planned(target: str) -> str:
    """What `make TARGET` would run on a fresh clone (-B: as if nothing were made; -n: nothing runs)."""
    if shutil.which("make") is None:
        pytest.fail("make is missing")
    return subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True).stdout


def test_make_run_installs_no_test_extra_and_says_what_it_sets_up() -> None:
    plan = _planned("run")
    installs = [line for line in plan.splitlines() if "pip install" in line]
    assert installs and all("[dev]" not in line for line in installs), installs
    assert all("-c constraints.txt" in line for line in installs)  # torch stays on the CPU build
    assert "setting up" in plan.lower() and "minute" in plan


def test_make_test_adds_the_test_extras() -> None:
    plan = _planned("test")
    assert any("pip install" in line and "[dev]" in line and "-c constraints.txt" in line for line in plan.splitlines())
