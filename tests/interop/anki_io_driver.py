"""Anki's own backend importing and exporting packages, at a faked wall-clock time (anki_io.py runs it as a module).

Runs in a subprocess under libfaketime with TZ set to the learner's zone, as
tests/engine/anki_driver.py does, so Anki's Rust backend counts days in that zone.

stdin (JSON):
  {"action": "import", "package": path, "now": epoch_s}
      a new collection imports the package with scheduling (Anki's "Import" with
      "Import any learning progress" on), at `now`;
  {"action": "export", "package": path, "now": epoch_s, "decks": [...], "notes": [...]}
      a new collection (FSRS on) gets the notes, answers them at their times with
      Anki's scheduler, suspends and flags, then exports with scheduling at `now`.
      A note: {"deck", "notetype", "fields", "answers": {ord: [[epoch_s, rating, ms], ...]},
      "suspend": [ord...], "flag": {ord: n}}.
stdout: the collection as Anki shows it afterwards: deck names, and per card its note
(guid, note type, fields, question template), deck, scheduling columns, FSRS memory
state, the due date the browser shows, and its revlog rows.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date, datetime, timedelta

from tests.engine.anki_driver import set_clock


def main() -> None:
    job = json.load(sys.stdin)
    set_clock(job["now"] if job["action"] == "import" else min([job["now"], *_times(job)]) - 86_400)

    from anki.collection import Collection

    col = Collection(os.path.join(tempfile.mkdtemp(prefix="anki-io-"), "collection.anki2"))
    col.set_config("rollover", 4)
    if job["action"] == "import":
        _import(col, job)
    else:
        _build_and_export(col, job)
    json.dump(_dump(col), sys.stdout)
    col.close()


def _times(job: dict) -> list[int]:
    return [a[0] for note in job["notes"] for answers in note["answers"].values() for a in answers]


def _import(col, job: dict) -> None:  # noqa: ANN001 - anki.collection.Collection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, merge_notetypes=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=job["package"], options=options))


def _build_and_export(col, job: dict) -> None:  # noqa: ANN001
    from anki.collection import ExportAnkiPackageOptions

    col.set_config("fsrs", True)
    answers = []
    for note_spec in job["notes"]:
        note = col.new_note(col.models.by_name(note_spec["notetype"]))
        for name, value in note_spec["fields"].items():
            note[name] = value
        col.add_note(note, col.decks.id(note_spec["deck"]))
        cards = {card.ord: card.id for card in note.cards()}
        for ordinal, given in note_spec["answers"].items():
            answers += [(at, cards[int(ordinal)], rating, ms) for at, rating, ms in given]
        note_spec["card_ids"] = cards
    for at, card_id, rating, ms in sorted(answers):
        set_clock(at)
        card = col.get_card(card_id)
        card.start_timer()
        states = col._backend.get_scheduling_states(card_id)
        answer = col.sched.build_answer(card=card, states=states, rating=rating - 1)
        answer.answered_at_millis = at * 1000
        answer.milliseconds_taken = ms
        col.sched.answer_card(answer)
    set_clock(job["now"])
    for note_spec in job["notes"]:
        ids = note_spec["card_ids"]
        if note_spec.get("suspend"):
            col.sched.suspend_cards([ids[int(o)] for o in note_spec["suspend"]])
        for ordinal, flag in note_spec.get("flag", {}).items():
            col.set_user_flag_for_cards(flag, [ids[int(ordinal)]])
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False)
    col.export_anki_package(out_path=job["package"], options=options, limit=None)


def _dump(col) -> dict:  # noqa: ANN001
    timing = col._backend.sched_timing_today()
    now = datetime.now()
    cards = []
    for card_id in sorted(col.find_cards("")):
        card = col.get_card(card_id)
        note = card.note()
        notetype = note.note_type()
        template = notetype["tmpls"][0 if notetype["type"] == 1 else card.ord]
        due = card.odue if card.odid else card.due
        if card.queue in (2, 3) or (card.queue == -1 and card.type == 2):
            shown = (now + timedelta(days=due - timing.days_elapsed)).date().isoformat()
        elif card.type in (1, 3):
            shown = datetime.fromtimestamp(due).isoformat()
        else:
            shown = None
        memory = card.memory_state
        cards.append(
            {
                "id": card.id, "guid": note.guid, "notetype": notetype["name"], "ord": card.ord,
                "fields": dict(note.items()), "qfmt": template["qfmt"], "tags": note.tags,
                "deck": col.decks.name(card.odid or card.did),
                "type": card.type, "queue": card.queue, "due": due, "ivl": card.ivl, "factor": card.factor,
                "reps": card.reps, "lapses": card.lapses, "left": card.left, "flags": card.user_flag(),
                "stability": memory.stability if memory else None, "difficulty": memory.difficulty if memory else None,
                "due_shown": shown,
                "revlog": col.db.all(
                    "select id, ease, ivl, lastIvl, factor, time, type from revlog where cid = ? order by id", card.id
                ),
            }
        )
    return {
        "decks": sorted(d.name for d in col.decks.all_names_and_ids()),
        "today": (date.fromtimestamp(timing.next_day_at) - timedelta(days=1)).isoformat(),
        "cards": cards,
    }


if __name__ == "__main__":
    main()
