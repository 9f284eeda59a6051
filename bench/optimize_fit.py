"""How long `studydl optimize` takes: fsrs.Optimizer on a synthetic log of N reviews.

    .venv/bin/python bench/optimize_fit.py [--reviews 1000]

Prints the torch import time, the fit time and the log-loss before/after. Never pass/fail.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

import fsrs


def synthetic_logs(n_reviews: int, per_card: int = 9, seed: int = 1) -> list[fsrs.ReviewLog]:
    """A learner who forgets faster than the default parameters predict (recall = R^1.5)."""
    rng = random.Random(seed)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    logs: list[fsrs.ReviewLog] = []
    card_id = 0
    while len(logs) < n_reviews:
        card_id += 1
        card = fsrs.Card(card_id=card_id, due=start)
        when = start + timedelta(hours=rng.uniform(0, 120))
        for _ in range(min(per_card, n_reviews - len(logs))):
            recall = scheduler.get_card_retrievability(card, when) ** 1.5 if card.last_review else 0.6
            rating = fsrs.Rating.Again if rng.random() > recall else rng.choice([fsrs.Rating.Good] * 4 + [fsrs.Rating.Hard, fsrs.Rating.Easy])
            card, log = scheduler.review_card(card, rating, when)
            logs.append(log)
            when = card.due + timedelta(hours=rng.uniform(0, 12))
    return logs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    args = parser.parse_args()
    from studydl.engine.optimize import fit_parameters, log_loss, trainable_reviews

    logs = synthetic_logs(args.reviews)
    print(f"{len(logs)} reviews, {trainable_reviews(logs)} trainable")
    t0 = time.perf_counter()
    import torch  # noqa: F401  (timed apart from the fit)

    print(f"torch import      {time.perf_counter() - t0:7.1f} s")
    before = log_loss(logs)
    t0 = time.perf_counter()
    parameters = fit_parameters(logs, verbose=False)
    print(f"fit (5 epochs)    {time.perf_counter() - t0:7.1f} s")
    print(f"log-loss          {before:.4f} -> {log_loss(logs, parameters):.4f}")


if __name__ == "__main__":
    main()
