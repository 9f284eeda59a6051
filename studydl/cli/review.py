"""Review commands: review (plain, over any pipe), stats, optimize, settings."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.domain.words import plural


@click.command()
@click.option("--plain", is_flag=True, help="Review in plain text lines (works over a pipe: reads stdin).")
@click.option("--deck", help="Only this deck: its name, its file stem or the start of its name.")
@click.option("--cram", is_flag=True, help="Review every card of --deck, due or not, without changing its schedule.")
@pass_ctx
def review(obj: CliContext, plain: bool, deck: str | None, cram: bool) -> None:
    """Review the cards due now (or, with --cram, every card of a deck).

    Plain mode prints the question; Enter shows the answer and each button's
    interval; 1-4 rates (Again, Hard, Good, Easy), u undoes, s suspends, b buries
    until tomorrow, f flags, q quits. A typed card asks for the answer and a
    predict card for a prediction (its demo then runs); Enter accepts the proposed
    rating. End of input ends the session cleanly. Without --plain the app opens.
    """
    if cram and deck is None:
        raise click.UsageError("--cram needs --deck: the deck to go through")
    if deck is not None:
        deck = _deck_name(obj, deck)
    if plain or not sys.stdin.isatty():
        from studydl.cli.plain_review import plain_review

        plain_review(obj, deck, sys.stdin, cram=cram)
        return
    from studydl.tui.launch import open_app

    open_app(obj.home, cram_deck=deck if cram else None)


def _deck_name(obj: CliContext, deck: str) -> str:
    """The deck `--deck` names: its name, its file stem or the start of its name (as `cards --deck`)."""
    from studydl.store.queries import deck_matches, deck_rows

    with obj.db.read() as s:
        rows = deck_rows(s)
    found = {name for i, name, _ in rows if i in deck_matches(deck, rows)}
    return found.pop() if len(found) == 1 else deck


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@pass_ctx
def stats(obj: CliContext, as_json: bool) -> None:
    """Reviews today and in total, 30-day retention, and the due forecast for 30 days."""
    from studydl.engine.settings import load_settings
    from studydl.engine.stats import collection_stats

    result = collection_stats(obj.db, datetime.now(UTC), load_settings(obj.db))
    if as_json:
        data = asdict(result)
        data["reviews_per_day"] = {d.isoformat(): n for d, n in result.reviews_per_day.items()}
        data["retention_by_week"] = [[d.isoformat(), r] for d, r in result.retention_by_week]
        click.echo(json.dumps(data, indent=2))
        return
    retention = (
        f"{result.retention_30d:.1%}"
        if result.retention_30d is not None
        else "none yet (it counts review cards; new and learning cards become reviews after a day or more)"
    )
    correct = f", {result.correct_today} correct ({result.correct_today / result.reviews_today:.0%})" if result.reviews_today else ""
    cram = f", {result.cram_today} of them cram" if result.cram_today else ""
    click.echo(f"Reviews today:      {result.reviews_today} ({result.time_today_s / 60:.1f} min){correct}{cram}")
    click.echo(f"Reviews in total:   {result.reviews_total}")
    click.echo(f"Retention (30 days): {retention}")
    click.echo("Cards:              " + ", ".join(f"{k} {v}" for k, v in result.state_counts.items()))
    click.echo("Due in the next 30 days (day: cards):")
    peak = max(result.forecast) or 1
    for day, n in enumerate(result.forecast):
        if n:
            label = "today" if day == 0 else f"+{day}d"
            click.echo(f"  {label:>6} {n:5}  {'█' * max(1, round(24 * n / peak))}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Fit and report, but keep the current parameters.")
@click.option("--restore", is_flag=True, help="Go back to the parameters the last saved fit replaced.")
@click.option("--reset", is_flag=True, help="Go back to FSRS's default parameters (restorable).")
@click.option("--yes", "-y", is_flag=True, help="Recompute the cards' memory states without asking.")
@click.option("--reschedule", is_flag=True, help="Recompute memory states and review due dates without asking.")
@pass_ctx
def optimize(obj: CliContext, dry_run: bool, restore: bool, reset: bool, yes: bool, reschedule: bool) -> None:
    """Fit the FSRS parameters to your review log (fsrs-rs, as Anki) and report how well each set predicts it.

    New parameters are saved only when they predict your log better (lower log-loss);
    the ones they replace stay restorable with --restore. Afterwards you are offered to
    recompute the cards' memory states from their logs with the new parameters
    (Anki's "reschedule cards on change"); --reschedule also moves review due dates.
    """
    from studydl.engine.optimize import optimize_collection, restore_parameters, save_parameters
    from studydl.engine.settings import display_value, load_settings

    if restore or reset:
        if reset:
            save_parameters(obj.db, None, load_settings(obj.db).parameters)
            click.echo("FSRS parameters reset to the defaults (`studydl optimize --restore` undoes this).")
        else:
            try:
                restore_parameters(obj.db)
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"Restored the earlier parameters: {display_value(load_settings(obj.db), 'parameters')}")
        _offer_recompute(obj, yes, reschedule)
        return
    click.echo("Fitting FSRS parameters to your review log…")
    started = time.perf_counter()
    result = optimize_collection(obj.db, save=not dry_run)
    seconds = time.perf_counter() - started
    if not result.items:
        click.echo(
            f"Nothing to learn from yet: {plural(result.reviews, 'answer')}, none a study day or more after the card's "
            "previous one. Keeping the current parameters."
        )
        return
    assert result.before is not None and result.after is not None
    click.echo(f"{plural(result.items, 'training item')} from {plural(result.reviews, 'answer')}, fitted in {seconds:.2f} s.")
    click.echo(f"{'':12}{'log-loss':>10}{'RMSE(bins)':>12}")
    click.echo(f"{'current':12}{result.before[0]:>10.4f}{result.before[1]:>12.4f}")
    click.echo(f"{'fitted':12}{result.after[0]:>10.4f}{result.after[1]:>12.4f}")
    if result.saved:
        click.echo("Saved the fitted parameters (`studydl optimize --restore` brings back the old ones).")
        _offer_recompute(obj, yes, reschedule)
    elif dry_run:
        click.echo("Dry run: parameters not saved.")
    else:
        click.echo("The fitted parameters predict your log no better; keeping the current ones.")


def _offer_recompute(obj: CliContext, yes: bool, reschedule: bool) -> None:
    """Recompute memory states from the log with the (new) parameters: by flag, or ask at a terminal."""
    from studydl.engine.recompute import recompute_memory_states
    from studydl.engine.settings import load_settings

    if not (yes or reschedule):
        if not sys.stdin.isatty():
            click.echo(
                "Memory states not recomputed (no terminal to ask): add --yes to recompute them, "
                "--reschedule to also move review due dates."
            )
            return
        if not click.confirm("Recompute your cards' memory states from their logs with these parameters?", default=True):
            return
        reschedule = click.confirm("Also move review due dates to the new intervals?", default=False)
    result = recompute_memory_states(obj.db, load_settings(obj.db), reschedule=reschedule)
    moved = f"; {result.rescheduled} review due dates moved" if reschedule else ""
    click.echo(f"Recomputed the memory states of {plural(result.cards, 'card')}{moved}.")


@click.command()
@click.argument("pairs", nargs=-1, metavar="[KEY [VALUE]]...")
@pass_ctx
def settings(obj: CliContext, pairs: tuple[str, ...]) -> None:
    """Show all settings, one (KEY), or set some (KEY VALUE ...; `default` resets one).

    Examples: `settings retention 0.85`, `settings new 10 reviews 150`,
    `settings learning_steps "1m 10m"`, `settings day_start 5`, `settings zone Europe/Berlin`,
    `settings deck_limits "Transformers=10/100"`. Every value is checked before any is
    saved, and every bad one is named.
    """
    from studydl.engine.settings import (
        FIELD_NAMES,
        SettingsInvalid,
        canonical_key,
        display_value,
        load_settings,
        parse_values,
        save_changes,
    )

    if not pairs:
        current = load_settings(obj.db)
        for name in FIELD_NAMES:
            click.echo(f"{name:22} {display_value(current, name)}")
        return
    if len(pairs) == 1:
        name = canonical_key(pairs[0])
        click.echo(f"{name} = {display_value(load_settings(obj.db), name)}")
        return
    if len(pairs) % 2:
        raise click.UsageError(f"{pairs[-1]!r} has no value: give KEY VALUE pairs (`default` resets one)")
    texts = {canonical_key(key): value for key, value in zip(pairs[::2], pairs[1::2], strict=True)}
    try:
        values = parse_values(texts)
    except SettingsInvalid as exc:
        for name, message in exc.problems.items():
            click.echo(f"Error: {name}: {message}", err=True)
        raise SystemExit(1) from None
    current = save_changes(obj.db, values)
    for name in values:
        click.echo(f"{name} = {display_value(current, name)}")
