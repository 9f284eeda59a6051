"""Pair the cards read from deck files with the cards in the store (rules in docs/deck-format.md).

Pure functions over plain values: explicit id first, then identical content,
then edited content among what is left (the same question, `evidence.same_card`),
then the siblings of a card recognised (the other side of a `:::` line, the other
gaps of a cloze paragraph); anything unpaired is new (parsed side) or to be retired
(stored side). A tie never picks: both sides stay unpaired (a lost history can be
brought back with an explicit `id:`, a wrong one grafted cannot be undone).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from studydl.decks.evidence import cloze_gap, same_card, same_question
from studydl.domain.cards import CardKind, ParsedCard

MAX_PAIRS = 400_000
"""Above this many candidate pairs, edits are only looked for within the same deck file."""


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
    note_uid: str = ""
    """Shared by siblings (the two sides of a `:::` line, the gaps of a cloze paragraph)."""


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
    """Pair incoming with stored cards: explicit id, same content, the same question, then siblings."""
    pairs: dict[int, int] = {}
    free = {s.id: s for s in stored}

    by_uid = {s.uid: s.id for s in stored}
    for i, item in enumerate(incoming):
        sid = by_uid.get(item.card.explicit_id or "")
        if sid is not None and sid in free:
            pairs[i] = sid
            del free[sid]

    known = {s.id: s for s in stored}
    _take(pairs, free, _pair_same_content(incoming, pairs, free))
    _take(pairs, free, _pair_edited(incoming, pairs, free))
    _take(pairs, free, _pair_siblings(incoming, pairs, free, known))

    new = [i for i in range(len(incoming)) if i not in pairs]
    return Matching(pairs=pairs, new=new, unmatched=list(free))


def _take(pairs: dict[int, int], free: dict[int, StoredCard], found: dict[int, int]) -> None:
    for i, sid in found.items():
        pairs[i] = sid
        del free[sid]


def _placement_cost(item: Incoming, stored: StoredCard) -> tuple[int, int, int, int]:
    """Among cards with the same content: an active one before a retired one, then one in the
    same deck, then one with history, then the nearest the old line. So a history never jumps
    to another deck's identical card, and a retired duplicate never replaces a card still there."""
    return (
        int(stored.retired),
        int(stored.deck != item.deck),
        int(not stored.has_history),
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


def _pair_edited(incoming: list[Incoming], paired: dict[int, int], free: dict[int, StoredCard]) -> dict[int, int]:
    """The same question (equal or retyped) and kind: the best evidence first, ties pairing neither.

    Evidence ranks an unchanged question first, then the same deck, then the answer
    (unchanged, then the more alike), then the same sibling position, then an active card
    (one that disappeared in this sync) before a retired one."""
    leftovers = [i for i in range(len(incoming)) if i not in paired]
    same_deck_only = len(leftovers) * len(free) > MAX_PAIRS
    scored: list[tuple[tuple, int, int]] = []
    for i in leftovers:
        item = incoming[i]
        card = item.card
        for s in free.values():
            if s.kind != card.kind or (same_deck_only and s.deck != item.deck):
                continue
            evidence = same_card(s.question, s.answer, card.question, card.answer)
            if evidence is None:
                continue
            rank = (
                evidence.question_equal, s.deck == item.deck, evidence.answer_equal, evidence.answer_ratio,
                s.ordinal == card.ordinal, not s.retired,
            )  # fmt: skip
            scored.append((rank, i, s.id))
    return _best_pairs(scored)


SIBLING_KINDS = frozenset({CardKind.TERM, CardKind.REVERSE, CardKind.CLOZE})


def _pair_siblings(incoming: list[Incoming], paired: dict[int, int], free: dict[int, StoredCard], known: dict[int, StoredCard]) -> dict[int, int]:
    """Siblings follow a sibling recognised: once one card of a `:::` line or a cloze paragraph is
    paired, its other cards pair with the unpaired cards of that stored note asking the same
    thing: the other side of the line, or the gap hiding the same text (retyped at most)."""
    recognised: dict[tuple[str, int], set[str]] = defaultdict(set)
    for i, sid in paired.items():
        if known[sid].note_uid:
            recognised[(incoming[i].deck, incoming[i].card.note_key)].add(known[sid].note_uid)
    by_note: dict[str, list[StoredCard]] = defaultdict(list)
    for s in free.values():
        by_note[s.note_uid].append(s)
    scored = []
    for i, item in enumerate(incoming):
        card = item.card
        if i in paired or card.kind not in SIBLING_KINDS:
            continue
        for uid in recognised.get((item.deck, card.note_key), ()):
            for s in by_note.get(uid, ()):
                if s.kind != card.kind:
                    continue
                if card.kind == CardKind.CLOZE and not same_question(cloze_gap(s.question, s.answer), cloze_gap(card.question, card.answer)):
                    continue
                scored.append(((s.ordinal == card.ordinal, not s.retired), i, s.id))
    return _best_pairs(scored)


def likely_rewordings(added: list[Incoming], retired: list[StoredCard]) -> dict[int, int]:
    """New cards that may be retired cards reworded: same deck and kind, nearest the old line
    (ties pair nothing). Only a hint for the learner (an `id:` line keeps the history), never a pairing."""
    scored = [
        (-abs(old.source_line - item.card.line), i, j)
        for i, item in enumerate(added)
        for j, old in enumerate(retired)
        if old.deck == item.deck and old.kind == item.card.kind
    ]
    return _best_pairs(scored)


def _best_pairs(scored: Iterable[tuple[tuple, int, int]]) -> dict[int, int]:
    """Greedy by rank, highest first; candidates tied for the same card (either side) pair neither."""
    ordered = sorted(scored, key=lambda t: t[0], reverse=True)
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    blocked_in: set[int] = set()
    blocked_st: set[int] = set()
    start = 0
    while start < len(ordered):
        end = start
        while end < len(ordered) and ordered[end][0] == ordered[start][0]:
            end += 1
        group = [(i, sid) for _rank, i, sid in ordered[start:end] if i not in chosen and sid not in taken]
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
