"""`studydl doctor`: integrity, orphans reported, scheduling rebuilt from the review log where it disagrees."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studydl.engine.history import replay_card
from studydl.home import Home
from studydl.store.backup import find_backups
from studydl.store.db import Database
from tests.interop.test_apkg_import import anki_collection
from tests.store.conftest import DAMAGE, answer_all, damage, dump, studydl

SCHEDULE = "state, step, stability, difficulty, due, last_review, reps, lapses"


def rows(home: Home) -> dict[int, tuple]:
    with sqlite3.connect(home.db_path) as con:
        return {row[0]: row[1:] for row in con.execute(f"select id, {SCHEDULE} from cards order by id")}


def sql(home: Home, *statements: str) -> None:
    con = sqlite3.connect(home.db_path)
    try:
        con.execute("pragma foreign_keys=off")
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def test_a_healthy_database(reviewed: Home) -> None:
    before, backups = dump(reviewed.db_path), sorted(reviewed.backups_dir.iterdir())
    done = studydl(reviewed, "doctor")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        f"{reviewed.db_path}: integrity ok",
        "scheduling agrees with the review log",
        "no problems left",
    ]
    assert dump(reviewed.db_path) == before and sorted(reviewed.backups_dir.iterdir()) == backups


CORRUPTIONS = {
    "reset to new": "update cards set state = 0, step = null, stability = null, difficulty = null, due = null, "
    "last_review = null, reps = 0 where id = {id}",
    "due moved": "update cards set due = '2030-01-01 00:17:00.000000' where id = {id}",  # not a study-day start
    "due before its last review": "update cards set due = datetime(last_review, '-3 days') where id = {id}",
    "reps changed": "update cards set reps = reps + 4 where id = {id}",
    "impossible stability": "update cards set stability = -1 where id = {id}",
    "unknown state": "update cards set state = 9 where id = {id}",
    "review card without due": "update cards set due = null where id = {id}",
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_scheduling_that_disagrees_with_the_log_is_rebuilt(reviewed: Home, corruption: str) -> None:
    good = rows(reviewed)
    card = sorted(good)[2]
    sql(reviewed, CORRUPTIONS[corruption].format(id=card))
    broken = dump(reviewed.db_path)

    checked = studydl(reviewed, "doctor", "--check")
    assert checked.exit_code == 1
    assert f"scheduling: card {card}: " in checked.output and "run `studydl doctor` to rebuild" in checked.output
    assert dump(reviewed.db_path) == broken  # --check changes nothing

    fixed = studydl(reviewed, "doctor")
    assert fixed.exit_code == 0, fixed.output
    assert "rebuilt the scheduling state of 1 cards from their review log" in fixed.output
    assert rows(reviewed) == good  # the log gives back exactly what the answers had set
    db = Database(reviewed.db_path)
    try:
        replayed = replay_card(db, card)
    finally:
        db.dispose()
    assert replayed.reps == 1 and replayed.due is not None
    before_doctor = [b for b in find_backups(reviewed.backups_dir) if b.tag == "before-doctor"]
    assert len(before_doctor) == 1 and dump(before_doctor[0].path) == broken

    again = studydl(reviewed, "doctor")
    assert again.exit_code == 0 and "scheduling agrees with the review log" in again.output


def test_a_manual_suspend_survives_the_rebuild(reviewed: Home) -> None:
    good = rows(reviewed)
    card = sorted(good)[0]
    sql(reviewed, f"update cards set suspended = 1, due = '2031-01-01 00:00:00.000000' where id = {card}")
    done = studydl(reviewed, "doctor")
    assert done.exit_code == 0 and f"scheduling: card {card}: due is 2031-01-01 00:00 UTC" in done.output
    with sqlite3.connect(reviewed.db_path) as con:
        suspended, due = con.execute(f"select suspended, due from cards where id = {card}").fetchone()
    assert suspended == 1 and due == good[card][4]


def test_changed_settings_are_not_a_disagreement(reviewed: Home) -> None:
    """The replay under new settings differs from the stored state; the log's own record still agrees."""
    assert studydl(reviewed, "settings", "retention", "0.75").exit_code == 0
    answer_all(reviewed, "4")
    before = dump(reviewed.db_path)
    done = studydl(reviewed, "doctor", "--check")
    assert done.exit_code == 0 and "scheduling agrees with the review log" in done.output
    assert dump(reviewed.db_path) == before


def test_recomputed_and_rescheduled_cards_are_not_a_disagreement(reviewed: Home) -> None:
    """After `optimize` the engine recomputes memory states from the log and may move due dates
    (Anki's "reschedule cards on change"): neither is in the log, neither is damage."""
    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS
    from studydl.engine.recompute import recompute_memory_states
    from studydl.engine.settings import save_setting

    db = Database(reviewed.db_path)
    try:
        fitted = save_setting(db, "parameters", [p * 1.5 if i < 4 else p for i, p in enumerate(DEFAULT_PARAMETERS)])
        assert recompute_memory_states(db, fitted, reschedule=True).rescheduled == 5
    finally:
        db.dispose()
    before = dump(reviewed.db_path)
    done = studydl(reviewed, "doctor", "--check")
    assert done.exit_code == 0 and "scheduling agrees with the review log" in done.output, done.output
    assert dump(reviewed.db_path) == before


def test_imported_anki_history_is_not_a_disagreement(tmp_path: Path) -> None:
    """Anki's current state of a card (a manual reschedule after its last answer) is kept as imported."""
    home = Home(tmp_path / "home").ensure()
    apkg = tmp_path / "dl.apkg"
    from tests.interop.anki_builder import package

    package(apkg, {"collection.anki2": anki_collection().write(tmp_path / "c.sqlite").read_bytes()})
    assert studydl(home, "import", str(apkg)).exit_code == 0
    before = dump(home.db_path)
    done = studydl(home, "doctor")
    assert done.exit_code == 0, done.output
    assert "scheduling agrees with the review log" in done.output
    assert dump(home.db_path) == before


def test_orphans_are_reported_and_kept(reviewed: Home) -> None:
    cards = sorted(rows(reviewed))
    sql(
        reviewed,
        f"delete from cards where id = {cards[0]}",  # its review row stays
        f"update cards set deck_id = 999 where id = {cards[1]}",
        "update review_log set rating = 7 where id = (select max(id) from review_log)",
    )
    before = dump(reviewed.db_path)
    done = studydl(reviewed, "doctor")
    assert done.exit_code == 1
    assert f"orphans: 1 review log rows whose card is gone (card ids): {cards[0]}" in done.output
    assert f"orphans: 1 cards whose deck is gone (card ids): {cards[1]}" in done.output
    assert "orphans: 1 review log rows with a rating outside 1-4" in done.output
    assert "Traceback" not in done.output
    assert dump(reviewed.db_path) == before


def test_a_deck_file_that_is_gone_is_a_note(reviewed: Home) -> None:
    deck = reviewed.decks_dir / "activations.md"
    deck.unlink()
    done = studydl(reviewed, "doctor")
    assert done.exit_code == 0
    assert f"note: 1 decks whose file is gone (their cards are retired when the folder is synced): {deck}" in done.output


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_file_points_at_the_backups(reviewed: Home, kind: str) -> None:
    newest = find_backups(reviewed.backups_dir)[-1]  # made by the review session's end
    damage(reviewed, kind)
    done = studydl(reviewed, "doctor")
    assert done.exit_code == 1
    assert done.output.startswith(f"{reviewed.db_path}: damaged: ")
    assert f"studydl restore {newest.path}" in done.output
    assert "Traceback" not in done.output


def test_no_database_yet(tmp_path: Path) -> None:
    done = studydl(Home(tmp_path / "new").ensure(), "doctor")
    assert done.exit_code == 0 and "no database yet" in done.output
