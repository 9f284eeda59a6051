"""Reference figures from outside the project: fsrs-rs's and py-fsrs's own tests, and py-fsrs's public review log.

- fsrs-rs (open-spaced-repetition/fsrs-rs, src/inference.rs): `test_memo_state` and
  `test_next_states`, with their 19-parameter set (FSRS-5, filled up by fsrs-rs).
- py-fsrs (open-spaced-repetition/py-fsrs, tests/test_basic.py): `test_review_card`'s
  interval history, reviewing each time on the due day.
- py-fsrs's review log (tests/review_logs_josh_1711744352250_to_1728234780857.csv,
  MIT licence, Copyright (c) 2022 Open Spaced Repetition; commit 3abe686), kept here
  compressed (tests/engine/data/py_fsrs_review_log.csv.xz, 108 KB; 12,580 answers to
  1,205 cards): as an optimizer fixture, studydl fits the same parameters, with the same
  log-loss and the same health check, as Anki 26.9.3's backend on the same answers.
"""

from __future__ import annotations

import csv
import lzma
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studydl.domain.review import CardState, Rating
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsModel, MemoryState, fsrs_item
from studydl.engine.optimize import fit, health_check, training_set
from studydl.engine.scheduler import CardScheduler, Memory
from studydl.engine.settings import Settings
from studydl.store.db import Database

FSRS_RS_PARAMETERS = (
    0.6845422, 1.6790825, 4.7349424, 10.042885, 7.4410233, 0.64219797, 1.071918, 0.0025195254, 1.432437, 0.1544,
    0.8692766, 2.0696752, 0.0953, 0.2975, 2.4691248, 0.19542035, 3.201072, 0.18046261, 0.121442534,
)  # fmt: skip
"""fsrs-rs's `PARAMETERS` in src/inference.rs's tests."""
LOG = Path(__file__).with_name("data") / "py_fsrs_review_log.csv.xz"


def test_fsrs_rs_memo_state() -> None:
    """fsrs-rs `test_memo_state`: 1@0, 3@1, 3@3, 3@8, 3@21 -> S 31.722992, D 7.382128; and one step from a given state."""
    model = FsrsModel(FSRS_RS_PARAMETERS)
    [state] = model.memory_states([fsrs_item([(1, 0), (3, 1), (3, 3), (3, 8), (3, 21)])])
    assert (state.stability, state.difficulty) == pytest.approx((31.722992, 7.382128), rel=1e-6)
    good = model.next_states(MemoryState(20.925528, 7.005062), 21).good.memory
    assert (good.stability, good.difficulty) == pytest.approx((40.87456, 6.9913807), rel=1e-6)


def test_fsrs_rs_next_states() -> None:
    """fsrs-rs `test_next_states`: the four answers 21 days after 1@0, 3@1, 3@3, 3@8, and `next_interval`."""
    model = FsrsModel(FSRS_RS_PARAMETERS)
    [state] = model.memory_states([fsrs_item([(1, 0), (3, 1), (3, 3), (3, 8)])])
    states = model.next_states(state, 21)
    expected = {
        "again": (2.9691455, 8.000659), "hard": (17.091452, 7.6913934),
        "good": (31.722992, 7.382128), "easy": (71.7502, 7.0728626),
    }  # fmt: skip
    for name, (stability, difficulty) in expected.items():
        found = getattr(states, name)
        assert (found.memory.stability, found.memory.difficulty) == pytest.approx((stability, difficulty), rel=1e-6), name
        assert found.interval == pytest.approx(stability, rel=1e-6), name  # at 0.9 retention the interval is S
    assert model.fsrs.next_interval(121.01552, 0.9, 1) == pytest.approx(121.01551, rel=1e-6)


def test_py_fsrs_interval_history() -> None:
    """py-fsrs `test_review_card`: Good x6, Again x2, Good x5, each on the due day -> these intervals (no fuzz)."""
    ratings = [Rating.GOOD] * 6 + [Rating.AGAIN] * 2 + [Rating.GOOD] * 5
    scheduler = CardScheduler(Settings(timezone="UTC", fuzz=False))
    memory, when, intervals = Memory(), datetime(2022, 11, 29, 12, 30, tzinfo=UTC), []
    for rating in ratings:
        memory = scheduler.review(1, memory, rating, when)[0]
        assert memory.due is not None and memory.last_review is not None
        review = memory.state == CardState.REVIEW
        intervals.append(scheduler.days.day_of(memory.due) - scheduler.days.day_of(memory.last_review) if review else 0)
        when = memory.due
    assert intervals == [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]


# -- py-fsrs's review log as an optimizer fixture ------------------------------------------------


def read_log() -> list[tuple[str, int, datetime]]:
    """(py-fsrs card id, rating, time), in the file's order."""
    with lzma.open(LOG, "rt", encoding="utf-8") as f:
        return [(r["card_id"], int(r["review_rating"]), datetime.fromisoformat(r["review_time"])) for r in csv.DictReader(f)]


def studydl_log(tmp_path: Path, log: list[tuple[str, int, datetime]], settings: Settings) -> tuple[Path, list[tuple]]:
    """A studydl database holding the log (cards from a real deck file, states as the scheduler gives them)."""
    from studydl.decks.sync import sync_decks

    cards = sorted({card for card, _, _ in log})
    deck = tmp_path / "decks" / "josh.md"
    deck.parent.mkdir(parents=True)
    deck.write_text("---\ndeck: Josh\n---\n\n" + "\n\n".join(f"Q: Card {c}?\nA: Answer." for c in cards))
    path = tmp_path / "studydl.db"
    db = Database(path)
    assert sync_decks(db, [deck], clock=lambda: datetime(2024, 1, 1, tzinfo=UTC)).ok
    db.dispose()
    con = sqlite3.connect(path)
    ids = dict(zip(cards, (r[0] for r in con.execute("select id from cards order by id")), strict=True))
    scheduler = CardScheduler(settings)
    memories: dict[str, Memory] = {}
    rows = []
    for card, rating, at in sorted(log, key=lambda r: r[2]):
        before = memories.get(card, Memory())
        after = scheduler.review(ids[card], before, Rating(rating), at)[0]
        memories[card] = after
        rows.append((ids[card], at, rating, before, after))
    con.executemany(
        "insert into review_log (card_id, reviewed_at, rating, duration_ms, state_before, state_after) values (?,?,?,?,?,?)",
        [(c, at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds"), r, 5000, b.to_json(), a.to_json()) for c, at, r, b, a in rows],
    )
    con.commit()
    con.close()
    return path, rows


def anki_log(tmp_path: Path, rows: list[tuple]) -> Path:
    """An Anki collection with the same cards (the same ids) and the same answers in its revlog."""
    from anki.collection import AddNoteRequest, Collection

    path = tmp_path / "josh.anki2"
    col = Collection(str(path))
    col.set_config("fsrs", True)
    deck_id = col.decks.id("Josh")
    basic = col.models.by_name("Basic")
    ours = sorted({c for c, *_ in rows})
    requests = []
    for card in ours:
        note = col.new_note(basic)
        note["Front"] = f"Card {card}?"
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    theirs = col.db.list("select id from cards order by id")
    col.close()
    con = sqlite3.connect(path)
    con.executemany("update cards set id = ? where id = ?", [(mine, anki) for mine, anki in zip(ours, theirs, strict=True)])
    kinds = {CardState.NEW: 0, CardState.LEARNING: 0, CardState.REVIEW: 1, CardState.RELEARNING: 2}
    revlog, used = [], set()
    for card, at, rating, before, after in rows:
        ms = int(at.timestamp() * 1000)
        while ms in used:
            ms += 1
        used.add(ms)
        ivl = (after.due - at).days if after.state == CardState.REVIEW else -int((after.due - at).total_seconds())
        revlog.append((ms, card, -1, rating, ivl, 0, 0, 5000, kinds[before.state]))
    con.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)
    con.execute("update cards set type = 2, queue = 2, ivl = 1, due = 0 where id in (select cid from revlog)")
    con.commit()
    con.close()
    return path


@pytest.mark.slow
def test_py_fsrs_review_log_fits_the_parameters_and_log_loss_ankis_backend_fits(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("anki.collection")
    import time

    monkeypatch.setenv("TZ", "UTC")  # Anki's backend counts days in the local zone; studydl's settings say UTC
    time.tzset()
    settings = Settings(timezone="UTC")
    log = read_log()
    assert len(log) == 12_580 and len({card for card, _, _ in log}) == 1_205
    path, rows = studydl_log(tmp_path, log, settings)
    db = Database(path)
    try:
        training = training_set(db, settings)
    finally:
        db.dispose()
    assert training.reviews == 12_580
    ours = fit(training, settings)
    our_loss = FsrsModel(ours).evaluate(training.items)
    our_health = health_check(training, settings)
    from anki.collection import Collection

    col = Collection(str(anki_log(tmp_path, rows)))
    try:
        found = col._backend.compute_fsrs_params(
            search="", current_params=[], ignore_revlogs_before_ms=0, num_of_relearning_steps=1, health_check=True
        )
        theirs = tuple(found.params)
        their_loss = col._backend.evaluate_params_legacy(params=list(theirs), search="", ignore_revlogs_before_ms=0)
    finally:
        col.close()
    assert found.fsrs_items == len(training.items)
    assert ours == pytest.approx(theirs, abs=1e-6)
    assert our_loss == pytest.approx((their_loss.log_loss, their_loss.rmse_bins), rel=1e-5)
    assert our_health is not None and our_health.passed == found.health_check_passed
    assert ours != pytest.approx(DEFAULT_PARAMETERS, abs=1e-3)  # the fit moved: a real fixture
    print(f"py-fsrs log: {len(training.items)} items; log-loss {our_loss[0]:.4f}, RMSE(bins) {our_loss[1]:.4f}; "
          f"health {our_health.adjusted_log_loss:.2f} / {our_health.adjusted_rmse:.2f} -> {our_health.passed}")
