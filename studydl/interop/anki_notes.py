"""Anki notes -> imported cards: basic, reversed and cloze notes, deck paths as sections, tags, history.

Any note type with ordinary templates is read by what its templates show: the
fields a card's question template names make its question, the other fields its
answer template names make its answer. Two cards of one note that are each
other's reverse become one two-way card. Cloze notes become a cloze paragraph;
Anki's `{{c1::text::hint}}` becomes our `{{text::hint}}`.
"""

from __future__ import annotations

import re
from pathlib import Path

from studydl.decks.parser import deck_name_from_path
from studydl.domain.days import StudyDays
from studydl.interop.anki_collection import AnkiCard, AnkiNote, Collection, NoteType
from studydl.interop.anki_sched import NEW_STATE, AnkiDays, card_history
from studydl.interop.html_to_md import html_to_markdown
from studydl.interop.md_escape import gap_text, protect_braces
from studydl.interop.notetype_names import ONE_LINE
from studydl.interop.result import CardHistory, ImportedCard, ImportFailed, ImportResult

_FIELD_REF = re.compile(r"\{\{(?![#/^!])([^{}]+?)\}\}")
_SPECIAL = {"frontside", "tags", "deck", "subdeck", "card", "cardflag", "type"}
_ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*?))?\}\}", re.DOTALL)


def read_anki_collection(
    path: Path, collection: Collection, media: int, days: StudyDays, steps: tuple[int, int] = (2, 1)
) -> ImportResult:
    """Every note of the collection as imported cards, with its cards' history in the learner's study days.

    Each card names its top-level deck (`ImportedCard.deck`; "" for Anki's Default)
    and the subdecks below it are its section: `ImportResult.by_deck` makes one deck
    file of each top-level deck.
    """
    paths = _deck_paths(collection)
    used = {card.odid or card.did for cards in collection.cards.values() for card in cards}
    tops = {_top(paths.get(did, [])) for did in used}
    name = next(iter(tops)) if len(tops) == 1 and "" not in tops else deck_name_from_path(path)
    result = ImportResult(path, "apkg", name)
    try:
        clock = AnkiDays.of(collection, days, steps)
    except (ValueError, OverflowError, OSError) as exc:
        raise ImportFailed(f"{path}: the collection's creation time ({collection.crt}) is not a date ({exc})") from exc
    reader = _NoteReader(result, collection, clock)
    for note in collection.notes:
        cards = collection.cards.get(note.id, [])
        deck_path = paths.get(cards[0].odid or cards[0].did, []) if cards else []
        reader.read(note, cards, " / ".join(deck_path[1:]), _top(deck_path))
    if media or reader.media:
        count = max(media, reader.media)
        result.notes.append(f"{count} media files/references left out (images and sounds are not imported)")
    if reader.out_of_range:
        result.notes.append(f"{reader.out_of_range} cards have dates outside the calendar: they came in new, without their history")
    if reader.repeated_gaps:
        result.notes.append(
            f"{reader.repeated_gaps} cloze notes hide one number in several places; each place became its own card"
        )
    return result


def _top(deck_path: list[str]) -> str:
    """The top-level deck of a deck path; "" for Anki's Default deck (its cards take the file's name)."""
    return deck_path[0] if deck_path and deck_path[0] != "Default" else ""


def _deck_paths(collection: Collection) -> dict[int, list[str]]:
    return {did: [part.strip() for part in name.split("::") if part.strip()] for did, name in collection.decks.items()}


class _NoteReader:
    def __init__(self, result: ImportResult, collection: Collection, clock: AnkiDays) -> None:
        self.deck = ""
        """The top-level deck of the note being read."""
        self.result = result
        self.collection = collection
        self.clock = clock
        self.media = 0
        self.repeated_gaps = 0
        self.out_of_range = 0

    def read(self, note: AnkiNote, cards: list[AnkiCard], section: str, deck: str) -> None:
        where = f"note {note.id}"
        self.deck = deck
        notetype = self.collection.notetypes.get(note.mid)
        if notetype is None:
            self.result.skip(None, f"unknown note type {note.mid}", where)
            return
        if not cards:
            self.result.skip(None, "note has no cards", where)
            return
        fields = {}
        for name, raw in zip(notetype.fields, note.fields, strict=False):
            converted = html_to_markdown(raw)
            self.media += converted.media
            fields[name] = converted.text
        if notetype.cloze:
            self._cloze(note, notetype, cards, fields, section, where)
        else:
            self._standard(note, notetype, cards, fields, section, where)

    def _history(self, card: AnkiCard) -> CardHistory:
        """The card's state and log; a card whose dates fall outside the calendar comes in new, counted in a remark."""
        try:
            return card_history(card, self.collection.revlog.get(card.id, []), self.clock)
        except (ValueError, OverflowError, OSError):
            self.out_of_range += 1
            return CardHistory(NEW_STATE)

    def _standard(self, note: AnkiNote, notetype: NoteType, cards: list[AnkiCard], fields: dict[str, str], section: str, where: str) -> None:
        """Question: the fields the question template shows; answer: the field it asks to type
        (`{{type:Back}}`), then the other fields the answer template shows."""
        sides: list[tuple[AnkiCard, str, str, bool]] = []
        for card in cards:
            qfmt, afmt = notetype.templates[card.ord] if card.ord < len(notetype.templates) else notetype.templates[0]
            q_names = _refs(qfmt, fields)
            typed = _refs(qfmt, fields, "type")
            a_names = [n for n in dict.fromkeys(typed + _refs(afmt, fields) + _refs(afmt, fields, "type")) if n not in q_names]
            question = "\n\n".join(fields[n] for n in q_names if fields[n])
            answer = "\n\n".join(fields[n] for n in a_names if fields[n])
            if not question or not answer:
                side = "question" if not question else "answer"
                self.result.skip(None, f"card {card.ord + 1} ({notetype.name}): {side} is empty once media is left out", where)
                continue
            sides.append((card, question, answer, bool(typed)))
        common = dict(section=section, tags=note.tags, where=where, deck=self.deck)
        if len(sides) == 2 and (sides[0][1], sides[0][2]) == (sides[1][2], sides[1][1]) and sides[0][3] == sides[1][3]:
            (first, q, a, typed), (second, *_) = sides
            history = {0: self._history(first), 1: self._history(second)}
            self._add(ImportedCard(q, a, both_ways=True, typed=typed, history=history, **common))
            return
        one_line = notetype.name in ONE_LINE  # our own export of `term :: definition` cards
        for card, question, answer, typed in sides:
            self._add(ImportedCard(question, answer, one_line=one_line, typed=typed, history={0: self._history(card)}, **common))

    def _cloze(self, note: AnkiNote, notetype: NoteType, cards: list[AnkiCard], fields: dict[str, str], section: str, where: str) -> None:
        qfmt = notetype.templates[0][0] if notetype.templates else ""
        cloze_field = next((n for n in _refs(qfmt, fields, "cloze")), notetype.fields[0] if notetype.fields else "")
        typed = bool(_refs(qfmt, fields, "type"))
        text = fields.get(cloze_field, "")
        out: list[str] = []
        pos = 0
        numbers: list[int] = []
        for match in _ANKI_CLOZE.finditer(text):
            body = html_to_markdown(match.group(2)).text if "<" in match.group(2) else match.group(2)
            hint = match.group(3)
            out.append(protect_braces(text[pos : match.start()]))
            out.append("{{" + gap_text(body) + (f"::{gap_text(hint)}" if hint and hint.strip() else "") + "}}")
            numbers.append(int(match.group(1)))
            pos = match.end()
        if not numbers:
            self.result.skip(None, "cloze note without any {{c1::...}} gap", where)
            return
        out.append(protect_braces(text[pos:]))
        extra = [n for n in notetype.fields if n != cloze_field and fields.get(n)]
        if extra:
            self.result.skip(None, f"field {', '.join(extra)} of the cloze note left out (a cloze card has no extra side)", where)
        if len(set(numbers)) < len(numbers):
            self.repeated_gaps += 1
        by_ord = {card.ord: card for card in cards}
        history = {}
        seen: set[int] = set()
        for position, number in enumerate(numbers):
            card = by_ord.get(number - 1)
            if card is not None and number not in seen:
                history[position] = self._history(card)
            seen.add(number)
        self._add(
            ImportedCard(
                "".join(out).strip(), cloze=True, typed=typed, section=section, tags=note.tags, where=where, deck=self.deck, history=history
            )
        )

    def _add(self, card: ImportedCard) -> None:
        self.result.cards.append(card)


def _refs(template: str, fields: dict[str, str], kind: str = "") -> list[str]:
    """Field names a template shows, in order (filters like `text:` stripped; specials skipped).

    `kind` "" : the fields shown as they are (not `{{type:...}}`, which shows a typed
    answer's comparison); "type": the fields the learner types (`{{type:Back}}`,
    `{{type:cloze:Text}}`); "cloze": the fields shown as clozes (`{{cloze:Text}}`).
    """
    names: list[str] = []
    for match in _FIELD_REF.finditer(template):
        spec = match.group(1).strip()
        filters = [f.strip() for f in spec.split(":")[:-1]]
        if (kind == "type") != ("type" in filters) or (kind == "cloze" and "cloze" not in filters):
            continue
        name = spec.rsplit(":", 1)[-1].strip()
        if name.lower() in _SPECIAL or name not in fields or name in names:
            continue
        names.append(name)
    return names
