"""The names of the note types `studydl export` writes, which a re-import reads back (export and import share them)."""

from __future__ import annotations

TERM = "studydl Term"
"""A `term :: definition` card: a basic note type of its own, so a re-import writes it back as one line."""
TYPED_TERM = "studydl Term (type in the answer)"
ONE_LINE = (TERM, TYPED_TERM)
"""Note types whose cards were one-line `term :: definition` cards."""
