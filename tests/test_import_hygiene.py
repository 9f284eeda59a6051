"""Dependencies point one way: the core never imports textual or torch; the CLI stays light."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "studydl.domain.cards",
    "studydl.domain.demos",
    "studydl.decks.parser",
    "studydl.decks.sync",
    "studydl.decks.sync_writer",
    "studydl.decks.copies",
    "studydl.search.cards",
    "studydl.search.card_info",
    "studydl.editor",
    "studydl.store.db",
    "studydl.store.queries",
    "studydl.demos.catalogue",
    "studydl.cli",
]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_core_imports_neither_textual_nor_torch() -> None:
    modules = loaded_after("\n".join(f"import {m}" for m in CORE) + "\nstudydl.demos.catalogue.list_specs()")
    assert "torch" not in modules
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}


def test_cli_help_does_not_import_heavy_packages() -> None:
    modules = loaded_after("from studydl.cli import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass")
    for heavy in ("torch", "textual", "pandas", "numpy", "alembic", "plotext", "genanki", "psycopg", "sqlalchemy", "PIL", "textual_image"):
        assert heavy not in modules, heavy


def test_sqlite_collections_never_load_the_postgresql_driver(tmp_path) -> None:
    """psycopg is imported only when the database is a PostgreSQL server."""
    code = (
        "from pathlib import Path\nfrom studydl.store.db import Database\nfrom studydl.engine.session import ReviewSession\n"
        f"db = Database(Path({str(tmp_path / 's.db')!r}))\nReviewSession(db).next_card()\ndb.dispose()"
    )
    modules = loaded_after(code)
    assert not {m for m in modules if m == "psycopg" or m.startswith(("psycopg.", "psycopg_"))}


def test_pictures_load_pillow_and_textual_image_only_when_one_is_shown() -> None:
    """On a Kitty terminal the app starts, shows cards and demo views without Pillow or textual-image's renderables."""
    start = (
        "from studydl.render import picture_mode\n"
        "picture_mode.configure(None, env={'TERM': 'xterm-kitty'}, tty=True)\n"
        "assert picture_mode.mode() == 'kitty'\n"
        "import studydl.tui.app, studydl.tui.widgets.card_view, studydl.tui.widgets.demo_view\n"
        "from studydl.render.card_pictures import with_pictures\n"
        "with_pictures('text', 'Q: no image here', 'deck.md')"
    )
    modules = loaded_after(start)
    assert "PIL" not in modules and "textual_image.renderable" not in modules
    shown = loaded_after(start + "\nfrom studydl.render.terminal_picture import protocol_module\nprotocol_module('tgp')")
    assert "PIL" in shown and "textual_image.renderable.tgp" in shown
