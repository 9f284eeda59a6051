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
    from studydl.search.parser import And, Query, Term, parse_query

    parsed = parse_query(" ".join(query))
    if parsed.problems:
        raise click.UsageError("; ".join(parsed.problems))
    if deck is not None:
        node = Term("deck", deck) if parsed.node is None else And((Term("deck", deck), parsed.node))
        parsed = Query(node)
    now = datetime.now(UTC)
    if as_json:
        _echo_json(obj, parsed, now, deck)
        return
    _echo_lines(obj, parsed, now, deck)


def _day_end(obj: CliContext, now: datetime) -> datetime:
    """When today's study day ends, from the stored settings (plain SQL unless an upgrade is to finish)."""
    from studydl.engine.presets import read_settings

    with obj.db.raw_read() as con:
        settings, pending = read_settings(con)
    if pending:
        from studydl.engine.settings import load_settings

        settings = load_settings(obj.db)
    return settings.study_days().bounds(now)[1]


def _no_such_deck(deck: str, decks: list[tuple[int, str, str]]) -> click.ClickException | None:
    from studydl.domain.deck_match import deck_matches

    if deck_matches(deck, decks):
        return None
    known = ", ".join(sorted({name for _i, name, _rel in decks}, key=str.lower)) or "none"
    return click.ClickException(f"no deck matches {deck!r} (decks: {known})")


LINES_PER_WRITE = 1000
FLAGS = {
    (retired, suspended, demo): ("R" if retired else " ") + ("S" if suspended else " ") + ("D" if demo else " ")
    for retired in (False, True) for suspended in (False, True) for demo in (False, True)
}  # fmt: skip
NO_DUE = " " * len(" due 2026-01-01")


def _echo_lines(obj: CliContext, parsed: Any, now: datetime, deck: str | None) -> None:
    """One line per matching card, written as the rows come (a thousand lines a write): nothing is held."""
    from studydl.render.one_line import shown_line
    from studydl.search.card_lines import card_lines, deck_order

    day_end = _day_end(obj, now)
    shown = 0
    with obj.db.raw_read() as con:
        if deck is not None and (problem := _no_such_deck(deck, [(i, n, r) for i, n, r, _p in deck_order(con)])):
            raise problem
        batch: list[str] = []
        states, unknown = {state: f"{name:<10}" for state, name in STATES.items()}, f"{'?':<10}"
        for v in card_lines(con, parsed, day_end):
            flags = FLAGS[bool(v.retired), bool(v.suspended), v.demo_id is not None]
            due = f" due {v.due_on}" if v.due_on is not None and v.state else NO_DUE
            batch.append(
                f"{v.uid:<16} {flags} {states.get(v.state, unknown)}{due} {v.deck} / {v.section or '-'}:"
                f" {_clip(shown_line(v.question), 60)}  [{v.where}]"
            )
            if len(batch) == LINES_PER_WRITE:
                click.echo("\n".join(batch))
                shown += len(batch)
                batch.clear()
        if batch:
            click.echo("\n".join(batch))
            shown += len(batch)
    if not shown:
        click.echo("No cards match.", err=True)


def _echo_json(obj: CliContext, parsed: Any, now: datetime, deck: str | None) -> None:
    """One JSON document with each card's scheduling state (the browser's ORM search and card info)."""
    from studydl.engine.settings import load_settings
    from studydl.search.card_info import scheduling
    from studydl.search.cards import search_cards
    from studydl.store.queries import deck_rows

    settings = load_settings(obj.db)
    day_end = settings.study_days().bounds(now)[1]
    with obj.db.read() as s:
        if deck is not None and (problem := _no_such_deck(deck, deck_rows(s))):
            raise problem
        result = search_cards(s, parsed, now, day_end=day_end, limit=None)
        facts = scheduling(s, [c.id for c in result.cards], now, settings)
    docs = [card_document(card, facts.get(card.id)) for card in result.cards]
    click.echo(json.dumps({"cards": docs}, indent=2, ensure_ascii=False))


def _clip(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
