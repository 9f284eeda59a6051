"""Two finished runs of one demo side by side: what differed, how they ended, frame by frame."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table as RichTable
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from studydl.demos.verdict import verdict_words
from studydl.domain.demos import Frame, ParamValue, Result
from studydl.tui.widgets.demo_view import FramePanel


@dataclass
class RunRecord:
    """One finished run, kept so the next can be compared with it."""

    number: int
    params: dict[str, ParamValue]
    result: Result
    wall_s: float | None
    frames: dict[str, Frame] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"run {self.number}"


def changed_params(a: RunRecord, b: RunRecord) -> list[str]:
    """Names of the parameters whose values differ between the runs."""
    return [name for name in b.params if a.params.get(name) != b.params.get(name)]


def outcome(record: RunRecord) -> Text:
    if record.result.stopped:
        return Text(f"■ {verdict_words(record.result)}", style="yellow")
    if record.result.reached:
        return Text("✓ point reached", style="green")
    return Text("✗ not reached", style="red")


def comparison_table(a: RunRecord, b: RunRecord) -> RichTable:
    """Changed parameters, then every final metric of either run, one row each."""
    table = RichTable(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("", overflow="fold")  # long metric names wrap: cut, two read the same
    table.add_column(a.label, justify="right")
    table.add_column(b.label, justify="right")
    for name in changed_params(a, b):
        table.add_row(Text(name, style="bold magenta"), str(a.params.get(name)), str(b.params.get(name)))
    table.add_row("outcome", outcome(a), outcome(b))
    for name in dict.fromkeys([*a.result.metrics, *b.result.metrics]):
        va, vb = a.result.metrics.get(name), b.result.metrics.get(name)
        table.add_row(name, "—" if va is None else f"{va:.4g}", "—" if vb is None else f"{vb:.4g}")
    return table


class RunComparison(Vertical):
    """The last two runs: a table of differences, then each frame of one beside the other's."""

    def __init__(self, older: RunRecord, newer: RunRecord, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.older, self.newer = older, newer

    def compose(self) -> ComposeResult:
        changed = ", ".join(changed_params(self.older, self.newer)) or "nothing (same parameters)"
        box = Static(comparison_table(self.older, self.newer), classes="frame compare-table")
        box.border_title = f"{self.older.label} vs {self.newer.label}: changed {changed}"
        yield box
        for key in dict.fromkeys([*self.older.frames, *self.newer.frames]):
            with Horizontal(classes="compare-row"):
                for record in (self.older, self.newer):
                    frame = record.frames.get(key)
                    if frame is None:
                        yield Static(f"({record.label} has no such frame)", classes="frame compare-missing")
                    else:
                        panel = FramePanel(frame)
                        yield panel
                        panel.border_subtitle = record.label
