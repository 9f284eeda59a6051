"""`studydl map`: the course map on the command line, every section with what you remember of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from studydl.cli.context import CliContext, pass_ctx


def percent(value: float | None) -> str:
    """`58 %`, or `—` for a section with no card studied yet."""
    return "—" if value is None else f"{value * 100:.0f} %"


@click.command("map")
@click.option("--json", "as_json", is_flag=True, help="One JSON document: every section with its mean retrievability, counts and prerequisites.")
@pass_ctx
def map_cmd(obj: CliContext, as_json: bool) -> None:
    """The course map: sections layer by layer (prerequisites first), each with its cards' mean
    retrievability today (FSRS), its cards, due and lapsed this week, and what it requires."""
    from studydl.course.course_map import load_course_map

    course = load_course_map(obj.db, datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(course.to_dict(), indent=2, ensure_ascii=False))
        return
    if not course.rows:
        click.echo("No cards yet: run `studydl sync`.")
        return
    titles = {n.key: n.title for n in course.nodes}
    click.echo(f"{len(course.nodes)} sections in {len(course.rows)} layers (prerequisites first); recall: mean retrievability today")
    for layer, row in enumerate(course.rows):
        click.echo(f"\n{'layer ' + str(layer):<{NAME_WIDTH + 2}} {'recall':>6} {'cards':>5} {'due':>4} {'lapsed':>6}")
        for node in row:
            name = clip(f"{node.deck} › {node.section or node.deck}", NAME_WIDTH)
            click.echo(f"  {name:<{NAME_WIDTH}} {percent(node.retrievability):>6} {node.cards:>5} {node.due:>4} {node.lapsed_week:>6}")
            if node.prerequisites:
                click.echo("      needs " + ", ".join(titles.get(k, k) for k in node.prerequisites))
    for problem in course.problems:
        click.echo(f"{problem}", err=True)


NAME_WIDTH = 54


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
