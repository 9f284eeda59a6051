"""Database commands: copy-to (move a collection to a server, or take a copy of it)."""

from __future__ import annotations

import click

from studydl.cli.context import CliContext, pass_ctx


@click.command("copy-to")
@click.argument("target", metavar="URL")
@pass_ctx
def copy_to(obj: CliContext, target: str) -> None:
    """Copy this collection (decks, cards, review log, settings) into an empty database.

    URL is a PostgreSQL server (postgresql://user@host/dbname) or a SQLite file. To
    use a collection on a server directly from every device, run `studydl copy-to
    postgresql://...` once, then `--db URL?studydl=direct` (or STUDYDL_DB) on each
    (a server URL without it names the shared log that devices' own copies sync with).
    The other way round (`studydl --db URL copy-to ~/studydl-copy.db`) takes a copy of a server's collection.
    """
    from studydl.store.copy import copy_collection
    from studydl.store.db import Database

    source = obj.db  # opened first: a source that cannot be read leaves no target behind
    destination = Database(target)
    try:
        report = copy_collection(source, destination)
    finally:
        destination.dispose()
    counts = report.rows
    click.echo(
        f"Copied {counts['cards']} cards, {counts['review_log']} answers, {counts['decks']} decks,"
        f" {counts['settings']} settings and {counts['presets']} presets to {destination.location}."
    )
    if destination.location.is_server:
        click.echo("Use it directly on this device and your others: --db URL?studydl=direct, or STUDYDL_DB (see docs/devices.md).")
