"""A non-editable install works: the wheel carries the bundled decks, the demos and the migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("studydl-*.whl")
    return built


def test_wheel_ships_decks_demos_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    decks = {n for n in names if n.startswith("studydl/_bundled/decks/") and n.endswith(".md")}
    demos = {n for n in names if n.startswith("studydl/_bundled/demos/") and n.endswith(".py")}
    assert len(decks) == len(list((REPO / "decks").glob("*.md"))) > 0
    assert len(demos) == len(list((REPO / "demos").glob("*.py"))) > 0
    assert "studydl/store/migrations/env.py" in names
    assert any(n.startswith("studydl/store/migrations/versions/0001") for n in names)
    assert "studydl/tui/styles" in {str(Path(n).parent) for n in names if n.endswith(".tcss")} or not list(
        (REPO / "studydl/tui/styles").glob("*.tcss")
    )


def test_installed_layout_finds_its_bundled_decks_and_demos(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "STUDYDL_HOME": str(tmp_path / "home")}
    code = (
        "import studydl.resources as r, studydl.demos.catalogue as c;"
        "print(r.bundled_decks_dir()); print(len(c.list_specs()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    decks_dir, count = out.stdout.split()
    assert decks_dir == str(site / "studydl" / "_bundled" / "decks")
    assert int(count) > 0
    check = subprocess.run(
        [sys.executable, "-m", "studydl", "sync", "--quiet"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert "deck files synced" in check.stdout, check.stderr
