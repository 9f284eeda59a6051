"""bench/scale.py's homes: histories Anki's compute_fsrs_params fits, the same items on both sides."""

from __future__ import annotations

import pytest

from studydl.engine.optimize import training_set
from studydl.engine.settings import Settings
from studydl.store.db import Database
from tests.engine.test_simulate_anki import bench_module


def test_anki_fits_the_scale_homes_log_with_our_items(tmp_path, utc) -> None:
    pytest.importorskip("anki")
    homes = bench_module("scale_homes")
    home = homes.plan_home(3000, seed=4)
    assert 8 <= len(home.log_card) / home.cards <= 12  # about ten log rows a card
    homes.build_studydl(tmp_path / "studydl.db", home)
    anki_path = homes.build_anki(tmp_path / "anki", home)

    from anki.collection import Collection

    col = Collection(str(anki_path))
    try:
        fitted = col._backend.compute_fsrs_params(
            search="", current_params=[], ignore_revlogs_before_ms=0, num_of_relearning_steps=1, health_check=False
        )
        due = len(col.find_cards("is:due"))
    finally:
        col.close()
    db = Database(tmp_path / "studydl.db")
    try:
        ours = training_set(db, Settings(timezone="UTC"))
    finally:
        db.dispose()
    assert fitted.fsrs_items > 1000  # every review card's history begins with its learning steps
    assert len(ours.items) == fitted.fsrs_items
    assert due >= home.due_today() > 0
