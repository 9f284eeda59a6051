"""Pair the cards read from deck files with the cards in the store (rules in docs/deck-format.md).

Pure functions over plain values: explicit id first, then identical content,
then similar content among what is left; anything unpaired is new (parsed side)
or to be retired (stored side).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from studydl.domain.cards import ParsedCard, normalize

SIDE_SIMILARITY = 0.8
"""Front or back alone this similar: the same card with the other side reworded."""
CARD_SIMILARITY = 0.6
"""Front and back together this similar: the same card, edited."""
EXACT_FRONT_BONUS = 0.5
EXACT_BACK_BONUS = 0.3
"""Added to a pair's score when its front (or back) is unchanged word for word."""
MAX_PAIRS = 400_000
"""Above this many candidate pairs, similarity is only tried within the same deck file."""


@dataclass(frozen=True)
class StoredCard:
    """What matching needs to know of a stored card."""

    id: int
    uid: str
    kind: str
    ordinal: int
    question: str
    answer: str
    content_hash: str
    source_path: str
    source_line: int
    retired: bool


@dataclass(frozen=True)
class Incoming:
    """A parsed card with the deck file it came from."""

    path: str
    card: ParsedCard


@dataclass
class Matching:
    pairs: dict[int, int]
    """Index into the incoming list -> stored card id."""
    new: list[int]
    """Incoming indexes with no stored card."""
    unmatched: list[int]
    """Stored ids nothing paired with (to retire if active)."""


def match(incoming: list[Incoming], stored: list[StoredCard]) -> Matching:
    """Pair incoming with stored cards: explicit id, then same content, then similar content."""
    pairs: dict[int, int] = {}
    free = {s.id: s for s in stored}

    by_uid = {s.uid: s.id for s in stored}
    for i, item in enumerate(incoming):
        sid = by_uid.get(item.card.explicit_id or "")
        if sid is not None and sid in free:
            pairs[i] = sid
            del free[sid]

    by_hash: dict[str, list[StoredCard]] = {}
    for s in free.values():
        by_hash.setdefault(s.content_hash, []).append(s)
    for i, item in enumerate(incoming):
        if i in pairs:
            continue
        candidates = [s for s in by_hash.get(item.card.content_hash, ()) if s.id in free]
        if not candidates:
            continue
        best = min(candidates, key=lambda s: _placement_cost(item, s))
        pairs[i] = best.id
        del free[best.id]

    leftovers = [i for i in range(len(incoming)) if i not in pairs]
    if leftovers and free:
        pairs.update(_pair_similar(incoming, leftovers, list(free.values())))
        for sid in pairs.values():
            free.pop(sid, None)

    new = [i for i in range(len(incoming)) if i not in pairs]
    return Matching(pairs=pairs, new=new, unmatched=list(free))


def _placement_cost(item: Incoming, stored: StoredCard) -> tuple[int, int, int]:
    """Prefer an active card, in the same file, near the old line."""
    return (int(stored.retired), int(stored.source_path != item.path), abs(stored.source_line - item.card.line))


def _pair_similar(incoming: list[Incoming], leftovers: list[int], free: list[StoredCard]) -> dict[int, int]:
    same_file_only = len(leftovers) * len(free) > MAX_PAIRS
    scored: list[tuple[float, int, int, int]] = []
    texts = {s.id: (normalize(s.question), normalize(s.answer)) for s in free}
    for i in leftovers:
        item = incoming[i]
        q, a = normalize(item.card.question), normalize(item.card.answer)
        for s in free:
            if s.kind != item.card.kind or (same_file_only and s.source_path != item.path):
                continue
            sq, sa = texts[s.id]
            score = _similarity(q, a, sq, sa)
            if score is not None:
                # One side kept word for word is the strongest sign of the same card
                # (its other side was edited), above any fuzzy score.
                # Short answers repeat across cards more than questions do: the front counts more.
                exact = EXACT_FRONT_BONUS * (q == sq) + EXACT_BACK_BONUS * (a == sa)
                bonus = exact + 0.01 * (s.ordinal == item.card.ordinal) + 0.005 * (not s.retired)
                scored.append((score + bonus, -abs(s.source_line - item.card.line), i, s.id))
    scored.sort(reverse=True)
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _score, _near, i, sid in scored:
        if i in chosen or sid in taken:
            continue
        chosen[i] = sid
        taken.add(sid)
    return chosen


def _ratio(a: str, b: str, floor: float) -> float:
    """difflib's ratio, skipping the full computation when its cheap upper bounds are below `floor`."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < floor or m.quick_ratio() < floor:
        return 0.0
    return m.ratio()


def _similarity(q: str, a: str, sq: str, sa: str) -> float | None:
    """Score of a pair when it is similar enough to be the same card, else None."""
    whole = _ratio(f"{q}\n{a}", f"{sq}\n{sa}", CARD_SIMILARITY)
    if whole >= CARD_SIMILARITY:
        return whole
    if _ratio(q, sq, SIDE_SIMILARITY) >= SIDE_SIMILARITY or _ratio(a, sa, SIDE_SIMILARITY) >= SIDE_SIMILARITY:
        return max(whole, 0.5)
    return None
