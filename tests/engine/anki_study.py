"""Anki's backend studying day after day through its own queue, under libfaketime (see anki_driver.py).

stdin: {"cards": [ids], "start": epoch seconds of the first study session, "days": n,
"config": {"easy_days": [7 loads], "new_per_day": n}}
stdout: one JSON list, per answer: {"day": study day index, "at": epoch seconds, "card_id",
"type": Anki's card type before (2: review), "rating", "after": [type, queue, due, today]}.

Each day at the same hour it answers whatever Anki's queue hands out (get_queued_cards,
answer_card: the reviewer's path, so Anki's load balancer is built with the queue and
follows each answer), 20 seconds apart, until the queue is empty (learning steps come
due within Anki's 20-minute learn-ahead). Ratings follow `rating_for(card id, reviews)`,
the rule studydl's side uses too. New cards' queue positions are moved past any day
number, as in anki_driver.py.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anki_driver import set_clock  # noqa: E402

STEP = 20


def rating_for(card_id: int, reps: int) -> int:
    """Again 8 %, Hard 7 %, Good 75 %, Easy 10 %, fixed by the card and its review count."""
    x = (card_id * 0x9E3779B1 + reps * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    roll = x % 100
    return 1 if roll < 8 else 2 if roll < 15 else 3 if roll < 90 else 4


def main() -> None:
    job = json.load(sys.stdin)
    set_clock(job["start"] - 86_400 * 3)
    from anki.collection import Collection

    col = Collection(os.path.join(tempfile.mkdtemp(prefix="anki-study-"), "study.anki2"))
    col.set_config("fsrs", True)
    deck_id = col.decks.id("Study")
    col.decks.select(deck_id)
    conf = col.decks.config_dict_for_deck_id(deck_id)
    conf["new"]["perDay"] = job["config"]["new_per_day"]
    conf["rev"]["perDay"] = 9999
    conf["easyDaysPercentages"] = job["config"]["easy_days"]
    col.decks.update_config(conf)
    model = col.models.by_name("Basic")
    for card_id in job["cards"]:
        note = col.new_note(model)
        note["Front"] = f"q{card_id}"
        col.add_note(note, deck_id)
        col.db.execute("update cards set id = ? where nid = ?", card_id, note.id)
    # New cards' queue positions out of the day numbers' way: Anki's balancer counts every card
    # whose `due` falls in its range, positions included (see anki_driver.py).
    col.db.execute("update cards set due = due + 1000000 where type = 0")
    out = []
    for day in range(job["days"]):
        at = job["start"] + day * 86_400
        set_clock(at)
        while True:
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                break
            top = queued.cards[0]
            card = col.get_card(top.card.id)
            rating = rating_for(card.id, card.reps)
            before = card.type
            card.start_timer()
            answer = col.sched.build_answer(card=card, states=top.states, rating=rating - 1)
            answer.answered_at_millis = at * 1000
            col.sched.answer_card(answer)
            card = col.get_card(card.id)
            today = col._backend.sched_timing_today().days_elapsed
            out.append(
                {"day": day, "at": at, "card_id": card.id, "type": before, "rating": rating,
                 "after": [card.type, card.queue, card.due, today]}
            )  # fmt: skip
            at += STEP
            set_clock(at)
    col.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
