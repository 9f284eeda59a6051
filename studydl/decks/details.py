"""Details blocks (`demo:`, `id:`, `tags:` lines) and the checks over a whole deck's cards.

Pure functions the deck reader calls: read a details block into its values or
one problem, give a note's cards their details, find duplicate cards and ids.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from studydl.decks.check_syntax import CHECK_KEYS, CheckSyntaxError, read_check
from studydl.domain.cards import CardKind, ParsedCard

DETAIL_LINE = re.compile(r"^(demo|id|tags|answer|predict|tolerance|choices|set|vary|expect)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def split_tags(value: object) -> tuple[str, ...]:
    """Tags from a YAML list or a space/comma separated string, `#` optional."""
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value or ""))
    return tuple(dict.fromkeys(str(t).strip().lstrip("#") for t in items if str(t).strip().lstrip("#")))


def is_details(block: list[str]) -> bool:
    return bool(block) and all(DETAIL_LINE.match(raw.strip()) for raw in block)


def read_details(start: int, block: list[str], known_demos: Collection[str] | None) -> tuple[dict[str, str], tuple[int, str] | None]:
    """The block's values, or the (line, message) of its first problem."""
    details: dict[str, str] = {}
    for offset, raw in enumerate(block):
        key, value = DETAIL_LINE.match(raw.strip()).groups()  # type: ignore[union-attr]
        key = key.lower()
        line = start + offset + 1
        if key in details:
            return details, (line, f"`{key}:` given twice")
        if not value:
            return details, (line, f"`{key}:` needs a value")
        if key == "demo" and known_demos is not None and value not in known_demos:
            known = ", ".join(sorted(known_demos)) or "none"
            return details, (line, f"unknown demo {value!r} (known demos: {known})")
        if key == "id" and not _ID.match(value):
            return details, (line, f"bad id {value!r}: use letters, digits, '-', '_' or '.' (at most 80)")
        details[key] = value
    return details, None


def apply_details(
    cards: list[ParsedCard], note: list[int], details: dict[str, str], catalogue: Collection[str] | None = None
) -> tuple[str, str] | None:
    """Give the cards of one note (indexes into `cards`) the block's demo, tags, id and check.

    For a note of several cards, the id names the first; the reverse of a `:::` card is
    `<id>/reverse` and the n-th cloze `<id>/<n>`. Returns the problem with the block's
    `answer:`/`predict:` lines as (key, message) (nothing is applied then), or None.
    """
    checks = {}
    if any(key in details for key in CHECK_KEYS):
        for index in note:
            card = cards[index]
            try:
                checks[index] = read_check(
                    details, kind=str(card.kind), demo_id=details.get("demo", card.demo_id), catalogue=catalogue
                )
            except CheckSyntaxError as exc:
                return exc.key, str(exc)
    extra_tags = split_tags(details.get("tags"))
    for position, index in enumerate(note):
        card = cards[index]
        explicit = details.get("id")
        if explicit and len(note) > 1:
            explicit = explicit if position == 0 and card.kind is not CardKind.CLOZE else (
                f"{explicit}/reverse" if card.kind is CardKind.REVERSE else f"{explicit}/{card.ordinal + 1}"
            )
        check = checks.get(index, card.check)
        cards[index] = replace(
            card,
            kind=CardKind.PREDICT if check.predict is not None else card.kind,
            demo_id=details.get("demo", card.demo_id),
            tags=tuple(dict.fromkeys((*card.tags, *extra_tags))),
            explicit_id=explicit or card.explicit_id,
            check=check,
        )
    return None


def duplicate_problems(cards: list[ParsedCard]) -> list[tuple[int, str]]:
    """(line, message) for each card identical to an earlier one, and each id used twice."""
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    ids: dict[str, int] = {}
    for card in cards:
        first = seen.setdefault(card.content_hash, card.line)
        if first != card.line:
            problems.append((card.line, f"duplicate card: same as the card at line {first}"))
        if card.explicit_id:
            first_id = ids.setdefault(card.explicit_id, card.line)
            if first_id != card.line:
                problems.append((card.line, f"id {card.explicit_id!r} already used at line {first_id}"))
    return problems
