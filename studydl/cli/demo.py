"""`studydl demo list|run`: the live PyTorch demos from the command line."""

from __future__ import annotations

import json
import math
import shutil
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table as RichTable

from studydl.demos import (
    BadDemoModule,
    BadParameter,
    DemoFailed,
    DemoRun,
    UnknownDemo,
    get_spec,
    list_specs,
    parse_assignments,
    run_demo,
)
from studydl.demos.verdict import verdict, verdict_words
from studydl.domain.demos import DemoSpec, Frame, Progress, Result


class DemoUsageError(click.ClickException):
    """A wrong id or parameter: one line on stderr, exit code 2."""

    exit_code = 2


@contextmanager
def _errors() -> Iterator[None]:
    """Turn demo errors into one-line click errors (usage: 2, failure: 1), never a traceback."""
    try:
        yield
    except (UnknownDemo, BadParameter) as exc:
        raise DemoUsageError(str(exc)) from None
    except (DemoFailed, BadDemoModule) as exc:
        raise click.ClickException(str(exc)) from None


def _finite(value: float) -> float | None:
    return value if isinstance(value, int | float) and math.isfinite(value) else None


def _spec_json(spec: DemoSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "title": spec.title,
        "teaches": spec.teaches,
        "concepts": list(spec.concepts),
        "budget_s": spec.budget_s,
        "params": [
            {
                "name": p.name,
                "type": p.kind.__name__,
                "default": p.default,
                "min": p.min,
                "max": p.max,
                "choices": list(p.choices) if p.choices else None,
                "help": p.help,
            }
            for p in spec.params
        ],
        "metrics": [{"name": m.name, "meaning": m.meaning, "unit": m.unit} for m in spec.metrics],
    }


@click.group()
def demo() -> None:
    """Live PyTorch demos of the concepts on the cards."""


_demos_dir_option = click.option(
    "--demos-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Read demo modules from this folder instead of the bundled one (for demo authors).",
)


@demo.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@_demos_dir_option
def list_command(as_json: bool, demos_dir: Path | None) -> None:
    """List the demos, one line each: id and title (`demo show ID` for the details)."""
    with _errors():
        specs = list_specs(demos_dir)
    if as_json:
        click.echo(json.dumps([_spec_json(s) for s in specs], indent=2))
        return
    width = shutil.get_terminal_size((80, 24)).columns
    id_width = max((len(spec.id) for spec in specs), default=0)
    for spec in specs:
        click.echo(_clip(f"{spec.id:<{id_width}}  {spec.title}", width))
    click.echo(_clip(f"{len(specs)} demos; `studydl demo show ID`: what one teaches, its parameters and metrics", width))


@demo.command("show")
@click.argument("demo_id", metavar="ID")
@_demos_dir_option
def show_command(demo_id: str, demos_dir: Path | None) -> None:
    """Show what demo ID teaches, its parameters (with ranges) and the metrics its result reports."""
    with _errors():
        spec = get_spec(demo_id, demos_dir)
    width = max(40, shutil.get_terminal_size((80, 24)).columns)

    def say(text: str, indent: str = "") -> None:
        click.echo(textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent + "    "))

    say(f"{spec.title} ({spec.id})")
    say(spec.teaches, "  ")
    if spec.concepts:
        say("concepts: " + ", ".join(spec.concepts), "  ")
    say(f"budget: {spec.budget_s:g} s for a live run (STUDYDL_DEMO_BUDGET overrides); none under --seeds", "  ")
    click.echo("parameters (--set name=value):" if spec.params else "parameters: none")
    for param in spec.params:
        say(param.describe(), "  ")
    click.echo("metrics:" if spec.metrics else "metrics: none declared")
    for metric in spec.metrics:
        say(metric.describe(), "  ")


def _clip(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def _show_run(run: DemoRun, console: Console) -> tuple[Result, dict[str, Frame]]:
    """Relay the events to a live progress bar; keep the latest frame of each key."""
    frames: dict[str, Frame] = {}
    result: Result | None = None
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[metrics]}"),
    )
    with RichProgress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("warming up", total=None, metrics="")
        for event in run:
            if isinstance(event, Progress):
                shown = "  ".join(f"{k} {v:.3g}" for k, v in list(event.metrics.items())[:2])
                bar.update(
                    task,
                    description=run.spec.id,
                    completed=event.step,
                    total=event.total,
                    metrics=shown,
                )
            elif isinstance(event, Frame):
                frames[event.key] = event
            elif isinstance(event, Result):
                result = event
                bar.update(task, description=run.spec.id)
    assert result is not None
    return result, frames


def _metrics_table(result: Result, wall_s: float | None) -> RichTable:
    table = RichTable(title="Final metrics", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in result.metrics.items():
        table.add_row(name, f"{value:.6g}")
    shown = verdict(result)
    words = "[green]yes[/]" if shown else "[red]no[/]" if shown is False else f"[yellow]{verdict_words(result)}[/]"
    table.add_row("[bold]reached[/]", words)
    if wall_s is not None:
        table.add_row("wall seconds", f"{wall_s:.2f}")
    return table


@demo.command("run")
@click.argument("demo_id", metavar="ID")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a parameter (repeatable); see `demo list`.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document, no live output.")
@click.option(
    "--seeds",
    "seeds_text",
    metavar="N|A,B,C|A..B",
    default=None,
    help="Run several seeds (N from --seed on, a list or a range) with no time budget; show each metric's spread.",
)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="With --seeds: processes to use.")
@_demos_dir_option
def run_command(
    demo_id: str,
    seed: int,
    assignments: tuple[str, ...],
    as_json: bool,
    seeds_text: str | None,
    jobs: int,
    demos_dir: Path | None,
) -> None:
    """Run demo ID to its result and show its final frames and metrics.

    With --seeds, run it at every seed to its end (no time budget) and show each
    metric's median and range, and at how many seeds the point holds.
    """
    from studydl.cli.demo_frames import render_frames

    if seeds_text is not None:
        _run_seeds(demo_id, seeds_text, seed, assignments, as_json, jobs, demos_dir)
        return
    with _errors():
        overrides = parse_assignments(assignments)
        run = run_demo(demo_id, seed=seed, overrides=overrides, demos_dir=demos_dir)
        if as_json:
            for _ in run:
                pass
            assert run.result is not None
            click.echo(
                json.dumps(
                    {
                        "id": run.spec.id,
                        "seed": seed,
                        "params": run.params,
                        "metrics": {k: _finite(v) for k, v in run.result.metrics.items()},
                        "reached": verdict(run.result),
                        "verdict": verdict_words(run.result),
                        "stopped": run.result.stopped,
                        "wall_seconds": run.wall_s,
                    }
                )
            )
            return
        console = Console()
        console.print(f"[bold]{run.spec.title}[/]\n{run.spec.teaches}\n")
        result, frames = _show_run(run, console)
    console.print(render_frames(list(frames.values())))
    if result.summary:
        console.print(result.summary)
    console.print(_metrics_table(result, run.wall_s))


@demo.command("inspect")
@click.argument("demo_id", metavar="ID")
@click.option("--at", "at", metavar="CELL|NODE|QUERY", default=None, help="What to explain: ROW,COL of a convolution output, a backprop node (name or step), a query position.")
@click.option("--map", "map_number", type=click.IntRange(1), default=None, help="A convolution's output map, from 1.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Override a parameter (repeatable).")
@_demos_dir_option
def inspect_command(
    demo_id: str, at: str | None, map_number: int | None, seed: int, assignments: tuple[str, ...], demos_dir: Path | None
) -> None:
    """Step through demo ID's model with its own numbers: a convolution cell's window, kernel and
    products (cnn, conv-arithmetic), a backprop node's chain-rule factors (backprop), a query's
    scores, softmax and value mix (transformer, encoder-decoder)."""
    from studydl.cli.demo_inspect import show_steps

    with _errors():
        run = run_demo(demo_id, seed=seed, overrides=parse_assignments(assignments), demos_dir=demos_dir)
        show_steps(run, at, map_number, Console(), _show_run)


def _run_seeds(
    demo_id: str, text: str, first: int, assignments: tuple[str, ...], as_json: bool, jobs: int, demos_dir: Path | None
) -> None:
    from studydl.cli.demo_seeds import print_json, print_report, seed_line
    from studydl.demos.seeds import parse_seeds, run_seeds

    console = Console()
    with _errors():
        overrides = parse_assignments(assignments)
        seeds = parse_seeds(text, first)
        if not as_json:
            console.print(f"{demo_id} at {len(seeds)} seeds, each to its end (no time budget)…")
        report = run_seeds(
            demo_id, seeds, overrides, jobs=jobs, demos_dir=demos_dir,
            on_run=None if as_json else lambda run: console.print(seed_line(run)),
        )
    if as_json:
        print_json(report)
    else:
        print_report(report, console)
