"""`studydl check PATH...`: lint deck files without the store; `--evidence` also runs every predict card's demo."""

from __future__ import annotations

from pathlib import Path

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.cli.decks import echo_problems, known_demo_ids
from studydl.domain.words import plural


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--evidence",
    is_flag=True,
    help="Also run every predict card's demo over its vary: range at several seeds (no time budget, "
    "the home's result cache first) and report each draw where the card's expect: answer is graded wrong.",
)
@click.option("--seeds", type=click.IntRange(1, 100), default=3, show_default=True, help="With --evidence: seeds 0..N-1.")
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True, help="With --evidence: processes to use.")
@pass_ctx
def check(obj: CliContext, paths: tuple[Path, ...], evidence: bool, seeds: int, jobs: int) -> None:
    """Check deck files without touching the store: every problem as file:line: message."""
    from studydl.decks.parser import parse_file
    from studydl.decks.roots import DeckRoots

    found = DeckRoots().find(paths)
    files, problems = [f.path for f in found.files], found.problems
    demos = known_demo_ids()
    decks = [parse_file(path, demos) for path in files]
    for deck in decks:
        problems.extend(deck.errors)
    problems.extend(_course_problems(obj, found.files, decks))
    echo_problems(problems)
    cards = sum(len(deck.cards) for deck in decks)
    click.echo(f"{plural(len(files), 'deck file')}, {plural(cards, 'card')}, {plural(len(problems), 'problem')}")
    failed = bool(problems)
    if evidence:
        failed |= _evidence(obj, [deck for deck in decks if deck.ok], range(seeds), jobs)
    if failed:
        raise SystemExit(1)


def _course_problems(obj: CliContext, files: list, decks: list) -> list:
    """`requires:` entries naming no deck or section, and cycles, among these decks and the
    bundled and home decks around them."""
    from studydl.course.check import course_problems
    from studydl.decks.parser import parse_file

    if not any(deck.requires for deck in decks):
        return []
    home = obj.home
    given = {f.path for f in files}
    around = home.named_roots().find([p for p in (home.bundled_decks_dir, home.decks_dir) if p.is_dir()]).files
    context = [(f, parse_file(f.path)) for f in around if f.path not in given]
    return course_problems(list(zip(files, decks, strict=True)), context)


def _evidence(obj: CliContext, decks: list, seeds: range, jobs: int) -> bool:
    """Run the predict cards' demos; print each finding as file:line; True when there is one."""
    from studydl.demos.card_evidence import PredictCard, check_evidence
    from studydl.demos.measure import CACHE_FOLDER

    cards = [
        PredictCard(deck.path, card.line, card.explicit_id or _clip(card.question), card.demo_id, card.check.predict)
        for deck in decks
        for card in deck.cards
        if card.check.predict is not None and card.demo_id is not None
    ]
    click.echo(
        f"Evidence: {plural(len(cards), 'predict card')} at seeds {seeds.start}..{seeds.stop - 1}, "
        f"in {plural(jobs, 'process', 'processes')}…",
        err=True,
    )
    report = check_evidence(cards, seeds=list(seeds), jobs=jobs, cache_dir=obj.home.root / CACHE_FOLDER)
    echo_problems(report.findings)
    click.echo(
        f"evidence: {plural(report.cards, 'predict card')}, {plural(report.runs, 'run')} "
        f"({report.cached} from the cache), {plural(len(report.findings), 'finding')}"
    )
    return bool(report.findings)


def _clip(text: str, width: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
