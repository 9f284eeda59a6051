"""`studydl demo inspect ID --at ...`: the step-through views as text, the app's numbers and all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from rich.console import Console

from studydl.cli.demo_frames import titled
from studydl.demos.inspect import SelectionError, parse_at
from studydl.demos.pictures.steps import step_art
from studydl.domain.demos import Frame, Inspect, Result

HOW = {
    "ConvInspect": "--at ROW,COL picks an output cell (from 0), --map N an output map (from 1)",
    "GradSteps": "--at picks a node by name or its step number (1 = the loss)",
    "AttentionInspect": "--at picks a query position (from 0)",
}


def show_steps(
    run: Any,
    at: str | None,
    map_number: int | None,
    console: Console,
    relay: Callable[[Any, Console], tuple[Result, dict[str, Frame]]],
) -> None:
    """Run the demo (its progress on `console`), then print the explanation of the selection."""
    _, frames = relay(run, console)
    found = [frame for frame in frames.values() if isinstance(frame, Inspect)]
    if not found:
        raise click.ClickException(f"demo {run.spec.id!r} yields nothing to step through")
    frame = found[-1]
    try:
        selection = parse_at(frame, at, map_number)
    except SelectionError as exc:
        raise click.UsageError(f"{exc} ({HOW.get(type(frame).__name__, '')})") from None
    console.print(titled(frame, step_art(frame, selection)))
    console.print(f"[dim]{HOW.get(type(frame).__name__, '')}; the app: `s` on the demo screen[/]")
