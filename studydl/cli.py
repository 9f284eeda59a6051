"""The `studydl` command. Subcommands live in cli_*.py; the TUI is imported only when it opens."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from studydl.cli_context import CliContext
from studydl.domain.errors import StudyError
from studydl.home import HOME_ENV, Home


class StudyGroup(click.Group):
    """Turns StudyError into one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StudyError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=StudyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=HOME_ENV,
    show_envvar=True,
    help="Folder holding the database, your own decks and the log (default: the user data dir).",
)
@click.version_option(package_name="studydl")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Study deep learning with spaced repetition: Markdown decks, FSRS scheduling, live PyTorch demos.

    Run without a command to open the app.
    """
    ctx.obj = CliContext(Home.resolve(home))
    if ctx.invoked_subcommand is None:
        from studydl.tui.launch import open_app

        open_app(ctx.obj.home)


def _register() -> None:
    from studydl import cli_decks

    for command in cli_decks.COMMANDS:
        cli.add_command(command)
    for module, names in (
        ("studydl.cli_demo", ("demo",)),
        ("studydl.cli_review", ("COMMANDS",)),
        ("studydl.cli_interop", ("COMMANDS",)),
    ):
        try:
            mod = __import__(module, fromlist=["_"])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        for name in names:
            value = getattr(mod, name)
            for command in value if isinstance(value, list | tuple) else [value]:
                cli.add_command(command)


_register()


def main() -> None:
    try:
        cli(prog_name="studydl")
    except KeyboardInterrupt:
        sys.exit(130)
