"""The learner's workload as fsrs-rs's own simulator takes it (`fsrs_rs_python`, Anki's engine).

Only the minimum recommended retention (fsrs-rs's `optimal_retention`, a search no
other library offers) still runs fsrs-rs's simulator; forecasts run studydl's numpy
simulation of the same model (engine/simulation.py), which starts from existing cards.
"""

from __future__ import annotations

import math

from studydl.engine.workload_cards import DeckWorkload, Workload

NO_COST_LIMIT = 1e12
"""fsrs-rs stops a simulated day at a cost limit; the learner's day has none."""


def simulator_config(workload: Workload, deck: DeckWorkload, days: int):  # noqa: ANN201 - fsrs_rs_python.SimulatorConfig
    """fsrs-rs's SimulatorConfig for one deck: its limits and the learner's own answer profile."""
    import fsrs_rs_python as fsrs_rs

    profile = workload.profile
    config = fsrs_rs.default_simulator_config()
    config.deck_size = deck.size
    config.learn_span = days
    config.max_cost_perday = NO_COST_LIMIT
    config.max_ivl = float(workload.maximum_interval)
    config.first_rating_prob = list(profile.first_rating_prob)
    config.review_rating_prob = list(profile.review_rating_prob)
    config.learning_step_transitions = [list(row) for row in profile.learning_step_transitions]
    config.relearning_step_transitions = [list(row) for row in profile.relearning_step_transitions]
    config.state_rating_costs = [list(row) for row in profile.state_rating_costs]
    config.learning_step_count = workload.learning_steps
    config.relearning_step_count = workload.relearning_steps
    config.learn_limit = deck.new_limit
    config.review_limit = deck.review_limit
    config.new_cards_ignore_review_limit = True  # the queue's new-card limit stands apart from the review limit
    config.suspend_after_lapses = workload.suspend_after_lapses
    return config


def simulator_cards(workload: Workload, deck: DeckWorkload, retention: float) -> list:
    """fsrs-rs simulator cards: studied ones with their state, then new ones (stability 1e-8, never reviewed)."""
    import fsrs_rs_python as fsrs_rs

    parameters = list(workload.parameters)
    out = []
    for index, studied in enumerate(deck.studied, start=1):
        card = fsrs_rs.Card()
        card.id = index
        card.stability = float(studied.stability)
        card.difficulty = float(studied.difficulty)
        card.last_date = float(studied.last_day)
        card.due = float(studied.due_day)
        card.interval = float(studied.interval)
        card.lapses = int(studied.lapses)
        card.desired_retention = retention
        card.parameters = parameters
        out.append(card)
    if deck.new_limit > 0:
        for index in range(deck.new_cards):
            card = fsrs_rs.Card()
            card.id = -(index + 1)
            card.stability = 1e-8  # kept by fsrs-rs (it drops cards at or below 1e-9) ...
            card.last_date = -math.inf  # ... and learned when due, as a new card
            card.due = float((deck.introduced_today + index) // deck.new_limit)
            card.desired_retention = retention
            card.parameters = parameters
            out.append(card)
    return out
