"""Pair the cards read from deck files with the cards in the store (rules in docs/deck-format.md).

Pure functions over plain values: explicit id first, then identical content,
then edited content among what is left, by the question-side evidence of
`evidence.same_card`; anything unpaired is new (parsed side) or to be retired
(stored side). A tie never picks: both sides stay unpaired (a lost history can be
brought back with an explicit `id:`, a wrong one grafted cannot be undone).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from studydl.decks.evidence import same_card
from studydl.domain.cards import ParsedCard

MAX_PAIRS = 400_000
"""Above this many candidate pairs, edits are only looked for within the same deck file."""
ORDINAL_BONUS = 0.01
ACTIVE_BONUS = 0.005
"""Small preferences between otherwise equal candidates: the same sibling position; a card
that disappeared in this sync over one retired earlier."""


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
    deck: str
    """The deck's key (`root/rel_path`)."""
    source_line: int
    retired: bool
    has_history: bool = False


@dataclass(frozen=True)
class Incoming:
    """A parsed card with the deck (key) it came from."""

    deck: str
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
    """Pair incoming with stored cards: explicit id, then same content, then edited content."""
    pairs: dict[int, int] = {}
    free = {s.id: s for s in stored}

    by_uid = {s.uid: s.id for s in stored}
    for i, item in enumerate(incoming):
        sid = by_uid.get(item.card.explicit_id or "")
        if sid is not None and sid in free:
            pairs[i] = sid
            del free[sid]

    for i, sid in _pair_same_content(incoming, pairs, free).items():
        pairs[i] = sid
        del free[sid]

    leftovers = [i for i in range(len(incoming)) if i not in pairs]
    if leftovers and free:
        for i, sid in _pair_edited(incoming, leftovers, list(free.values())).items():
            pairs[i] = sid
            del free[sid]

    new = [i for i in range(len(incoming)) if i not in pairs]
    return Matching(pairs=pairs, new=new, unmatched=list(free))


def _placement_cost(item: Incoming, stored: StoredCard) -> tuple[int, int, int, int]:
    """Among cards with the same content: one with history, active, in the same deck, near the old line."""
    return (
        int(not stored.has_history),
        int(stored.retired),
        int(stored.deck != item.deck),
        abs(stored.source_line - item.card.line),
    )


def _pair_same_content(incoming: list[Incoming], paired: dict[int, int], free: dict[int, StoredCard]) -> dict[int, int]:
    """Identical kind, question and answer: the same card wherever it moved (cheapest placement first)."""
    by_hash: dict[str, list[StoredCard]] = defaultdict(list)
    for s in free.values():
        by_hash[s.content_hash].append(s)
    candidates = []
    for i, item in enumerate(incoming):
        if i in paired:
            continue
        for s in by_hash.get(item.card.content_hash, ()):
            candidates.append((_placement_cost(item, s), i, s.id))
    candidates.sort()
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _cost, i, sid in candidates:
        if i not in chosen and sid not in taken:
            chosen[i] = sid
            taken.add(sid)
    return chosen


def _pair_edited(incoming: list[Incoming], leftovers: list[int], free: list[StoredCard]) -> dict[int, int]:
    """Best-evidenced pairs first; a pair tied with another for the same card pairs neither."""
    same_deck_only = len(leftovers) * len(free) > MAX_PAIRS
    scored: list[tuple[float, int, int]] = []
    for i in leftovers:
        card = incoming[i].card
        for s in free:
            if s.kind != card.kind or (same_deck_only and s.deck != incoming[i].deck):
                continue
            evidence = same_card(s.kind, s.question, s.answer, card.question, card.answer)
            if evidence is None or (s.retired and not evidence.question_matches):
                continue
            bonus = ORDINAL_BONUS * (s.ordinal == card.ordinal) + ACTIVE_BONUS * (not s.retired)
            scored.append((evidence.score + bonus, i, s.id))
    scored.sort(key=lambda t: -t[0])
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    blocked_in: set[int] = set()
    blocked_st: set[int] = set()
    start = 0
    while start < len(scored):
        end = start
        while end < len(scored) and scored[end][0] == scored[start][0]:
            end += 1
        group = [(i, sid) for _score, i, sid in scored[start:end] if i not in chosen and sid not in taken]
        group = [(i, sid) for i, sid in group if i not in blocked_in and sid not in blocked_st]
        per_in: dict[int, int] = defaultdict(int)
        per_st: dict[int, int] = defaultdict(int)
        for i, sid in group:
            per_in[i] += 1
            per_st[sid] += 1
        for i, sid in group:
            if per_in[i] > 1 or per_st[sid] > 1:  # a tie: neither side can tell which is which
                blocked_in.add(i)
                blocked_st.add(sid)
            else:
                chosen[i] = sid
                taken.add(sid)
        start = end
    return chosen
