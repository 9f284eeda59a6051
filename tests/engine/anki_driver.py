"""Anki's own backend answering scripted histories at chosen wall-clock times.

Run by tests/engine/anki_parity.py in a subprocess under libfaketime, with TZ set to
the learner's zone: both Anki's Python layer and its Rust backend (which reads the
clock and the local zone itself) see the faked time. The clock is moved before each
answer by writing a relative offset to $FAKETIME_TIMESTAMP_FILE (re-read on every
call, FAKETIME_NO_CACHE=1), so one process answers every history of a batch.

stdin: {"config": {...}, "histories": [{"card_id": int, "answers": [[epoch_s, rating], ...],
"deck": name, "note": key}, ...]}; histories sharing a note key are the two cards of one
"Basic (and reversed card)" note, and each deck may have a preset of its own
(`config["decks"]`: deck name -> options over the batch's).
stdout: one JSON list, per answer in time order: the card, the answer's index in its
history, the four buttons' intervals Anki offered, and the card as stored afterwards.

With `config["load_balancer"]`, Anki's load balancer (built with its study queues) and
Easy Days decide review intervals: before each answer the queues are dropped (toggling
the collection's load-balancer switch off and on, an op that clears them) and built
afresh, so the balancer counts the cards as stored at that moment, and dropped again
before the answer is saved (Anki refuses an answer to a card not at the top of its
queue). New cards keep queue positions far past any day number: Anki's balancer counts
every card whose `due` falls in its day range, and a new card's `due` is its position.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

_offset = 0


def set_clock(target: int) -> None:
    """Fake the wall clock to [target, target + 1) seconds (a relative offset; the clock runs)."""
    global _offset
    real = time.time() - _offset
    _offset = math.ceil(target - real)
    Path(os.environ["FAKETIME_TIMESTAMP_FILE"]).write_text(f"{_offset:+d}\n", encoding="ascii")


def button(state) -> list:  # noqa: ANN001 - anki.scheduler_pb2.SchedulingState
    """["secs", n] or ["days", n]: what one answer button would schedule (unfuzzed learning secs)."""
    normal = state.normal if state.HasField("normal") else state.filtered.rescheduling.original_state
    kind = normal.WhichOneof("kind")
    if kind == "review":
        return ["days", normal.review.scheduled_days]
    if kind == "learning":
        return ["secs", normal.learning.scheduled_secs]
    if kind == "relearning":
        return ["secs", normal.relearning.learning.scheduled_secs]
    return [kind, 0]


def configure(col, deck_id: int, name: str, config: dict) -> None:  # noqa: ANN001 - anki.collection.Collection
    """One preset per deck (the first deck keeps Anki's Default preset), with the batch's options."""
    if name != "Parity":
        deck = col.decks.get(deck_id)
        deck["conf"] = col.decks.add_config_returning_id(name)
        col.decks.save(deck)
    conf = col.decks.config_dict_for_deck_id(deck_id)
    conf["new"]["delays"] = config["learning_steps"]
    conf["lapse"]["delays"] = config["relearning_steps"]
    conf["rev"]["maxIvl"] = config["maximum_interval"]
    conf["desiredRetention"] = config["desired_retention"]
    conf["fsrsParams6"] = config["parameters"] or []
    conf["lapse"]["leechFails"] = config["leech_threshold"]
    conf["new"]["perDay"] = conf["rev"]["perDay"] = 9999
    conf["new"]["bury"] = conf["rev"]["bury"] = bool(config.get("bury", False))
    conf["easyDaysPercentages"] = config.get("easy_days") or [1.0] * 7
    col.decks.update_config(conf)


def drop_queues(col) -> None:  # noqa: ANN001 - anki.collection.Collection
    """Clear Anki's study queues (and its load balancer): the switch off and on again, each an op that clears them."""
    col.load_balancer_enabled = False
    col.load_balancer_enabled = True


def main() -> None:
    job = json.load(sys.stdin)
    config, histories = job["config"], job["histories"]
    answers = sorted(
        (at, history["card_id"], index, rating)
        for history in histories
        for index, (at, rating) in enumerate(history["answers"])
    )
    set_clock(answers[0][0] - 86_400 * 3 if answers else int(time.time()))

    from anki.collection import Collection

    folder = tempfile.mkdtemp(prefix="anki-parity-")
    col = Collection(os.path.join(folder, "parity.anki2"))
    col.set_config("fsrs", True)
    col.set_config("rollover", config["rollover"])
    balancing = bool(config.get("load_balancer"))
    col.load_balancer_enabled = balancing
    deck_ids = {}
    for name in sorted({h.get("deck", "Parity") for h in histories}):
        deck_ids[name] = col.decks.id(name)
        configure(col, deck_ids[name], name, {**config, **config.get("decks", {}).get(name, {})})
    notes: dict[str, list[dict]] = {}
    for history in histories:
        notes.setdefault(history.get("note") or f"card{history['card_id']}", []).append(history)
    for cards in notes.values():
        model = col.models.by_name("Basic" if len(cards) == 1 else "Basic (and reversed card)")
        note = col.new_note(model)
        note["Front"], note["Back"] = f"q{cards[0]['card_id']}", "a"
        col.add_note(note, deck_ids[cards[0].get("deck", "Parity")])
        # Give the cards studydl's ids: Anki seeds fuzz with card id + review count.
        for ordinal, history in enumerate(cards):
            col.db.execute("update cards set id = ? where nid = ? and ord = ?", history["card_id"], note.id, ordinal)
    col.db.execute("update cards set due = due + 1000000 where type = 0")

    out = []
    for at, card_id, index, rating in answers:
        set_clock(at)
        card = col.get_card(card_id)
        card.start_timer()
        if balancing:
            drop_queues(col)
            col.sched.get_queued_cards()  # builds the queues, and the load balancer with them
        states = col._backend.get_scheduling_states(card_id)
        if balancing:
            drop_queues(col)
        offered = [button(s) for s in (states.again, states.hard, states.good, states.easy)]
        answer = col.sched.build_answer(card=card, states=states, rating=rating - 1)
        answer.answered_at_millis = at * 1000
        col.sched.answer_card(answer)
        card = col.get_card(card_id)
        timing = col._backend.sched_timing_today()
        memory = card.memory_state
        out.append(
            {
                "card_id": card_id,
                "index": index,
                "at": at,
                "buttons": offered,
                "type": card.type,
                "queue": card.queue,
                "ivl": card.ivl,
                "due": card.due,
                "today": timing.days_elapsed,
                "next_day_at": timing.next_day_at,
                "reps": card.reps,
                "lapses": card.lapses,
                "stability": memory.stability if memory else None,
                "difficulty": memory.difficulty if memory else None,
            }
        )
    col.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
