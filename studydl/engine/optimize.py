"""Personal FSRS parameters fitted to the learner's log with fsrs-rs, as Anki fits them, per preset.

Training items are Anki's (`scheduler/fsrs/params.rs`, `fsrs_items_for_training`):
per card of the preset's decks, each answer given a study day or more after the
previous one, with the card's whole history up to it; elapsed time in study days
(`StudyDays`). The fit is fsrs-rs's `compute_parameters` (8 epochs, short-term on, the
relearning steps that fit in a day), in Rust: no torch. Log-loss and RMSE(bins) before
and after come from fsrs-rs's `evaluate` on the same items, and, as Anki, the new
parameters are kept only when they predict the log better than the current ones. The
replaced parameters stay restorable (`restore_parameters`).

Two checks around the fit, Anki's:

- **Minimum review count**: with fewer than 400 reviews the fit is refused, with
  Anki's sentence and how many more reviews are needed (`MIN_REVIEWS`).
- **Health check** (Anki's "Check health when optimizing"): with more than 300 items,
  fsrs-rs's `evaluate_with_time_series_splits` (fit on the past, predict the future)
  gives log-loss and RMSE(bins); each is divided by what is usual for the log's
  retention and size, and the fit is good when either is within Anki's thresholds
  (log-loss 1.11, RMSE 1.53 times the usual), with Anki's good- or bad-fit wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.presets import read_previous, write_parameters
from studydl.engine.recompute import card_decks
from studydl.engine.settings import DEFAULT_PRESET, Settings, load_settings
from studydl.engine.training_items import training_items
from studydl.store.db import Database

EPOCHS = 8
"""Anki's training epochs."""
MIN_REVIEWS = 400
"""Reviews below which the fit is refused (Anki's `FsrsInsufficientReviews`: "You must have at least 400 reviews")."""
HEALTH_CHECK_ITEMS = 300
"""Anki runs the health check on more training items than this."""
LOG_LOSS_LIMIT, RMSE_LIMIT = 1.11, 1.53
"""Anki's health check: a good fit when either adjusted figure is within its limit."""
GOOD_FIT = "Health Check:\nFSRS can adapt to your memory well."
BAD_FIT = (
    "Health Check:\nYour memory is difficult for FSRS to predict. Recommendations:\n\n"
    "- Suspend or reformulate any cards you constantly forget.\n"
    '- Use the answer buttons consistently. Keep in mind that "Hard" is a passing grade, not a failing grade.\n'
    "- Understand before you memorize.\n\n"
    "If you follow these suggestions, performance will usually improve over the next few months."
)
"""Anki's wording (`deck-config-fsrs-good-fit`, `deck-config-fsrs-bad-fit-warning`)."""


@dataclass(frozen=True)
class TrainingSet:
    items: list
    """fsrs_rs_python.FSRSItem, in the order of their last answer."""
    card_ids: list[int]
    reviews: int
    """Answers of the cards that give items."""
    last_ratings: list[int]
    """Each item's last rating (what it predicts)."""


def training_set(db: Database, settings: Settings, preset: str | None = None) -> TrainingSet:
    """The FSRS training items of the log (cards whose history starts from new; of `preset`'s decks, if given).

    Built from the log in bulk (`training_items`): the same items as card by card through `read_logs`.
    """
    with db.raw_read() as con:
        keep = None
        if preset is not None:
            decks = card_decks(con)

            def keep(cards):  # noqa: ANN001, ANN202 - unique card ids -> bool array
                return np.array([settings.preset_of(decks.get(c, "")) == preset for c in cards.tolist()], dtype=bool)

        found = training_items(con, settings.study_days(), keep)
    return TrainingSet(found.items, found.card_ids, found.reviews, found.last_ratings)


def evaluate(model: FsrsModel, items: Sequence) -> tuple[float, float] | None:
    """(log-loss, RMSE(bins)), or None with no items."""
    return model.evaluate(items) if items else None


def relearning_steps_in_a_day(steps_min: Sequence[float]) -> int:
    """The relearning steps before a day has passed (Anki's `numOfRelearningSteps` for the fit)."""
    total, count = 0.0, 0
    for minutes in steps_min:
        total += minutes
        if total >= 1440:
            break
        count += 1
    return count


def _fit_input(training: TrainingSet, settings: Settings) -> dict:
    import fsrs_rs_python as fsrs_rs

    return {
        "card_ids": training.card_ids,
        "enable_short_term": True,
        "num_relearning_steps": relearning_steps_in_a_day(settings.relearning_steps_min),
        "training_config": fsrs_rs.TrainingConfig(num_epochs=EPOCHS),
    }


def fit(training: TrainingSet, settings: Settings) -> tuple[float, ...]:
    """fsrs-rs's fit of the 21 parameters to the items."""
    model = FsrsModel(settings.parameters, settings.desired_retention)
    params = model.fsrs.compute_parameters(training.items, **_fit_input(training, settings))
    return tuple(float(x) for x in params)


@dataclass(frozen=True)
class HealthCheck:
    """How well FSRS predicts this learner's future from the past (Anki's health check)."""

    log_loss: float
    rmse_bins: float
    """fsrs-rs's time-series-split evaluation."""
    adjusted_log_loss: float
    adjusted_rmse: float
    """Each divided by what is usual for the log's retention (and, for RMSE, its size)."""

    @property
    def passed(self) -> bool:
        return self.adjusted_log_loss <= LOG_LOSS_LIMIT or self.adjusted_rmse <= RMSE_LIMIT

    @property
    def message(self) -> str:
        return GOOD_FIT if self.passed else BAD_FIT


def health_check(training: TrainingSet, settings: Settings) -> HealthCheck | None:
    """Anki's health check, on more than 300 items (None otherwise)."""
    import fsrs_rs_python as fsrs_rs

    count = len(training.items)
    if count <= HEALTH_CHECK_ITEMS:
        return None
    found = fsrs_rs.evaluate_with_time_series_splits(training.items, **_fit_input(training, settings))
    recalled = sum(1 for rating in training.last_ratings if rating > 1) / count
    log_loss_usual = 0.623 * (4.0 * recalled * (1.0 - recalled)) ** 0.738
    rmse_usual = 0.0135 / (recalled**0.504 - 1.14) + 0.176 / ((count / 1000.0) ** 0.825 + 2.22) + 0.101
    log_loss, rmse = float(found.log_loss), float(found.rmse_bins)
    return HealthCheck(log_loss, rmse, log_loss / log_loss_usual, rmse / rmse_usual)


@dataclass(frozen=True)
class OptimizeResult:
    """What `optimize_collection` found and did."""

    items: int
    """Training items (answers a study day or more after the card's previous one)."""
    reviews: int
    before: tuple[float, float] | None = None
    """(log-loss, RMSE(bins)) of the current parameters."""
    after: tuple[float, float] | None = None
    """The same for the fitted parameters."""
    parameters: tuple[float, ...] | None = None
    better: bool = False
    saved: bool = False
    preset: str = DEFAULT_PRESET
    health: HealthCheck | None = None

    @property
    def refused(self) -> bool:
        """Too few reviews to fit (see MIN_REVIEWS)."""
        return self.reviews < MIN_REVIEWS

    @property
    def reviews_needed(self) -> int:
        return max(0, MIN_REVIEWS - self.reviews)

    @property
    def refusal(self) -> str:
        """Anki's sentence, and how many more reviews are needed."""
        return (
            f"Only {self.reviews} reviews were found. You must have at least {MIN_REVIEWS} reviews for this operation"
            f" ({self.reviews_needed} more needed)."
        )


def optimize_collection(
    db: Database,
    *,
    save: bool = True,
    settings: Settings | None = None,
    preset: str = DEFAULT_PRESET,
    check_health: bool = True,
) -> OptimizeResult:
    """Fit a preset's parameters to its decks' log; save them (keeping the old ones restorable) when they predict it better.

    Refused (nothing fitted) below MIN_REVIEWS reviews.
    """
    settings = settings if settings is not None else load_settings(db)
    seen = settings.for_preset(preset)
    training = training_set(db, settings, preset if (settings.presets or preset != settings.preset) else None)
    if training.reviews < MIN_REVIEWS or not training.items:
        return OptimizeResult(len(training.items), training.reviews, preset=preset)
    current = FsrsModel(seen.parameters, seen.desired_retention)
    before = evaluate(current, training.items)
    parameters = fit(training, seen)
    after = evaluate(current.with_parameters(parameters), training.items)
    better = before is not None and after is not None and after[0] < before[0]
    health = health_check(training, seen) if check_health else None
    if save and better:
        save_parameters(db, parameters, seen.parameters, preset)
    return OptimizeResult(
        len(training.items), training.reviews, before, after, parameters, better, save and better, preset, health
    )


def save_parameters(
    db: Database, parameters: Sequence[float] | None, previous: Sequence[float] | None, preset: str = DEFAULT_PRESET
) -> None:
    """Store a preset's new parameters (with the FSRS version and count) and remember the ones they replace."""
    with db.write() as s:
        write_parameters(s, preset, parameters, previous)


def previous_parameters(db: Database, preset: str = DEFAULT_PRESET) -> tuple[bool, tuple[float, ...] | None]:
    """(whether any are kept, the preset's parameters before its last saved fit; None = the defaults)."""
    with db.read() as s:
        return read_previous(s, preset)


def restore_parameters(db: Database, preset: str = DEFAULT_PRESET) -> tuple[float, ...] | None:
    """Go back to the preset's parameters before its last saved fit (again: forward); returns them.

    Raises LookupError when no fit was ever saved.
    """
    kept, previous = previous_parameters(db, preset)
    if not kept:
        raise LookupError("no earlier parameters to restore: `studydl optimize` has not saved a fit yet")
    current = load_settings(db).options_of(preset).parameters
    save_parameters(db, previous, current, preset)
    return previous
