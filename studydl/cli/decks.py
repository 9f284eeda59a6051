"""Deck commands: sync, check, due, cards."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from studydl.cli.context import CliContext, pass_ctx


def known_demo_ids() -> frozenset[str]:
    """The demo catalogue's ids (reads demo metadata only; torch is not imported)."""
    from studydl.demos.catalogue import known_ids

    return known_ids()


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
        click.echo(f"{key}: … and {count} more problems", err=True)


def _clip(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line and errors.")
@pass_ctx
def sync(obj: CliContext, paths: tuple[Path, ...], quiet: bool) -> None:
    """Read deck files into the store and print what was added, changed, retired and restored.

    Without PATH: the bundled decks and the decks folder of your home. A deck with
    errors is reported as file:line: message and left untouched in the store; the
    others still sync (exit status 1).
    """
    from studydl.decks.sync import sync_decks

    roots = list(paths) or obj.home.ensure().deck_roots()
    report = sync_decks(obj.db, roots, known_demos=known_demo_ids(), prune_missing=not paths)
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
    click.echo(
        f"{len(report.added)} added, {len(report.changed)} changed, {len(report.moved)} moved, "
        f"{len(report.retired)} retired, {len(report.restored)} restored; "
        f"{len(report.synced)} deck files synced, {report.unchanged} unchanged"
    )
    echo_problems(report.errors)
    if report.errors:
        raise SystemExit(1)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Check deck files without touching the store: every problem as file:line: message."""
    from studydl.decks.parser import parse_file
    from studydl.decks.sync import find_deck_files

    files, problems = find_deck_files(paths)
    demos = known_demo_ids()
    cards = 0
    for path in files:
        deck = parse_file(path, demos)
        cards += len(deck.cards)
        problems.extend(deck.errors)
    echo_problems(problems)
    click.echo(f"{len(files)} deck files, {cards} cards, {len(problems)} problems")
    if problems:
        raise SystemExit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_ctx
def due(obj: CliContext, as_json: bool) -> None:
    """Per deck: new cards (within today's limit), learning cards due now and review cards due today."""
    from studydl.domain.cards import DeckCounts
    from studydl.engine.settings import load_settings
    from studydl.engine.stats import deck_tree_counts

    now = datetime.now(UTC)
    rows = deck_tree_counts(obj.db, now, load_settings(obj.db))
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


@click.command()
@click.option("--deck", help="Only this deck (by name).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_ctx
def cards(obj: CliContext, deck: str | None, as_json: bool) -> None:
    """Every card: id, deck, section, question, answer, demo, retired flag and source file:line."""
    from studydl.store.queries import list_cards

    with obj.db.read() as s:
        views = list_cards(s, deck)
    if as_json:
        docs = [
            {
                "id": v.uid,
                "deck": v.deck,
                "section": v.section,
                "kind": v.kind,
                "question": v.question,
                "answer": v.answer,
                "demo": v.demo_id,
                "tags": list(v.tags),
                "retired": v.retired,
                "suspended": v.suspended,
                "source": v.where,
            }
            for v in views
        ]
        click.echo(json.dumps({"cards": docs}, indent=2, ensure_ascii=False))
        return
    for v in views:
        flags = "".join(("R" if v.retired else " ", "D" if v.demo_id else " "))
        click.echo(f"{v.uid:<16} {flags} {v.deck} / {v.section or '-'}: {_clip(v.question, 60)}  [{v.where}]")
