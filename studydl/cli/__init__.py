"""The `studydl` command group. Subcommands live in the modules beside it (one per command group); the TUI is imported only when it opens."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from studydl.cli.context import CliContext
from studydl.domain.errors import StudyError
from studydl.home import DB_ENV, HOME_ENV, Home

COMMANDS = {
    "sync": "studydl.cli.decks:sync",
    "check": "studydl.cli.check:check",
    "map": "studydl.cli.course_map:map_cmd",
    "due": "studydl.cli.decks:due",
    "cards": "studydl.cli.cards:cards",
    "decks": "studydl.cli.decks:decks_cmd",
    "edit": "studydl.cli.decks:edit",
    "review": "studydl.cli.review:review",
    "stats": "studydl.cli.review:stats",
    "optimize": "studydl.cli.review:optimize",
    "simulate": "studydl.cli.simulate:simulate",
    "settings": "studydl.cli.settings:settings",
    "demo": "studydl.cli.demo:demo",
    "import": "studydl.cli.interop:import_cmd",
    "export": "studydl.cli.interop:export_cmd",
    "backup": "studydl.cli.backup:backup",
    "restore": "studydl.cli.backup:restore",
    "doctor": "studydl.cli.backup:doctor",
    "copy-to": "studydl.cli.database:copy_to",
    "serve": "studydl.cli.serve:serve",
}
"""Subcommands, imported only when used (click's lazy-group pattern): opening the app
with plain `studydl` skips ~170 ms of command modules (rich progress, demo renderers)."""


class StudyGroup(click.Group):
    """Loads subcommands lazily; turns StudyError into one line on stderr and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attr = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Errors become one line and exit status 1: ours, a damaged database, running out of memory."""
        try:
            return super().invoke(ctx)
        except StudyError as exc:
            raise click.ClickException(str(exc)) from exc
        except (MemoryError, RecursionError) as exc:
            what = "ran out of memory" if isinstance(exc, MemoryError) else "met input nested too deeply"
            raise click.ClickException(f"studydl {ctx.invoked_subcommand}: {what} and stopped") from None
        except Exception as exc:
            from studydl.store.damage import damage_message, sqlite_damage

            detail = sqlite_damage(exc)
            if detail is None or not isinstance(ctx.obj, CliContext):
                raise
            raise click.ClickException(damage_message(ctx.obj.home.db_path, detail)) from exc


@click.group(cls=StudyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=HOME_ENV,
    show_envvar=True,
    help="Folder holding the database, your own decks and the log (default: the user data dir).",
)
@click.option(
    "--db",
    metavar="URL",
    envvar=DB_ENV,
    show_envvar=True,
    help="The database, when not the home's SQLite file: a PostgreSQL server your devices sync with"
    " (postgresql://user@host/dbname; ?studydl=direct to use it without a copy here) or another SQLite file."
    " See docs/devices.md.",
)
@click.option(
    "--images",
    type=click.Choice(["auto", "cells", "none"]),
    envvar="STUDYDL_IMAGES",
    show_envvar=True,
    help="Pictures (demo frames, a deck's images): as pixels where the terminal shows them (auto:"
    " Kitty's graphics protocol or Sixel), as character cells, or not at all. Overrides the images setting.",
)
@click.version_option(package_name="studydl")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, db: str | None, images: str | None) -> None:
    """Study deep learning with spaced repetition: Markdown decks, FSRS scheduling, live PyTorch demos.

    Run without a command to open the app.
    """
    from studydl.render import picture_mode

    picture_mode.configure(images)  # before the app starts: the terminal is asked nothing after
    ctx.obj = CliContext(Home.resolve(home, db))
    if ctx.invoked_subcommand is None:
        from studydl.tui.launch import open_app

        open_app(ctx.obj.home)


def main() -> None:
    try:
        cli(prog_name="studydl")
    except KeyboardInterrupt:
        sys.exit(130)
