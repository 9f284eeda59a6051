"""Personal FSRS parameters fitted to the learner's log with fsrs-rs, as Anki fits them.

Training items are Anki's (`scheduler/fsrs/params.rs`, `fsrs_items_for_training`):
per card, each answer given a study day or more after the previous one, with the
card's whole history up to it; elapsed time in study days (`StudyDays`). The fit is
fsrs-rs's `compute_parameters` (8 epochs, short-term on, the relearning step count),
in Rust: no torch. Log-loss and RMSE(bins) before and after come from fsrs-rs's
`evaluate` on the same items, and, as Anki, the new parameters are kept only when
they predict the log better than the current ones. The replaced parameters stay
restorable (`restore_parameters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studydl.engine.fsrs_model import FsrsModel, fsrs_item
from studydl.engine.presets import read_previous, write_parameters
from studydl.engine.recompute import item_reviews, read_logs
from studydl.engine.settings import DEFAULT_PRESET, Settings, load_settings
from studydl.store.db import Database

EPOCHS = 8
"""Anki's training epochs."""


@dataclass(frozen=True)
class TrainingSet:
    items: list
    """fsrs_rs_python.FSRSItem, in the order of their last answer."""
    card_ids: list[int]
    reviews: int
    """Answers of the cards that give items."""


def training_set(db: Database, settings: Settings) -> TrainingSet:
    """The FSRS training items of the whole log (cards whose history starts from new)."""
    days = settings.study_days()
    found: list[tuple[object, int, object]] = []
    reviews = 0
    with db.raw_read() as con:
        logs = list(read_logs(con))
    for log in logs:
        if log.start.memory_state is not None:  # history begins mid-way (an import): Anki skips it too
            continue
        steps = item_reviews(log, days)
        reviews += len(steps)
        for index in range(1, len(steps)):
            if steps[index][1] > 0:
                found.append((log.answers[index][0], log.card_id, fsrs_item(steps[: index + 1])))
    found.sort(key=lambda entry: entry[0])
    return TrainingSet([item for _, _, item in found], [cid for _, cid, _ in found], reviews)


def evaluate(model: FsrsModel, items: Sequence) -> tuple[float, float] | None:
    """(log-loss, RMSE(bins)), or None with no items."""
    return model.evaluate(items) if items else None


def fit(training: TrainingSet, settings: Settings) -> tuple[float, ...]:
    """fsrs-rs's fit of the 21 parameters to the items."""
    import fsrs_rs_python as fsrs_rs

    model = FsrsModel(settings.parameters, settings.desired_retention)
    params = model.fsrs.compute_parameters(
        training.items,
        card_ids=training.card_ids,
        enable_short_term=True,
        num_relearning_steps=len(settings.relearning_steps_min),
        training_config=fsrs_rs.TrainingConfig(num_epochs=EPOCHS),
    )
    return tuple(float(x) for x in params)


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


def optimize_collection(db: Database, *, save: bool = True, settings: Settings | None = None) -> OptimizeResult:
    """Fit parameters to the whole log; save them (keeping the old ones restorable) when they predict it better."""
    settings = settings if settings is not None else load_settings(db)
    training = training_set(db, settings)
    if not training.items:
        return OptimizeResult(0, training.reviews)
    current = FsrsModel(settings.parameters, settings.desired_retention)
    before = evaluate(current, training.items)
    parameters = fit(training, settings)
    after = evaluate(current.with_parameters(parameters), training.items)
    better = before is not None and after is not None and after[0] < before[0]
    if save and better:
        save_parameters(db, parameters, settings.parameters)
    return OptimizeResult(len(training.items), training.reviews, before, after, parameters, better, save and better)


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
