"""Training items built from the log in bulk: Anki's items, card by card, with no Python object per review of every item."""

from __future__ import annotations

import json
from datetime import timedelta

import fsrs_rs_python

from studydl.engine.fsrs_model import fsrs_item
from studydl.engine.optimize import training_set
from studydl.engine.recompute import item_reviews, read_logs
from studydl.engine.settings import Settings
from tests.engine.engine_samples import START, card_ids, simulated_log
from tests.engine.test_optimize import add_log


def card_by_card(db, settings: Settings) -> list[tuple[int, str, int]]:
    """(card, item, last rating) in the order of the last answer, as the log read card by card gives them."""
    days, found = settings.study_days(), []
    with db.raw_read() as con:
        for log in read_logs(con):
            if log.start.memory_state is not None:
                continue
            steps = item_reviews(log, days)
            found += [
                (log.answers[i][0], log.card_id, repr(fsrs_item(steps[: i + 1]).reviews), steps[i][0])
                for i in range(1, len(steps)) if steps[i][1] > 0
            ]  # fmt: skip
    found.sort(key=lambda entry: entry[0])
    return [(card, item, rating) for _, card, item, rating in found]


def test_bulk_items_are_the_card_by_card_ones(synced) -> None:
    ids = card_ids(synced)
    rows = simulated_log(ids[:-2], 7, START - timedelta(days=300))
    mid_way = {"state": 2, "stability": 5.0, "difficulty": 5.0, "last_review": (START - timedelta(days=400)).isoformat()}
    reviewed = {"state": 2, "last_review": (START - timedelta(days=330)).isoformat()}  # an earlier review, no memory state
    for card, start in ((ids[-2], mid_way), (ids[-1], reviewed)):
        extra = simulated_log([card], 5, START - timedelta(days=320))
        extra[0]["state_before"] = json.dumps(start)
        rows += extra
    rows[3] = {**rows[3], "kind": "cram"}
    add_log(synced, rows)
    settings = Settings(timezone="UTC")
    training = training_set(synced, settings)
    expected = card_by_card(synced, settings)
    assert list(zip(training.card_ids, [repr(i.reviews) for i in training.items], training.last_ratings, strict=True)) == expected
    with synced.raw_read() as con:
        kept = [log for log in read_logs(con) if log.start.memory_state is None]
    assert training.reviews == sum(len(log.answers) for log in kept)
    assert ids[-1] in training.card_ids and ids[-2] not in training.card_ids


def test_one_review_object_per_distinct_rating_and_days(synced, monkeypatch) -> None:
    """Each item repeats its card's history: a review object per review of every item is most of the work at scale."""
    add_log(synced, simulated_log(card_ids(synced), 8, START - timedelta(days=300)))
    made = []
    real = fsrs_rs_python.FSRSReview

    def counted(rating: int, delta: int) -> object:
        made.append((rating, delta))
        return real(rating, delta)

    monkeypatch.setattr(fsrs_rs_python, "FSRSReview", counted)
    training = training_set(synced, Settings(timezone="UTC"))
    in_items = sum(len(item.reviews) for item in training.items)
    assert in_items > 3 * len(set(made))
    assert len(made) == len(set(made))


def test_state_before_text_is_read_only_where_a_history_does_not_start_new(synced, monkeypatch) -> None:
    """At a million cards, reading each card's first `state_before` by id was a lookup per card."""
    from studydl.engine import training_items

    ids = card_ids(synced)
    rows = simulated_log(ids, 4, START - timedelta(days=200))
    first = next(i for i, row in enumerate(rows) if row["card_id"] == ids[0])
    rows[first]["state_before"] = json.dumps({"state": 2, "stability": 5.0, "difficulty": 5.0})
    add_log(synced, rows)
    asked = []
    real = training_items.first_states

    def recorded(con, log_ids):  # noqa: ANN001, ANN202
        asked.extend(log_ids.tolist())
        return real(con, log_ids)

    monkeypatch.setattr(training_items, "first_states", recorded)
    training = training_set(synced, Settings(timezone="UTC"))
    assert len(asked) == 1
    assert ids[0] not in training.card_ids and len(set(training.card_ids)) > 1
