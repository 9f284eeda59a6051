"""The workload simulator against Anki 26.9.3's own forecast (`simulate_fsrs_review`) on the same collection.

bench/twin_collections.py builds one collection twice, card for card: a studydl store
and an Anki collection (6,000 cards: new, learning and review cards with memory states,
a few overdue, lapses up to the leech limit; a review log with learning steps,
relearning and the learner's own times). Both simulators then forecast 30 and 365 days
at three desired retentions, and the mean reviews, new cards and minutes a day must
agree within 5 %. Anki runs fsrs-rs's simulation once (seed 42); studydl averages its
runs; both are seeded, so the figures are the same every time.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studydl.engine.answer_profile import AnswerProfile, answer_profile
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS
from studydl.engine.settings import Settings
from studydl.engine.simulate import clear_cache, forecasts
from studydl.engine.workload_cards import load_workload
from studydl.store.db import Database

REPO = Path(__file__).resolve().parents[2]
CARDS = 6000
NEW_PER_DAY, REVIEWS_PER_DAY = 30, 9999
LEECH = 8
RETENTIONS = (0.8, 0.9, 0.95)
SPANS = (30, 365)
TOLERANCE = 0.05
SETTINGS = Settings(
    timezone="UTC", new_per_day=NEW_PER_DAY, reviews_per_day=REVIEWS_PER_DAY, leech_threshold=LEECH, leech_suspend=True
)


def bench_module(name: str):  # noqa: ANN201 - a module
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def flat(values: tuple) -> list[float]:
    return [x for row in values for x in (row if isinstance(row, tuple) else (row,))]


def anki_forecast(path: Path, retention: float, days: int) -> tuple[float, float, float]:
    """(reviews, new cards, minutes) a day on average, from Anki's backend."""
    from anki.collection import Collection
    from anki.deck_config_pb2 import DeckConfig
    from anki.scheduler_pb2 import SimulateFsrsReviewRequest

    col = Collection(str(path))
    try:
        response = col._backend.simulate_fsrs_review(
            SimulateFsrsReviewRequest(
                params=list(DEFAULT_PARAMETERS),
                desired_retention=retention,
                deck_size=0,
                days_to_simulate=days,
                new_limit=NEW_PER_DAY,
                review_limit=REVIEWS_PER_DAY,
                max_interval=SETTINGS.maximum_interval,
                search="deck:Bench",
                new_cards_ignore_review_limit=True,
                easy_days_percentages=[1.0] * 7,
                review_order=DeckConfig.Config.ReviewCardOrder.REVIEW_CARD_ORDER_DAY,
                suspend_after_lapse_count=LEECH,
                historical_retention=0.9,
                learning_step_count=len(SETTINGS.learning_steps_min),
                relearning_step_count=len(SETTINGS.relearning_steps_min),
            )
        )
    finally:
        col.close()
    return (
        sum(response.daily_review_count) / days,
        sum(response.daily_new_count) / days,
        sum(response.daily_time_cost) / 60.0 / days,
    )


def anki_profile(path: Path) -> AnswerProfile:
    """What Anki's simulator reads from its revlog (fsrs-rs's `extract_simulator_config`)."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        p = col._backend.get_optimal_retention_parameters(search="deck:Bench")
    finally:
        col.close()

    def rows(values: list[float]) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(values[i : i + 4]) for i in range(0, len(values), 4))

    return AnswerProfile(
        first_rating_prob=tuple(p.first_rating_prob),
        review_rating_prob=tuple(p.review_rating_prob),
        learning_step_transitions=rows(list(p.learning_step_transitions)),
        relearning_step_transitions=rows(list(p.relearning_step_transitions)),
        state_rating_costs=rows(list(p.state_rating_costs)),
    )


def test_forecasts_agree_with_ankis_on_the_same_collection(tmp_path: Path) -> None:
    twins = bench_module("twin_collections")
    plan = twins.plan_cards(CARDS, seed=11)
    now = time.time()
    anki_path, day_cutoff = twins.build_anki(tmp_path / "anki", plan, NEW_PER_DAY, REVIEWS_PER_DAY, now)
    db = Database(twins.build_studydl(tmp_path / "studydl.db", plan, day_cutoff, now))
    try:
        # The learner's habits, as each side reads them from its own log: the same.
        ours_profile = answer_profile(db, SETTINGS.study_days())
        theirs_profile = anki_profile(anki_path)
        for field in ("first_rating_prob", "review_rating_prob", "learning_step_transitions", "relearning_step_transitions"):
            assert flat(getattr(ours_profile, field)) == pytest.approx(flat(getattr(theirs_profile, field)), rel=1e-4), field
        assert flat(ours_profile.state_rating_costs) == pytest.approx(flat(theirs_profile.state_rating_costs), abs=0.006)

        clear_cache()
        workload = load_workload(db, datetime.fromtimestamp(now, UTC), SETTINGS)
        assert workload.cards == CARDS
        ours = {days: dict(zip(RETENTIONS, forecasts(workload, RETENTIONS, days) or [], strict=True)) for days in SPANS}
    finally:
        db.dispose()
    theirs = {(days, r): anki_forecast(anki_path, r, days) for days in SPANS for r in RETENTIONS}

    off = []
    for (days, retention), (reviews, new, minutes) in theirs.items():
        mine = ours[days][retention]
        pairs = (
            ("reviews", sum(mine.reviews) / days, reviews),
            ("new", sum(mine.new) / days, new),
            ("minutes", mine.mean_minutes, minutes),
        )
        for name, got, want in pairs:
            if abs(got - want) > TOLERANCE * want:
                off.append(f"{days} days at {retention:.0%}: {name} a day {got:.2f}, Anki {want:.2f}")
    assert off == []
    # The comparison has teeth: a retention 10 points off is further than 5 % from Anki's figures.
    for days in SPANS:
        assert sum(ours[days][0.8].reviews) / days < (1 - TOLERANCE) * theirs[(days, 0.9)][0]
