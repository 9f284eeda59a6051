"""Review commands: review (plain, over any pipe), stats, optimize (settings: cli/settings.py)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.domain.words import plural

if TYPE_CHECKING:
    from studydl.engine.settings import Settings


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
@click.option("--preset", default="Default", show_default=True, metavar="NAME", help="Fit this preset's decks (and save to it).")
@click.option("--dry-run", is_flag=True, help="Fit and report, but keep the current parameters.")
@click.option("--restore", is_flag=True, help="Go back to the parameters the last saved fit replaced.")
@click.option("--reset", is_flag=True, help="Go back to FSRS's default parameters (restorable).")
@click.option("--retention", "advise", is_flag=True, help="Compute the preset's minimum recommended retention instead.")
@click.option("--yes", "-y", is_flag=True, help="Recompute the cards' memory states without asking.")
@click.option("--reschedule", is_flag=True, help="Recompute memory states and review due dates without asking.")
@pass_ctx
def optimize(
    obj: CliContext, preset: str, dry_run: bool, restore: bool, reset: bool, advise: bool, yes: bool, reschedule: bool
) -> None:
    """Fit a preset's FSRS parameters to its decks' review log (fsrs-rs, as Anki) and report how well they predict it.

    Refused below 400 reviews (Anki's minimum). New parameters are saved only when they
    predict your log better (lower log-loss); the ones they replace stay restorable with
    --restore. A health check (Anki's) says whether FSRS fits your memory well. Afterwards
    you are offered to recompute the cards' memory states from their logs with the new
    parameters (Anki's "reschedule cards on change"); --reschedule also moves review due
    dates (with Easy Days and the load balancer, as Anki's rescheduler).
    """
    from studydl.domain.errors import StudyError
    from studydl.engine.optimize import optimize_collection, restore_parameters, save_parameters
    from studydl.engine.settings import display_value, load_settings

    current = load_settings(obj.db)
    if preset not in current.preset_names():
        raise StudyError(f"no preset named {preset!r} (presets: {', '.join(current.preset_names())})")
    if advise:
        _advise(obj, current, preset)
        return
    if restore or reset:
        if reset:
            save_parameters(obj.db, None, current.options_of(preset).parameters, preset)
            click.echo("FSRS parameters reset to the defaults (`studydl optimize --restore` undoes this).")
        else:
            try:
                restore_parameters(obj.db, preset)
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
            shown = display_value(load_settings(obj.db).for_preset(preset), "parameters")
            click.echo(f"Restored the earlier parameters: {shown}")
        _offer_recompute(obj, preset, yes, reschedule)
        return
    click.echo(f"Fitting FSRS parameters of preset {preset!r} to its decks' review log…")
    started = time.perf_counter()
    result = optimize_collection(obj.db, save=not dry_run, preset=preset)
    seconds = time.perf_counter() - started
    if result.refused:
        click.echo(f"{result.refusal} Keeping the current parameters.")
        return
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
    if result.health is not None:
        health = result.health
        click.echo(
            f"{'forward':12}{health.log_loss:>10.4f}{health.rmse_bins:>12.4f}"
            f"  (fit on the past, predicting the future: {health.adjusted_log_loss:.2f} and {health.adjusted_rmse:.2f}"
            " times the usual; good within 1.11 or 1.53)"
        )
        click.echo(health.message)
    else:
        click.echo(f"Health check: needs more than 300 training items ({result.items} now).")
    if result.saved:
        click.echo("Saved the fitted parameters (`studydl optimize --restore` brings back the old ones).")
        _offer_recompute(obj, preset, yes, reschedule)
    elif dry_run:
        click.echo("Dry run: parameters not saved.")
    else:
        click.echo("The fitted parameters predict your log no better; keeping the current ones.")


def _advise(obj: CliContext, current: Settings, preset: str) -> None:
    """The preset's minimum recommended retention (fsrs-rs's optimal retention on the learner's own cards)."""
    from studydl.engine.retention_advice import minimum_recommended_retention

    click.echo(f"Simulating a year of preset {preset!r}'s cards at each retention fsrs-rs tries…")
    advice = minimum_recommended_retention(obj.db, datetime.now(UTC), current, preset)
    if advice.minimum is None:
        click.echo("No cards to simulate yet.")
        return
    click.echo(
        f"Minimum recommended retention: {advice.minimum:.2f} (from {plural(advice.studied, 'studied card')}; "
        f"now {current.for_preset(preset).desired_retention:g})."
    )
    click.echo("Below it, more forgetting costs more time in relearning than it saves.")


def _offer_recompute(obj: CliContext, preset: str, yes: bool, reschedule: bool) -> None:
    """Recompute the preset's cards' memory states from the log with the (new) parameters: by flag, or ask at a terminal."""
    from studydl.engine.recompute import recompute_memory_states
    from studydl.engine.retention_advice import preset_cards
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
    settings = load_settings(obj.db)
    cards = preset_cards(obj.db, settings, preset) if settings.presets else None
    result = recompute_memory_states(obj.db, settings, reschedule=reschedule, cards=cards)
    moved = f"; {result.rescheduled} review due dates moved" if reschedule else ""
    click.echo(f"Recomputed the memory states of {plural(result.cards, 'card')}{moved}.")
