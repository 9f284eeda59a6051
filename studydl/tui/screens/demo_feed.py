"""A run's events folded into snapshots for the demo screen (in its worker thread, no UI)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from studydl.domain.demos import Event, Frame, Progress


@dataclass(frozen=True)
class Snapshot:
    """Everything a run has shown so far; each update carries it whole, so dropping one loses nothing."""

    progress: Progress | None = None
    history: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    """Metric name -> (steps, values) from every Progress so far."""
    frames: dict[str, Frame] = field(default_factory=dict)
    """The newest frame of each key, in order of first appearance."""


class Feed:
    """Folds a run's events into snapshots (in the worker thread)."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.history: dict[str, tuple[list[float], list[float]]] = {}
        self.frames: dict[str, Frame] = {}

    def add(self, event: Event) -> Snapshot:
        if isinstance(event, Progress):
            self.progress = event
            for name, value in event.metrics.items():
                if isinstance(value, int | float) and math.isfinite(value):
                    steps, values = self.history.setdefault(name, ([], []))
                    steps.append(float(event.step))
                    values.append(float(value))
        elif isinstance(event, Frame):
            self.frames[event.key] = event
        history = {name: (list(xs), list(ys)) for name, (xs, ys) in self.history.items()}
        return Snapshot(self.progress, history, dict(self.frames))
