"""`optimize`: too few reviews keeps the defaults; a (small) fit lowers the log-loss and is used."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import fsrs
import pytest
from sqlalchemy import insert

from studydl.engine.optimize import (
    MIN_REVIEWS,
    load_review_logs,
    log_loss,
    optimize_collection,
    trainable_reviews,
)
from studydl.engine.session import ReviewSession
from studydl.engine.settings import load_settings
from studydl.store.models import ReviewRow
from tests.engine.engine_samples import START, card_ids, simulated_log


def add_log(db, rows) -> None:
    with db.write() as s:
        s.execute(insert(ReviewRow), rows)


def test_too_few_reviews_says_how_many_more_and_keeps_the_defaults(synced) -> None:
    add_log(synced, simulated_log(card_ids(synced), 8, START - timedelta(days=200)))
    logs = load_review_logs(synced)
    assert len(logs) == 96
    result = optimize_collection(synced, verbose=False)
    assert result.trainable == trainable_reviews(logs) < MIN_REVIEWS
    assert result.needed == MIN_REVIEWS - result.trainable
    assert result.parameters is None and not result.saved
    assert load_settings(synced).parameters is None


def test_core_modules_import_neither_torch_nor_textual(synced, home) -> None:
    code = f"""
import sys
from pathlib import Path
import studydl.cli, studydl.engine.session, studydl.engine.stats, studydl.engine.history
from studydl.engine.optimize import optimize_collection
from studydl.store.db import Database
assert optimize_collection(Database(Path({str(home.db_path)!r})), verbose=False).needed == 512
heavy = [m for m in ("torch", "pandas", "textual") if m in sys.modules]
assert not heavy, heavy
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_a_small_fit_lowers_the_loss_and_the_scheduler_uses_it(synced, clock, monkeypatch) -> None:
    """fsrs fits in mini-batches of 512 over 5 epochs (~45 s for 1,000 reviews here); this
    shrinks the batch and epochs through fsrs.optimizer's own constants to stay fast."""
    fsrs_optimizer = pytest.importorskip("fsrs.optimizer")
    monkeypatch.setattr(fsrs_optimizer, "mini_batch_size", 32)
    monkeypatch.setattr(fsrs_optimizer, "num_epochs", 1)
    add_log(synced, simulated_log(card_ids(synced), 8, START - timedelta(days=400)))
    logs = load_review_logs(synced)
    result = optimize_collection(synced, verbose=False, min_reviews=32)
    assert result.needed == 0 and result.trainable >= 32
    assert result.loss_after < result.loss_before == pytest.approx(log_loss(logs))
    # our float log-loss is fsrs's own (torch) batch loss
    expected = fsrs_optimizer.Optimizer(logs)._compute_batch_loss(parameters=list(fsrs.scheduler.DEFAULT_PARAMETERS))
    assert result.loss_before == pytest.approx(expected, rel=1e-9)
    assert result.saved and load_settings(synced).parameters == result.parameters
    assert ReviewSession(synced, clock=clock).scheduler.fsrs.parameters == result.parameters
