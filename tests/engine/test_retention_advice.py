"""Minimum recommended retention and the workload factor: fsrs-rs's simulator on the learner's own cards of a preset."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import insert, select, update

from studydl.cli import cli as studydl_cli
from studydl.engine.retention_advice import (
    ANKI_CLAMP,
    minimum_recommended_retention,
    workload_factor,
    workload_text,
)
from studydl.engine.scheduler import Memory
from studydl.engine.settings import load_settings
from studydl.store.models import CardRow, ReviewRow
from tests.backends import cli_args
from tests.engine.engine_samples import START, card_ids, simulated_log


def studied(db) -> None:  # noqa: ANN001
    """Every card of the test decks answered for months (the log, and the cards as it left them)."""
    rows = simulated_log(card_ids(db), 8, START - timedelta(days=300))
    with db.write() as s:
        s.execute(insert(ReviewRow), rows)
        for card_id in card_ids(db):
            last = [r for r in rows if r["card_id"] == card_id][-1]["state_after"]
            s.execute(update(CardRow).where(CardRow.id == card_id).values(**Memory.from_dict(json.loads(last)).columns()))


def test_minimum_recommended_retention_is_fsrs_rs_optimal_retention_clamped_as_anki(synced) -> None:
    assert minimum_recommended_retention(synced, START, load_settings(synced), "Default").studied == 0
    studied(synced)
    settings = load_settings(synced)
    advice = minimum_recommended_retention(synced, START, settings, "Default")
    assert advice.studied == len(card_ids(synced)) and advice.minimum is not None
    assert ANKI_CLAMP[0] <= advice.minimum <= ANKI_CLAMP[1]
    assert minimum_recommended_retention(synced, START, settings, "Default") == advice  # seeded: the same again


def test_workload_factor_grows_with_retention_and_reads_as_anki_says_it(synced) -> None:
    studied(synced)
    settings = load_settings(synced)
    higher = workload_factor(synced, START, settings, "Default", 0.97, 0.9)
    lower = workload_factor(synced, START, settings, "Default", 0.8, 0.9)
    assert higher is not None and lower is not None and lower < 1.0 < higher
    assert workload_text(1.234, 0.9) == "Approximate workload: 1.23x (compared to 90% desired retention)"


def test_optimize_retention_prints_the_minimum_recommended_retention(synced, home) -> None:
    studied(synced)
    result = CliRunner().invoke(studydl_cli, [*cli_args(home), "optimize", "--retention"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Minimum recommended retention: "))
    assert 0.7 <= float(line.split()[3]) <= 0.95 and line.endswith("now 0.9).")
    with synced.read() as s:
        assert s.scalar(select(CardRow.id)) is not None
