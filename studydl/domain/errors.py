"""Errors a user may see: each carries a message fit to print as it is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class StudyError(Exception):
    """Base of every error that is reported to the user as a message, not a traceback."""


@dataclass(frozen=True)
class DeckProblem:
    """One problem in a deck file, printed as `file:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class StoreBusy(StudyError):
    """The database stayed locked by another process past the retry window."""


class StoreError(StudyError):
    """The database file cannot be opened or migrated."""


class StoreUnreachable(StoreError):
    """The database server cannot be reached, or the connection to it was lost."""
