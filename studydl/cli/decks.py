"""Deck commands: sync, due, decks, edit (check: cli/check.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.domain.words import noun, plural, problems_in_files

if TYPE_CHECKING:
    from studydl.domain.demos import DemoSpec


def known_demo_ids() -> Mapping[str, DemoSpec]:
    """The demo catalogue: its ids, and each demo's spec loaded when a predict card names it (never torch)."""
    from studydl.demos.spec_index import SpecIndex

    return SpecIndex()


MAX_PROBLEMS_PER_FILE = 50


def echo_problems(problems: list) -> None:
    """Every problem as `file:line: message` on stderr, at most 50 per file (then a count)."""
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for problem in problems:
        key = str(problem.path)
        if shown.get(key, 0) < MAX_PROBLEMS_PER_FILE:
            shown[key] = shown.get(key, 0) + 1
            click.echo(str(problem), err=True)
        else:
            hidden[key] = hidden.get(key, 0) + 1
    for key, count in hidden.items():
        click.echo(f"{key}: … and {count} more {noun(count, 'problem')}", err=True)


def _clip(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line and errors.")
@pass_ctx
def sync(obj: CliContext, paths: tuple[Path, ...], quiet: bool) -> None:
    """Read deck files into the store and print what was added, changed, retired and restored.

    Without PATH: the bundled decks and the decks folder of your home. A file in
    your decks folder with the name of a bundled deck is your copy of it and
    replaces it (`studydl decks` lists which decks are bundled and which are yours).
    A deck with errors is reported as file:line: message and left untouched in the
    store; the others still sync (exit status 1).
    """
    from studydl.decks.sync import sync_decks

    targets = list(paths) or obj.home.ensure().deck_roots()
    report = sync_decks(obj.db, targets, roots=obj.home.named_roots(), known_demos=known_demo_ids())
    if not quiet:
        for label, items in (
            ("added", report.added),
            ("changed", report.changed),
            ("moved", report.moved),
            ("restored", report.restored),
            ("retired", report.retired),
        ):
            for item in items:
                click.echo(f"{label:>8}  {item.deck}: {_clip(item.question)}  ({item.where})")
        for deck in report.decks:
            note = f"  [{deck.note}]" if deck.note else ""
            click.echo(f"{'synced':>8}  {deck.origin:<7}  {deck.name}  ({deck.path}){note}")
        for bundled, copy in report.shadowed:
            click.echo(f"{'yours':>8}  {copy} replaces the bundled {bundled}")
        if report.origins:
            click.echo("decks: " + ", ".join(f"{n} {origin}" for origin, n in sorted(report.origins.items())) + " (`studydl decks` lists them)")
    click.echo(
        f"{len(report.added)} added, {len(report.changed)} changed, {len(report.moved)} moved, "
        f"{len(report.retired)} retired, {len(report.restored)} restored; "
        f"{plural(len(report.synced), 'deck file')} synced, {report.unchanged} unchanged"
    )
    echo_problems(report.errors)
    if report.errors:
        raise SystemExit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_ctx
def due(obj: CliContext, as_json: bool) -> None:
    """Per deck: new cards (within today's limit), learning cards due now and review cards due today."""
    from studydl.domain.cards import DeckCounts
    from studydl.engine.deck_counts import deck_tree_counts, read_settings, tree_counts

    now = datetime.now(UTC)
    db = obj.db
    with db.raw_read() as con:  # plain SQL: this whole command is a read a learner waits for
        settings, pending = read_settings(con)
        rows = tree_counts(con, now, settings) if not pending else None
    if rows is None:  # an upgrade to finish first (the full settings load does it)
        from studydl.engine.settings import load_settings

        rows = deck_tree_counts(db, now, load_settings(db))
    counts = [DeckCounts(r.deck, r.new, r.learning, r.review, r.total) for r in rows if r.section == ""]
    if as_json:
        click.echo(json.dumps({"decks": [c.__dict__ for c in counts]}, indent=2))
        return
    if not counts:
        click.echo("No cards yet: run `studydl sync`.")
        return
    width = max(len(c.deck) for c in counts)
    click.echo(f"{'deck':<{width}}  {'new':>5} {'learn':>5} {'due':>5}")
    for c in counts:
        click.echo(f"{c.deck:<{width}}  {c.new:>5} {c.learning:>5} {c.review:>5}")



@click.command("decks")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_ctx
def decks_cmd(obj: CliContext, as_json: bool) -> None:
    """Every deck in the store: bundled or yours, its cards and its file.

    Yours are the decks in your home's decks folder (a copy of a bundled deck
    there replaces it) and those of folders you synced; bundled decks ship with
    studydl and are updated with it (`studydl edit DECK` makes your copy).
    """
    from studydl.decks.roots import origin
    from studydl.store.queries import deck_infos

    with obj.db.read() as s:
        infos = [d for d in deck_infos(s) if d.synced]
    if as_json:
        docs = [{"name": d.name, "origin": origin(d.root), "cards": d.cards, "file": d.path} for d in infos]
        click.echo(json.dumps({"decks": docs}, indent=2, ensure_ascii=False))
        return
    if not infos:
        click.echo("No decks yet: run `studydl sync`.")
        return
    width = max(len(d.name) for d in infos)
    for d in infos:
        click.echo(f"{origin(d.root):<8} {d.name:<{width}}  {d.cards:>5} {noun(d.cards, 'card'):<5}  {d.path}")


@click.command()
@click.argument("deck")
@click.option("--line", type=int, default=1, show_default=True, help="Open the file at this line.")
@pass_ctx
def edit(obj: CliContext, deck: str, line: int) -> None:
    """Open DECK's file in $VISUAL/$EDITOR, then sync it.

    DECK is a file stem, a name or the start of one. A bundled deck is first copied
    to your home's decks folder: your copy replaces it, its cards keep their
    history, and upgrades of studydl never overwrite it (a copy you leave
    unchanged is removed again).
    """
    import subprocess

    from studydl.decks.copies import edit_target
    from studydl.decks.roots import DeckKey
    from studydl.domain.errors import StudyError
    from studydl.editor import editor_command
    from studydl.store.queries import deck_infos, deck_matches

    with obj.db.read() as s:
        infos = {d.id: d for d in deck_infos(s) if d.synced}
    found = deck_matches(deck, [(d.id, d.name, d.rel_path) for d in infos.values()])
    if len(found) != 1:
        names = ", ".join(infos[i].name for i in found) if found else ", ".join(d.name for d in infos.values()) or "none"
        raise StudyError(f"{'several' if found else 'no'} decks match {deck!r} ({'matching' if found else 'decks'}: {names})")
    info = infos[found[0]]
    target = edit_target(obj.home.named_roots(), DeckKey(info.root, info.rel_path), info.path)
    if target.copied_from is not None:
        click.echo(f"copied the bundled deck to {target.path}: your copy replaces it")
    argv = editor_command(target.path, line)
    try:
        subprocess.run(argv, check=False)
    except OSError as exc:
        raise StudyError(f"cannot run {argv[0]!r}: {exc.strerror or exc}; set $VISUAL or $EDITOR") from exc
    if target.drop_if_unchanged():
        click.echo("nothing changed: removed the copy, the bundled deck stays as it is")
    from studydl.decks.sync import sync_decks

    report = sync_decks(obj.db, obj.home.ensure().deck_roots(), roots=obj.home.named_roots(), known_demos=known_demo_ids())
    click.echo(f"{len(report.added)} added, {len(report.changed)} changed, {len(report.retired)} retired, {len(report.restored)} restored")
    # The exit status is about the deck edited; other decks' problems are reported, not failed on.
    edited = Path(target.path).resolve()
    own = [p for p in report.errors if Path(p.path).resolve() == edited]
    echo_problems(own)
    if others := [p for p in report.errors if Path(p.path).resolve() != edited]:
        click.echo(f"Other decks have problems and were not synced ({problems_in_files(others)}):", err=True)
        echo_problems(others)
    if own:
        raise SystemExit(1)
