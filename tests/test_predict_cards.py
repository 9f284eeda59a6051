"""The bundled predict cards are answerable: each demo, run with the fixed seed and the card's
drawn parameters, reports the metric, and the answer the card teaches is judged right
(and a clearly wrong one is not)."""

from __future__ import annotations

import math

import pytest

from studydl.decks.parser import parse_file
from studydl.demos.measure import measure
from studydl.demos.spec_index import SpecIndex
from studydl.domain.checks import Choice
from studydl.engine.predict import DEMO_SEED, draw, judge
from studydl.resources import bundled_decks_dir

EXPECTED = {
    "predict-sigmoid-max-slope": lambda p: 0.25,
    "predict-tanh-max-slope": lambda p: 1.0,
    "predict-perceptron-xor": lambda p: "at most three",
    "predict-xor-mlp-accuracy": lambda p: "all four",
    "predict-accumulation-unscaled": lambda p: float(p["micro_batches"]),
    "predict-logistic-initial-loss": lambda p: math.log(2),
    "predict-learning-rate-limit": lambda p: 2 / p["curvature"],
    "predict-conv-output-size": lambda p: float((p["size"] + 2 * p["padding"] - 3) // p["stride"] + 1),
    "predict-mlp-shifted-shapes": lambda p: "near chance",
    "predict-rnn-exploding": lambda p: "explodes (about 1000)",
    "predict-rnn-vanishing": lambda p: p["small_scale"] ** (p["length"] - 1),
    "predict-lstm-forget-gate": lambda p: "near 1",
    "predict-gru-update-gate": lambda p: "near 1",
    "predict-causal-attention": lambda p: 0.0,
    "predict-autoencoder-vs-mean": lambda p: "about a tenth",
    "predict-l1-sparsity": lambda p: "most",
    "predict-bias-variance-best-degree": lambda p: "between 3 and 6",
    "predict-bias-variance-train-error": lambda p: 1 - (p["max_degree"] + 1) / p["points"],
    "predict-always-negative-accuracy": lambda p: 1 - p["positives"],
    "predict-imbalanced-average-precision": lambda p: "about 0.6",
    "predict-xavier-relu-variance": lambda p: 2.0 ** -(p["depth"] - 1),
    "predict-tanh-saturation": lambda p: "most",
    "predict-schedules-beat-constant": lambda p: "all three",
    "predict-receptive-field-size": lambda p: float(1 + p["layers"] * (p["kernel"] - 1)),
    "predict-dilation-gaps": lambda p: "about a quarter",
    "predict-feature-extraction-accuracy": lambda p: "about 97 %",
    "predict-attention-crossover": lambda p: 2.0 * p["d_model"],
    "predict-greedy-sentence": lambda p: p["trap_first"] / p["trap_spread"],
    "predict-vae-collapse": lambda p: "under one nat",
}
"""What each card's answer says, as a function of the parameters drawn."""


def _predict_cards() -> list:
    specs = SpecIndex()
    cards = []
    for path in sorted(bundled_decks_dir().glob("*.md")):
        deck = parse_file(path, specs)
        assert deck.ok, deck.errors
        cards += [c for c in deck.cards if c.check.predict is not None]
    return cards


CARDS = _predict_cards()


def test_at_least_twelve_predict_cards_in_several_decks_all_with_a_taught_answer() -> None:
    assert len(CARDS) >= 12
    assert {c.explicit_id for c in CARDS} == set(EXPECTED)
    assert sum(1 for c in CARDS if c.check.predict.vary) >= 4  # parametric: not memorizable as a string


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.explicit_id)
def test_predict_card_is_answerable(card) -> None:  # noqa: ANN001
    prediction = card.check.predict
    for answers in range(3 if prediction.vary else 1):
        params = draw(prediction, 1000 + answers, answers)
        measured = measure(card.demo_id, params, seed=DEMO_SEED, cache_dir=None)
        value = measured.metrics[prediction.metric]
        assert math.isfinite(value) and measured.stopped is None
        taught = EXPECTED[card.explicit_id](params)
        if prediction.choices:
            right = next(c for c in prediction.choices if c.label == taught)
            assert judge(prediction, right, value).right, (params, value)
            wrong = next(c for c in prediction.choices if c != right)
            assert not judge(prediction, wrong, value).right
        else:
            assert judge(prediction, taught, value).right, (params, value, taught)
            off = taught * 2 + 1 if taught >= 0 else taught * 2 - 1
            assert not judge(prediction, off, value).right, "the tolerance is too loose to tell"
        assert not isinstance(taught, Choice)
