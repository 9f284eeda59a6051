"""`studydl simulate`: reviews and minutes per day ahead, forecast from your own cards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import click

from studydl.cli.context import CliContext, pass_ctx

KINDS = ("learning", "review", "relearning")


def _time_source(workload) -> str:  # noqa: ANN001 - Workload
    """Where the time per answer comes from, in words."""
    profile = workload.profile
    if not profile.from_log:
        return "time per answer: defaults (no timed answers in your log yet)"
    parts = [
        f"{seconds:.1f} s a {kind} answer ({n:,})"
        for kind, seconds, n in zip(KINDS, profile.own_seconds, profile.timed_answers, strict=True)
        if seconds is not None
    ]
    return "time per answer from your log: " + ", ".join(parts)


def _rows(forecast, first: date) -> list[tuple[str, float, float, float]]:  # noqa: ANN001 - Forecast
    """(label, reviews, new, minutes): one row a day up to a month, else one a week."""
    if forecast.days <= 31:
        return [
            ("today" if d == 0 else f"+{d}d", forecast.reviews[d], forecast.new[d], forecast.minutes[d])
            for d in range(forecast.days)
        ]
    rows = []
    for start in range(0, forecast.days, 7):
        end = min(start + 7, forecast.days)
        label = f"{first + timedelta(days=start):%b %d}" + ("" if end - start == 7 else f" ({end - start}d)")
        rows.append(
            (
                label,
                sum(forecast.reviews[start:end]),
                sum(forecast.new[start:end]),
                sum(forecast.minutes[start:end]),
            )
        )
    return rows


def _as_json(forecast, workload, first: date, compare) -> dict:  # noqa: ANN001
    profile = workload.profile
    doc = {
        "retention": forecast.retention,
        "days": forecast.days,
        "cards": forecast.cards,
        "decks": len(workload.decks),
        "parameters": "default" if workload.parameters_default else "optimized",
        "time_from_log": dict(zip(KINDS, profile.timed_answers, strict=True)),
        "seconds_per_answer": {
            kind: dict(zip(("again", "hard", "good", "easy"), costs, strict=True))
            for kind, costs in zip(KINDS, profile.state_rating_costs, strict=True)
        },
        "per_day": [
            {
                "day": d,
                "date": (first + timedelta(days=d)).isoformat(),
                "reviews": round(forecast.reviews[d], 3),
                "new": round(forecast.new[d], 3),
                "minutes": round(forecast.minutes[d], 3),
                "remembered": round(forecast.remembered[d], 3),
            }
            for d in range(forecast.days)
        ],
        "total": {
            "reviews": round(sum(forecast.reviews), 3),
            "new": round(sum(forecast.new), 3),
            "minutes": round(sum(forecast.minutes), 3),
        },
        "mean_per_day": {"answers": round(forecast.mean_reviews, 3), "minutes": round(forecast.mean_minutes, 3)},
    }
    if compare is not None:
        doc["by_retention"] = [
            {
                "retention": point.retention,
                "answers_per_day": round(point.reviews_per_day, 3),
                "minutes_per_day": round(point.minutes_per_day, 3),
                "remembered_at_end": round(point.remembered, 3),
            }
            for point in compare
        ]
    return doc


@click.command()
@click.option("--retention", type=float, default=None, help="Desired retention to simulate (0.7-0.99; default: your setting).")
@click.option("--days", type=int, default=30, show_default=True, help="Days to forecast (1-3650).")
@click.option("--compare", is_flag=True, help="Also compare the average day at desired retentions 70%-97%.")
@click.option("--json", "as_json", is_flag=True, help="Print the forecast as JSON.")
@pass_ctx
def simulate(obj: CliContext, retention: float | None, days: int, compare: bool, as_json: bool) -> None:
    """Forecast reviews and minutes per day from your own cards, parameters, limits and answer times.

    Runs FSRS's simulator (fsrs-rs, as Anki's) on your cards as they are now: their
    memory states and due dates, new cards entering under each deck's daily limit, your
    FSRS parameters and steps, and the time you take per answer (from your log; the
    defaults until it has answers). Figures are expected values: the mean of many runs.
    """
    from studydl.engine.settings import load_settings
    from studydl.engine.simulate import (
        check_request,
        forecast,
        sweep_retentions,
        workload_by_retention,
    )
    from studydl.engine.workload_cards import load_workload

    settings = load_settings(obj.db)
    retention = settings.desired_retention if retention is None else retention
    try:
        check_request(retention, days)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    now = datetime.now(UTC)
    workload = load_workload(obj.db, now, settings)
    result = forecast(workload, retention, days)
    assert result is not None  # no stop flag: it always finishes
    compared = list(workload_by_retention(workload, sweep_retentions(retention), days)) if compare else None
    first = settings.study_days().date_of(now)
    if as_json:
        click.echo(json.dumps(_as_json(result, workload, first, compared), indent=2))
        return
    click.echo(f"Workload forecast at desired retention {retention:.0%}, next {days} days")
    parameters = "default FSRS parameters" if workload.parameters_default else "your optimized FSRS parameters"
    click.echo(f"{workload.cards:,} cards in {len(workload.decks)} decks · {parameters}")
    click.echo(_time_source(workload))
    click.echo("")
    click.echo(f"  {'day' if days <= 31 else 'week from':<12} {'reviews':>8} {'new':>7} {'minutes':>8}")
    for label, reviews, new, minutes in _rows(result, first):
        click.echo(f"  {label:<12} {reviews:>8.1f} {new:>7.1f} {minutes:>8.1f}")
    click.echo("")
    click.echo(
        f"Total: {sum(result.reviews):,.0f} reviews, {sum(result.new):,.0f} new cards, {sum(result.minutes):,.0f} minutes; "
        f"a day on average {result.mean_reviews:.1f} answers in {result.mean_minutes:.1f} minutes."
    )
    if result.remembered:
        click.echo(f"Cards you would recall on the last day: about {result.remembered[-1]:,.0f} of {result.cards:,}.")
    if compared is not None:
        click.echo("")
        click.echo(f"The average day over {days} days, by desired retention:")
        click.echo(f"  {'retention':<11} {'answers':>8} {'minutes':>8} {'recalled at end':>16}")
        for point in sorted(compared, key=lambda p: p.retention):
            mark = "  ← now" if abs(point.retention - settings.desired_retention) < 1e-9 else ""
            click.echo(
                f"  {point.retention:<11.0%} {point.reviews_per_day:>8.1f} {point.minutes_per_day:>8.1f} "
                f"{point.remembered:>16,.0f}{mark}"
            )
