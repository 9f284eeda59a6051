"""`optimize`: fsrs-rs fits the log (no torch), reports log-loss and RMSE(bins), keeps the old parameters restorable."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, update

from studydl.cli import cli as studydl_cli
from studydl.decks.sync import sync_decks
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, FsrsModel
from studydl.engine.history import stored_memory
from studydl.engine.optimize import (
    optimize_collection,
    previous_parameters,
    restore_parameters,
    training_set,
)
from studydl.engine.recompute import item_reviews, read_logs
from studydl.engine.session import ReviewSession
from studydl.engine.settings import Settings, load_settings
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow
from tests.backends import cli_args
from tests.conftest import REPO
from tests.engine.engine_samples import START, card_ids, simulated_log


@pytest.fixture
def many(db, write_deck):
    """60 cards in a real deck file, synced: enough answers for fsrs-rs to move off the defaults."""
    text = "---\ndeck: Many\n---\n\n" + "\n\n".join(f"Q: Question {i}?\nA: Answer {i}." for i in range(60))
    assert sync_decks(db, [write_deck("many.md", text)], clock=lambda: START - timedelta(days=500)).ok
    return db


@pytest.fixture
def synced_extra(many, write_deck):
    """A second deck beside Many, on the Default preset."""
    text = "---\ndeck: Extra\n---\n\n" + "\n\n".join(f"Q: Extra {i}?\nA: Answer {i}." for i in range(5))
    assert sync_decks(many, [write_deck("extra.md", text)], clock=lambda: START - timedelta(days=500)).ok
    return many


def add_log(db, rows) -> None:
    with db.write() as s:
        s.execute(insert(ReviewRow), rows)


def test_no_training_items_keeps_the_defaults(synced) -> None:
    add_log(synced, simulated_log(card_ids(synced)[:2], 1, START - timedelta(days=20)))
    result = optimize_collection(synced)
    assert (result.items, result.reviews, result.saved) == (0, 2, False)
    assert load_settings(synced).parameters is None


def test_below_ankis_400_reviews_the_fit_is_refused_saying_how_many_more(many) -> None:
    add_log(many, simulated_log(card_ids(many)[:39], 10, START - timedelta(days=400)))  # 390 answers
    result = optimize_collection(many)
    assert result.refused and result.reviews == 390 and result.parameters is None and not result.saved
    assert result.refusal == (
        "Only 390 reviews were found. You must have at least 400 reviews for this operation (10 more needed)."
    )


def test_training_items_count_study_days(synced) -> None:
    """Anki's items: one per answer a study day or more after the previous, with the history before it."""
    add_log(synced, simulated_log(card_ids(synced), 6, START - timedelta(days=200)))
    settings = Settings(timezone="UTC")
    training = training_set(synced, settings)
    assert training.reviews == 6 * len(card_ids(synced))
    with synced.raw_read() as con:
        steps = [item_reviews(log, settings.study_days()) for log in read_logs(con)]
    expected = [s[: i + 1] for s in steps for i in range(1, len(s)) if s[i][1] > 0]
    assert 0 < len(training.items) == len(expected) < training.reviews
    assert sorted(item.long_term_review_cnt() for item in training.items) == sorted(
        sum(1 for _, delta in e if delta > 0) for e in expected
    )
    assert len(training.card_ids) == len(training.items)


def test_a_fit_lowers_the_loss_is_saved_restorable_and_used(many, clock) -> None:
    synced = many
    add_log(synced, simulated_log(card_ids(synced), 10, START - timedelta(days=400)))
    result = optimize_collection(synced)
    assert result.items > 50 and result.before is not None and result.after is not None
    assert result.after[0] < result.before[0]
    assert result.before == pytest.approx(FsrsModel().evaluate(training_set(synced, load_settings(synced)).items))
    assert result.saved and load_settings(synced).parameters == result.parameters
    assert ReviewSession(synced, clock=clock).scheduler.model.parameters == result.parameters
    assert previous_parameters(synced) == (True, None)
    assert restore_parameters(synced) is None and load_settings(synced).parameters is None
    assert restore_parameters(synced) == result.parameters  # and forward again


def test_optimize_command_reports_and_recomputes_when_asked(many, home) -> None:
    synced = many
    add_log(synced, simulated_log(card_ids(synced), 10, START - timedelta(days=400)))
    first = card_ids(synced)[0]
    before = stored_memory(synced, first)
    result = CliRunner().invoke(studydl_cli, [*cli_args(home), "optimize", "--yes"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:1] == ["current"] and len(line.split()) == 3 for line in lines)
    assert any(line.split()[:1] == ["fitted"] and len(line.split()) == 3 for line in lines)
    assert "Saved the fitted parameters" in result.output
    assert f"Recomputed the memory states of {len(card_ids(synced))} cards." in result.output
    after = stored_memory(synced, first)
    assert after.stability != before.stability and after.due == before.due
    restored = CliRunner().invoke(studydl_cli, [*cli_args(home), "optimize", "--restore"], input="")
    assert "Restored the earlier parameters: default" in restored.output
    assert "Memory states not recomputed (no terminal to ask)" in restored.output
    assert load_settings(synced).parameters is None


def test_optimize_never_imports_torch(synced, home) -> None:
    add_log(synced, simulated_log(card_ids(synced), 10, START - timedelta(days=400)))
    code = f"""
import sys
from pathlib import Path
from studydl.engine.recompute import item_reviews, read_logs
from studydl.engine.optimize import optimize_collection
from studydl.store.db import Database
assert optimize_collection(Database({(home.db_url or str(home.db_path))!r}), save=False).items > 0
heavy = [m for m in ("torch", "pandas", "textual", "fsrs") if m in sys.modules]
assert not heavy, heavy
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "end",
    [
        datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 12, 5, 7, 36, 45, tzinfo=UTC),  # card 86 answered at 04:00:00.697: the rollover's own second
    ],
    ids=["midday", "rollover-second"],
)
def test_log_loss_and_rmse_are_ankis_on_the_same_log(tmp_path, utc, end) -> None:
    """The same answers in a studydl log and an Anki revlog: the same items, so the same evaluation.

    The simulated log ends at a fixed `end` (the bench's own ends a day before now, so the test
    would change with the hour it runs at): one where nothing is special, and one where an
    answer falls in the second a study day begins, which Anki's items count in the day before.
    """
    anki = pytest.importorskip("anki.collection")
    assert anki
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_optimize", REPO / "bench" / "optimize.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.END = end
    rows = bench.simulate(2500)
    cards = max(c for c, *_ in rows)
    ours = Database(bench.build_studydl(tmp_path / "studydl", cards, rows))
    try:
        training = training_set(ours, bench.SETTINGS)
        mine = FsrsModel().evaluate(training.items)
    finally:
        ours.dispose()
    from anki.collection import Collection

    col = Collection(str(bench.build_anki(tmp_path / "anki", cards, rows)))
    try:
        theirs = col._backend.evaluate_params_legacy(params=list(DEFAULT_PARAMETERS), search="", ignore_revlogs_before_ms=0)
    finally:
        col.close()
    assert mine == pytest.approx((theirs.log_loss, theirs.rmse_bins), rel=1e-5)


def test_reschedule_moves_review_due_dates_to_the_new_intervals(many, clock) -> None:
    from studydl.domain.review import CardState
    from studydl.engine.fsrs_model import check_parameters
    from studydl.engine.recompute import recompute_memory_states
    from studydl.engine.scheduler import Memory

    add_log(many, simulated_log(card_ids(many), 6, START - timedelta(days=300)))
    with many.write() as s:  # the log's last states, as the answers left them
        for card_id in card_ids(many):
            last = s.execute(
                select(ReviewRow.state_after).where(ReviewRow.card_id == card_id).order_by(ReviewRow.id.desc()).limit(1)
            ).scalar_one()
            s.execute(update(CardRow).where(CardRow.id == card_id).values(**Memory.from_dict(json.loads(last)).columns()))
    slower = check_parameters([x * 0.5 if i < 4 else x for i, x in enumerate(DEFAULT_PARAMETERS)])
    settings = Settings(timezone="UTC", fuzz=False, parameters=slower)
    before = {c: stored_memory(many, c) for c in card_ids(many)}
    result = recompute_memory_states(many, settings, reschedule=True)
    days, model = settings.study_days(), FsrsModel(slower)
    reviews = [c for c, m in before.items() if m.state == CardState.REVIEW]
    assert result.cards == len(before) and result.rescheduled == len(reviews) > 0
    assert any(stored_memory(many, c).due < before[c].due for c in reviews)  # lower stabilities: sooner
    for card_id, old in before.items():
        new = stored_memory(many, card_id)
        if old.state != CardState.REVIEW:
            assert new.due == old.due
            continue
        interval = days.day_of(new.due) - days.day_of(new.last_review)
        assert new.due == days.start_of(days.day_of(new.due))  # due at a study day's start
        assert abs(interval - model.next_interval(new.stability)) < 1 or interval == days.day_of(old.due) - days.day_of(
            old.last_review
        )  # FSRS's interval, unless held at the previous interval (Anki's rule)


def test_optimize_fits_one_presets_decks_saves_to_it_and_checks_health(many, synced_extra, home) -> None:
    """`optimize --preset NAME`: only the cards of decks using NAME, saved to NAME with FSRS-6 and 21 parameters."""
    from studydl.engine.presets import parameter_sets
    from studydl.engine.settings import DECKS_KEY, PRESETS_KEY, save_changes

    save_changes(many, {PRESETS_KEY: {"Many": {"desired_retention": 0.85}}, DECKS_KEY: {"Many": {"preset": "Many"}}})
    add_log(many, simulated_log(card_ids(many, "Many"), 10, START - timedelta(days=400)))
    add_log(many, simulated_log(card_ids(many, "Extra")[:3], 2, START - timedelta(days=400)))
    training = training_set(many, load_settings(many), "Many")
    assert training.reviews == 600 and len(set(training.card_ids)) <= 60
    assert training_set(many, load_settings(many), "Default").reviews == 6
    result = CliRunner().invoke(studydl_cli, [*cli_args(home), "optimize", "--preset", "Many", "--yes"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Fitting FSRS parameters of preset 'Many'" in result.output
    assert "Health Check:\nFSRS can adapt to your memory well." in result.output or "difficult for FSRS to predict" in result.output
    assert any(line.split()[:1] == ["forward"] for line in result.output.splitlines())
    settings = load_settings(many)
    assert settings.options_of("Many").parameters is not None and settings.parameters is None  # Default untouched
    with many.read() as s:
        stored = parameter_sets(s)
    assert (stored["Many"]["fsrs_version"], stored["Many"]["parameter_count"]) == (6, 21)
    refused = CliRunner().invoke(studydl_cli, [*cli_args(home), "optimize"])
    assert "Only 6 reviews were found" in refused.output and "(394 more needed)" in refused.output
    assert "no preset named 'Nope'" in CliRunner().invoke(studydl_cli, [*cli_args(home), "optimize", "--preset", "Nope"]).output


def test_health_check_uses_ankis_thresholds() -> None:
    from studydl.engine.optimize import BAD_FIT, GOOD_FIT, HealthCheck

    assert HealthCheck(0.5, 0.1, 1.11, 9.0).passed and HealthCheck(0.5, 0.1, 9.0, 1.53).passed
    assert not HealthCheck(0.5, 0.1, 1.12, 1.54).passed
    assert HealthCheck(0.5, 0.1, 1.0, 1.0).message == GOOD_FIT and HealthCheck(0.5, 0.1, 2.0, 2.0).message == BAD_FIT
