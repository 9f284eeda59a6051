"""Fit FSRS parameters to the learner's review log with `fsrs.Optimizer`.

torch and pandas are imported only inside `fit_parameters` (through fsrs.optimizer).
The Optimizer learns only from reviews made a day or more after the card's previous
one (first 64 per card), and below one mini-batch of those (512) it silently returns
the defaults; `MIN_REVIEWS` states that threshold and `trainable_reviews` counts them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import select

from studydl.store.db import Database
from studydl.store.models import ReviewRow

MIN_REVIEWS = 512
"""fsrs.Optimizer's mini-batch size: with fewer trainable reviews it keeps the defaults."""
MAX_SEQ_LEN = 64
"""The Optimizer uses the first 64 reviews of each card."""


def load_review_logs(db: Database) -> list[fsrs.ReviewLog]:
    """The whole review log as fsrs ReviewLogs, oldest first."""
    query = select(ReviewRow.card_id, ReviewRow.rating, ReviewRow.reviewed_at, ReviewRow.duration_ms).order_by(
        ReviewRow.reviewed_at, ReviewRow.id
    )
    with db.read() as s:
        rows = s.execute(query).all()
    return [fsrs.ReviewLog(card_id, fsrs.Rating(rating), at, ms) for card_id, rating, at, ms in rows]


def _by_card(logs: Sequence[fsrs.ReviewLog]) -> dict[int, list[fsrs.ReviewLog]]:
    cards: dict[int, list[fsrs.ReviewLog]] = defaultdict(list)
    for log in logs:
        cards[log.card_id].append(log)
    return {cid: sorted(items, key=lambda x: x.review_datetime)[:MAX_SEQ_LEN] for cid, items in cards.items()}


def trainable_reviews(logs: Sequence[fsrs.ReviewLog]) -> int:
    """Reviews the Optimizer learns from: a day or more after the card's previous review."""
    count = 0
    for items in _by_card(logs).values():
        for previous, log in zip(items, items[1:], strict=False):
            if (log.review_datetime - previous.review_datetime).days > 0:
                count += 1
    return count


def log_loss(logs: Sequence[fsrs.ReviewLog], parameters: Sequence[float] | None = None) -> float | None:
    """Mean binary cross-entropy of predicted recall on the trainable reviews (fsrs's own loss).

    None when there is no trainable review.
    """
    scheduler = fsrs.Scheduler(parameters=parameters or DEFAULT_PARAMETERS, enable_fuzzing=False)
    total, n = 0.0, 0
    for card_id, items in _by_card(logs).items():
        card = fsrs.Card(card_id=card_id, due=items[0].review_datetime)
        for log in items:
            when = log.review_datetime
            if card.last_review is not None and (when - card.last_review).days > 0:
                p = scheduler.get_card_retrievability(card, when)
                recalled = log.rating != fsrs.Rating.Again
                # torch's BCELoss clamps each log term at -100
                total -= max(math.log(p) if p > 0 else -100.0, -100.0) if recalled else max(
                    math.log(1 - p) if p < 1 else -100.0, -100.0
                )
                n += 1
            card, _ = scheduler.review_card(card, log.rating, when)
    return total / n if n else None


def fit_parameters(logs: Sequence[fsrs.ReviewLog], verbose: bool = True) -> tuple[float, ...]:
    """Fit the 21 FSRS parameters (5 epochs; tqdm shows progress on stderr when verbose)."""
    from fsrs.optimizer import Optimizer  # imports torch and pandas

    return tuple(float(x) for x in Optimizer(list(logs)).compute_optimal_parameters(verbose=verbose))


@dataclass(frozen=True)
class OptimizeResult:
    """What `optimize_collection` found and did."""

    trainable: int
    """Reviews the fit can learn from."""
    needed: int
    """How many more trainable reviews a fit needs (0 when it ran)."""
    loss_before: float | None = None
    loss_after: float | None = None
    parameters: tuple[float, ...] | None = None
    saved: bool = False


def optimize_collection(
    db: Database, *, save: bool = True, verbose: bool = True, min_reviews: int = MIN_REVIEWS
) -> OptimizeResult:
    """Fit parameters to the whole log; save them when they lower the log-loss.

    With fewer than `min_reviews` trainable reviews nothing is fitted (and torch is
    never imported); the result says how many more are needed.
    """
    from studydl.engine.settings import load_settings, save_setting

    logs = load_review_logs(db)
    trainable = trainable_reviews(logs)
    if trainable < min_reviews:
        return OptimizeResult(trainable, min_reviews - trainable)
    current = load_settings(db).parameters
    before = log_loss(logs, current)
    parameters = fit_parameters(logs, verbose=verbose)
    after = log_loss(logs, parameters)
    better = before is not None and after is not None and after < before
    if save and better:
        save_setting(db, "parameters", list(parameters))
    return OptimizeResult(trainable, 0, before, after, parameters, save and better)
