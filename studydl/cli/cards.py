"""`studydl cards [QUERY]`: the browser's search on the command line, with each card's scheduling state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from studydl.cli.context import CliContext, pass_ctx

RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
STATES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}


def _local_iso(value: datetime | None) -> str | None:
    """ISO 8601 in the local time zone, with its offset (`2026-11-26T09:00:00+01:00`)."""
    return value.astimezone().isoformat(timespec="seconds") if value is not None else None


def card_document(card: Any, sched: Any) -> dict[str, Any]:
    """One card of `cards --json`: its text and where it is, then its scheduling state."""
    doc: dict[str, Any] = {
        "id": card.uid,
        "deck": card.deck,
        "section": card.section,
        "kind": card.kind,
        "question": card.question,
        "answer": card.answer,
        "demo": card.demo_id,
        "typed": card.check.typed,
        "predict": card.check.predict.to_dict() if card.check.predict is not None else None,
        "tags": list(card.tags),
        "retired": card.retired,
        "suspended": card.suspended,
        "flag": card.flag,
        "leech": card.leech,
        "source": card.where,
    }
    if sched is not None:
        doc.update(
            state=STATES.get(int(sched.state), str(sched.state)),
            due=_local_iso(sched.due),
            stability=sched.stability,
            difficulty=sched.difficulty,
            retrievability=round(sched.retrievability, 4) if sched.retrievability is not None else None,
            reps=sched.reps,
            lapses=sched.lapses,
            last_review=_local_iso(sched.last_review),
            last_rating=RATINGS.get(sched.last_rating) if sched.last_rating is not None else None,
        )
    return doc


@click.command()
@click.argument("query", nargs=-1)
@click.option("--deck", help="Only this deck: its file stem, its name, or the start of its name (any case).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout, with each card's scheduling state.")
@pass_ctx
def cards(obj: CliContext, query: tuple[str, ...], deck: str | None, as_json: bool) -> None:
    """Cards matching QUERY, the browser's search: `studydl cards 'deck:cnn is:due'`.

    Words match the question or answer; deck:NAME, tag:X, section:X, demo:ID,
    is:due|new|learning|review|suspended|leech|retired|flagged and
    has:demo|typed|predict|cram filter;
    -term negates, `or` and ( ) combine. Retired cards show only with is:retired.
    Without QUERY: every live card.
    """
    from studydl.engine.settings import load_settings
    from studydl.render.card_markdown import shown_line
    from studydl.search.card_info import scheduling
    from studydl.search.cards import search_cards
    from studydl.search.parser import And, Query, Term, parse_query
    from studydl.store.queries import deck_matches, deck_rows

    parsed = parse_query(" ".join(query))
    if parsed.problems:
        raise click.UsageError("; ".join(parsed.problems))
    now = datetime.now(UTC)
    settings = load_settings(obj.db)
    with obj.db.read() as s:
        if deck is not None:
            decks = deck_rows(s)
            if not deck_matches(deck, decks):
                known = ", ".join(sorted({name for _i, name, _rel in decks}, key=str.lower)) or "none"
                raise click.ClickException(f"no deck matches {deck!r} (decks: {known})")
            node = Term("deck", deck) if parsed.node is None else And((Term("deck", deck), parsed.node))
            parsed = Query(node)
        result = search_cards(s, parsed, now, day_end=settings.study_days().bounds(now)[1], limit=None)
        facts = scheduling(s, [c.id for c in result.cards], now, settings) if as_json else {}
    if as_json:
        docs = [card_document(card, facts.get(card.id)) for card in result.cards]
        click.echo(json.dumps({"cards": docs}, indent=2, ensure_ascii=False))
        return
    if not result.cards:
        click.echo("No cards match.", err=True)
    for v in result.cards:
        flags = "".join(("R" if v.retired else " ", "S" if v.suspended else " ", "D" if v.demo_id else " "))
        due = f" due {v.due.astimezone():%Y-%m-%d}" if v.due is not None and v.state else ""
        click.echo(f"{v.uid:<16} {flags} {STATES.get(v.state, '?'):<10}{due:<15} {v.deck} / {v.section or '-'}: {_clip(shown_line(v.question), 60)}  [{v.where}]")


def _clip(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
