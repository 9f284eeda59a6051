"""A damaged database file: every command and the app say so in one message naming doctor and restore.

Never a traceback, and nothing written: no deck file from `import`, no backup of
the damaged file pushing good ones out of the rotation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from studydl.cli import COMMANDS
from studydl.home import Home
from studydl.store.damage import DatabaseDamaged
from studydl.tui.launch import make_app, open_app
from tests.conftest import run_studydl
from tests.store.conftest import DAMAGE, damage, studydl
from tests.tui.conftest import settle

# Each command with arguments that make it use the database.
USES_THE_DATABASE = {
    "sync": [],
    "due": [],
    "cards": [],
    "review": ["--plain"],
    "stats": [],
    "optimize": ["--dry-run"],
    "simulate": ["--days", "5"],
    "settings": ["retention", "0.85"],
    "import": ["{tsv}"],
    "export": ["--csv", "{out}"],
    "backup": [],
    "decks": [],
    "edit": ["activations"],
    "copy-to": ["{copy}"],
    "map": [],
}
WITHOUT_THE_DATABASE = {"check": ["{deck}"], "demo": ["list"]}
SPECIAL = {"doctor", "restore"}  # tested below and in tests/store: the remedies
SERVES_THE_APP = {"serve"}  # runs `studydl` (the app, tested below) per browser: tests/cli/test_serve.py


def test_every_command_is_covered() -> None:
    assert set(COMMANDS) == set(USES_THE_DATABASE) | set(WITHOUT_THE_DATABASE) | SPECIAL | SERVES_THE_APP


def _args(template: list[str], tmp_path: Path, home: Home) -> list[str]:
    tsv = tmp_path / "terms.tsv"
    tsv.write_text("ReLU\tmax(0, x)\n", encoding="utf-8")
    values = {"tsv": str(tsv), "out": str(tmp_path / "out.csv"), "deck": str(home.decks_dir / "activations.md"), "copy": str(tmp_path / "copy.db")}
    return [part.format(**values) for part in template]


def _says_damaged(result: Result, home: Home) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{home.db_path}: the database is damaged (" in result.output
    assert "`studydl doctor`" in result.output and "`studydl restore FILE`" in result.output


CASES = [(command, kind) for command in sorted(USES_THE_DATABASE) for kind in ("garbage header", "malformed pages")]
CASES += [("due", kind) for kind in DAMAGE if kind not in ("garbage header", "malformed pages")]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_each_command_names_doctor_and_restore(
    reviewed: Home, tmp_path: Path, kind: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command on the two kinds of damage (seen in the header; found by SQLite later), `due` on all."""
    monkeypatch.setenv("VISUAL", "true")  # `edit`: an editor that changes nothing
    monkeypatch.setenv("EDITOR", "true")
    damage(reviewed, kind)
    damaged = reviewed.db_path.read_bytes()
    decks, backups = sorted(reviewed.decks_dir.iterdir()), sorted(reviewed.backups_dir.iterdir())
    result = studydl(reviewed, command, *_args(USES_THE_DATABASE[command], tmp_path, reviewed), input="\n4\n")
    _says_damaged(result, reviewed)
    assert reviewed.db_path.read_bytes() == damaged
    assert sorted(reviewed.decks_dir.iterdir()) == decks and sorted(reviewed.backups_dir.iterdir()) == backups
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("command", sorted(WITHOUT_THE_DATABASE))
def test_commands_that_need_no_database_still_work(reviewed: Home, tmp_path: Path, command: str) -> None:
    damage(reviewed, "garbage header")
    result = studydl(reviewed, command, *_args(WITHOUT_THE_DATABASE[command], tmp_path, reviewed))
    assert result.exit_code == 0, result.output


def test_the_real_entry_point(reviewed: Home) -> None:
    damage(reviewed, "malformed pages")
    done = run_studydl("due", home=reviewed)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "`studydl doctor`" in done.stderr and "`studydl restore FILE`" in done.stderr


@pytest.mark.parametrize("kind", ["garbage header", "truncated", "empty", "not a database"])
def test_the_app_is_not_opened_on_a_damaged_file(reviewed: Home, kind: str) -> None:
    damage(reviewed, kind)
    with pytest.raises(DatabaseDamaged, match="studydl restore"):
        open_app(reviewed)
    result = studydl(reviewed)  # plain `studydl` opens the app
    _says_damaged(result, reviewed)


async def test_damage_found_inside_the_app_is_a_notification(reviewed: Home) -> None:
    """Malformed pages pass the glance at the header: the app starts and says what to do."""
    damage(reviewed, "malformed pages")
    app = make_app(reviewed, deck_roots=[reviewed.decks_dir], watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):  # the sync worker starts after the first refresh: wait for it, not only for workers
            await settle(pilot)
            if errors := [n for n in app._notifications if n.severity == "error"]:
                break
        assert errors and all("`studydl doctor`" in n.message and "`studydl restore FILE`" in n.message for n in errors)
        assert not any("Traceback" in n.message for n in errors)
    assert app.return_code in (0, None)
