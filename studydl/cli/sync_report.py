"""What `studydl sync` says about the answers it pushed and pulled (docs/devices.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studydl.domain.words import plural

if TYPE_CHECKING:
    from studydl.decks.sync import SyncReport as DeckReport
    from studydl.replica.sync import SyncReport


def answers_line(report: SyncReport) -> str:
    """`answers: pushed 12, pulled 30 (28 added, 2 undone, 9 cards, 1 setting); 0 waiting`, or offline and why."""
    if report.error is not None:
        return f"answers: offline, {plural(report.waiting, 'answer')} waiting ({report.error})"
    merged = report.merged
    moved = [plural(merged.answers, "answer") + " added"]
    if merged.undone:
        moved.append(f"{merged.undone} undone")
    if merged.cards:
        moved.append(plural(merged.cards, "card") + " updated")
    if merged.settings:
        moved.append(plural(merged.settings, "setting") + " changed")
    line = f"answers: pushed {plural(report.pushed, 'event')}, pulled {plural(report.pulled, 'event')} ({', '.join(moved)}); {report.waiting} waiting"
    if merged.waiting:
        line += f"; {plural(merged.waiting, 'event')} for cards this device has not synced yet"
    return line


def sync_json(decks: DeckReport, answers: SyncReport | None) -> dict[str, Any]:
    """`studydl sync --json`: the decks' summary, and the answers' (null without a server)."""
    summary = {
        name: len(getattr(decks, name)) for name in ("added", "changed", "moved", "retired", "restored", "synced")
    }
    summary["unchanged"] = decks.unchanged
    summary["errors"] = [str(problem) for problem in decks.errors]
    return {"decks": summary, "answers": answers.to_json() if answers is not None else None}
