"""Tables: numbers right-aligned, words left-aligned."""

from __future__ import annotations

from rich import box
from rich.table import Table as RichTable

from studydl.domain.demos import Table


def _is_number(value: object) -> bool:
    """A cell that reads as a number (12, 0.25, 1.2e-03, 99%, 4.0x, —) is right-aligned."""
    if isinstance(value, int | float):
        return True
    text = str(value).strip().rstrip("%x×").replace(",", "").replace("e+", "e")
    try:
        float(text)
    except ValueError:
        return text in {"—", "-", ""}
    return True


def table_art(frame: Table) -> RichTable:
    """Columns of numbers right-aligned, of words left-aligned, two spaces apart, a rule under the head."""
    table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False, padding=(0, 1))
    for n, column in enumerate(frame.columns):
        numeric = all(_is_number(row[n]) for row in frame.rows if n < len(row))
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.rows:
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return table
