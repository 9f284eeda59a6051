"""`demo run ID --seeds N`: print a SeedsReport (a line per seed as it ends, then the spreads)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from rich.console import Console
from rich.table import Table as RichTable

from studydl.demos.seeds import SeedRun, SeedsReport, Spread


def seed_line(run: SeedRun) -> str:
    took = f"  {run.wall_s:.1f} s" if run.wall_s is not None else ""
    return f"seed {run.seed}: {run.verdict}{took}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _spread_row(spread: Spread, runs: int) -> list[str]:
    span = "-" if spread.low is None else f"{_number(spread.low)} … {_number(spread.high)}"
    return [spread.metric, _number(spread.median), span, "" if spread.finite == runs else f"{spread.finite} finite"]


def spreads_table(report: SeedsReport) -> RichTable:
    """Median and min … max of every metric; how many seeds were finite where not all were."""
    runs, spreads = len(report.runs), report.spreads()
    some_not_finite = any(s.finite != runs for s in spreads)
    table = RichTable(title=f"Over {runs} seeds", title_justify="left")
    table.add_column("metric", overflow="fold")
    table.add_column("median", justify="right")
    table.add_column("min … max", justify="right")
    if some_not_finite:
        table.add_column("", style="dim")
    for spread in spreads:
        table.add_row(*_spread_row(spread, runs)[: 4 if some_not_finite else 3])
    return table


def holds_line(report: SeedsReport) -> str:
    seeds = ", ".join(str(run.seed) for run in report.runs if run.stopped is None and run.reached is False)
    line = f"The point holds in {report.holds} of {len(report.runs)} seeds"
    if report.fails:
        line += f"; not at seed{'s' if report.fails > 1 else ''} {seeds}"
    if report.no_verdict:
        line += f"; {report.no_verdict} stopped early (no verdict)"
    return line + "."


def print_report(report: SeedsReport, console: Console) -> None:
    console.print(spreads_table(report))
    console.print(holds_line(report))


def print_json(report: SeedsReport, extra: Mapping[str, object] | None = None) -> None:
    print(json.dumps({**report.to_json(), **(extra or {})}))
