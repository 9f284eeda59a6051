"""The bundled predict cards are answerable: each demo, run with the fixed seed and the card's
drawn parameters (no wall-clock budget), reports the metric, and the answer the card teaches
(its `expect:` line) is judged right, and a clearly wrong one is not. `studydl check --evidence`
does the same over each card's whole `vary:` range and several seeds."""

from __future__ import annotations

import math

import pytest

from studydl.decks.expect import evaluate
from studydl.decks.parser import parse_file
from studydl.demos.catalogue import get_spec
from studydl.demos.measure import measure
from studydl.demos.params import resolve_params
from studydl.demos.runner import UNBOUNDED
from studydl.demos.spec_index import SpecIndex
from studydl.engine.predict import DEMO_SEED, draw, judge
from studydl.resources import bundled_decks_dir


def _predict_cards() -> list:
    specs = SpecIndex()
    cards = []
    for path in sorted(bundled_decks_dir().glob("*.md")):
        deck = parse_file(path, specs)
        assert deck.ok, deck.errors
        cards += [c for c in deck.cards if c.check.predict is not None]
    return cards


CARDS = _predict_cards()


def test_at_least_twelve_predict_cards_in_several_decks_each_saying_what_it_teaches() -> None:
    assert len(CARDS) >= 12
    assert all(c.explicit_id and c.check.predict.expect for c in CARDS), [c.explicit_id for c in CARDS if not c.check.predict.expect]
    assert sum(1 for c in CARDS if c.check.predict.vary) >= 4  # parametric: not memorizable as a string


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.explicit_id)
def test_predict_card_is_answerable(card) -> None:  # noqa: ANN001
    prediction = card.check.predict
    for answers in range(3 if prediction.vary else 1):
        params = draw(prediction, 1000 + answers, answers)
        measured = measure(card.demo_id, params, seed=DEMO_SEED, cache_dir=None, budget_s=UNBOUNDED)
        value = measured.metrics[prediction.metric]
        assert math.isfinite(value) and measured.stopped is None
        if prediction.choices:
            right = next(c for c in prediction.choices if c.label == prediction.expect)
            assert judge(prediction, right, value).right, (params, value)
            wrong = next(c for c in prediction.choices if c != right)
            assert not judge(prediction, wrong, value).right
        else:
            taught = evaluate(prediction.expect, resolve_params(get_spec(card.demo_id), params))
            assert judge(prediction, taught, value).right, (params, value, taught)
            off = taught * 2 + 1 if taught >= 0 else taught * 2 - 1
            assert not judge(prediction, off, value).right, "the tolerance is too loose to tell"
