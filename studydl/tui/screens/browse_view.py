"""How the browser shows a card: table cells, column widths, the detail pane's text."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath

from rich.text import Text

from studydl.domain.cards import CardView
from studydl.domain.review import format_interval
from studydl.domain.words import plural
from studydl.engine.history import ReviewEntry
from studydl.render.card_markdown import shown_line
from studydl.search.card_info import CardDetail

STATE_NAMES = {0: "new", 1: "learn", 2: "review", 3: "relearn"}
STATE_STYLES = {0: "bold blue", 1: "bold dark_orange", 2: "green", 3: "bold red"}
RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLES = {1: "red", 2: "dark_orange", 3: "green", 4: "blue"}

COLUMNS = ("deck", "section", "question", "state", "due", "flags")
FIXED = {"state": 7, "due": 8, "flags": 15}
GUTTER = 2 + 2 * len(COLUMNS)
"""Scrollbar plus one cell of padding each side of every column."""


NARROW = 100
"""Below this many columns the table leaves out the section (the card's detail shows it)."""


def column_widths(total: int) -> dict[str, int]:
    """Widths that fill `total` cells: fixed state/due/flags, deck and section a share, question the rest.

    Narrower than NARROW, the section column goes and the deck gets its share: two columns
    of eight cells read `Activat… Activat…`.
    """
    if total < NARROW:
        free = max(30, total - (GUTTER - 2) - sum(FIXED.values()))
        side = max(10, min(16, free * 38 // 100))
        return {"deck": side, "question": free - side, **FIXED}
    free = max(30, total - GUTTER - sum(FIXED.values()))
    side = max(8, min(22, free * 22 // 100))
    return {"deck": side, "section": side, "question": free - 2 * side, **FIXED}


def shown_columns(widths: dict[str, int]) -> list[str]:
    """The columns these widths show, in table order."""
    return [name for name in COLUMNS if name in widths]


def clip(text: str, width: int) -> str:
    """One line of at most `width` cells, with an ellipsis when cut."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def relative(when: datetime | None, now: datetime) -> str:
    """`now`, `in 4d`, `2h ago`: a due date relative to the clock (time-zone free)."""
    if when is None:
        return ""
    delta = when - now
    if abs(delta.total_seconds()) < 60:
        return "now"
    return f"in {format_interval(delta)}" if delta.total_seconds() > 0 else f"{format_interval(-delta)} ago"


def flags(card: CardView) -> str:
    marks = [
        ("demo", card.demo_id is not None),
        ("susp", card.suspended),
        ("leech", card.leech),
        ("flag", card.flag > 0),
        ("ret", card.retired),
    ]
    return " ".join(name for name, on in marks if on)


def due_cell(card: CardView, now: datetime) -> Text:
    if card.state == 0:
        return Text("")
    text = relative(card.due, now)
    overdue = card.due is not None and card.due <= now
    return Text(text, style="bold" if overdue else "")


def row_cells(card: CardView, now: datetime, widths: dict[str, int]) -> tuple[object, ...]:
    """The table cells of one card (the columns `widths` shows)."""
    dim = "dim" if card.suspended or card.retired else ""
    cells = {
        "deck": lambda: Text(clip(card.deck, widths["deck"]), style=dim),
        "section": lambda: Text(clip(card.section, widths["section"]), style=dim),
        "question": lambda: Text(clip(shown_line(card.question), widths["question"]), style=dim),
        "state": lambda: Text(STATE_NAMES.get(card.state, "?"), style=STATE_STYLES.get(card.state, "")),
        "due": lambda: due_cell(card, now),
        "flags": lambda: Text(flags(card), style="yellow"),
    }
    return tuple(cells[name]() for name in shown_columns(widths))


def count_line(shown: int, total: int, problems: tuple[str, ...]) -> Text:
    """`500 of 12,345 cards`, plus any query problems."""
    if total == 0:
        text = Text("no cards match")
    elif shown < total:
        text = Text(f"{shown:,} of {total:,} cards (refine the query to see the rest)")
    else:
        text = Text(plural(total, "card"))
    for problem in problems:
        text.append(f"  · {problem}", style="bold yellow")
    return text


def card_markdown(card: CardView) -> str:
    return f"{card.question}\n\n---\n\n{card.answer}"


def card_meta(card: CardView) -> Text:
    """Deck › section and source line; below, the demo and the tags (a line of their own, cut
    with an ellipsis rather than wrapped mid-list at 80 columns)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(card.deck, style="bold")
    if card.section:
        text.append(f" › {card.section}", style="bold")
    text.append(f"   {PurePath(card.source_path).name}:{card.source_line}", style="dim")
    extras = ([("demo: " + card.demo_id, "magenta")] if card.demo_id else []) + (
        [("tags: " + " ".join(card.tags), "cyan")] if card.tags else []
    )
    if extras:
        text.append("\n")
        for i, (part, style) in enumerate(extras):
            text.append(("   " if i else "") + part, style=style)
    return text


def schedule_line(detail: CardDetail, now: datetime) -> Text:
    """State, due, stability, difficulty, reps, lapses and flags, on one line."""
    card = detail.card
    text = Text()
    text.append(STATE_NAMES.get(card.state, "?"), style=STATE_STYLES.get(card.state, ""))
    parts = []
    if card.state != 0 and card.due is not None:
        parts.append(f"due {relative(card.due, now)}")
    if detail.stability is not None:
        parts.append(f"stability {detail.stability:.1f}d")
    if detail.difficulty is not None:
        parts.append(f"difficulty {detail.difficulty:.1f}")
    parts += [f"reps {detail.reps}", f"lapses {detail.lapses}"]
    text.append("  ·  " + "  ·  ".join(parts))
    if flags(card):
        text.append(f"  ·  {flags(card)}", style="yellow")
    return text


def history_cells(entry: ReviewEntry) -> tuple[object, ...]:
    """Date (local), rating, interval it set, time taken."""
    rating = int(entry.rating)
    interval = format_interval(entry.interval) if entry.interval is not None else ""
    seconds = f"{entry.duration_ms / 1000:.1f}s" if entry.duration_ms is not None else ""
    return (
        entry.reviewed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        Text(RATING_NAMES.get(rating, str(rating)), style=RATING_STYLES.get(rating, "")),
        interval,
        seconds,
        STATE_NAMES.get(int(entry.state_after), "?"),
    )
