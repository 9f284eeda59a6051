"""review --plain end to end over a pipe: Markdown and math rendered, typed answers, predictions, cram."""

from __future__ import annotations

import json

import pytest

from studydl.decks.sync import sync_decks
from studydl.demos.spec_index import SpecIndex
from tests.backends import query

DECK = """\
---
deck: Checks
---

Q: Which **LSTM gate** decides what to drop? $\\sigma(x) = \\frac{1}{1+e^{-x}}$ is its activation.
A: The forget gate.
answer: typed

Q: Gradient descent on the bowl with the curvature shown: above which learning rate does it diverge?
A: $2/k$.
demo: learning-rate
predict: limit_lr
tolerance: 5%
vary: curvature=2..10
"""


def _setup(home, write_deck):  # noqa: ANN001, ANN202
    path = write_deck("checks.md", DECK)
    db = home.open_db()
    assert sync_decks(db, [path], known_demos=SpecIndex()).ok
    db.dispose()


def _log(home) -> list[tuple]:  # noqa: ANN001
    return query(home, "SELECT card_id, rating, kind, detail FROM review_log ORDER BY id")


@pytest.mark.parametrize("backend", ["sqlite"])  # (its seconds go to the demo's torch run; the other tests here cover the server)
def test_typed_answer_and_prediction_over_a_pipe(home, write_deck, cli) -> None:
    _setup(home, write_deck)
    # typed card: a typo, Enter accepts Again; predict card: 0.5, Enter accepts the proposal
    result = cli("review", "--plain", "--deck", "Checks", home=home, input="the forgt gate\n\n0.5\n\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Q: Which LSTM gate decides what to drop? σ(x) = 1/(1+e⁻ˣ) is its activation." in out  # no ** nor $
    assert "you typed: the forgt gate" in out and "expected:  The forg(e)t gate." in out
    assert "✗ not quite" in out and "(Enter: Again · " in out
    assert "demo learning-rate · curvature = " in out
    curvature = float(out.split("curvature = ")[1].split()[0])
    assert "measured: " + f"{2 / curvature:.4g}" in out
    log = _log(home)
    assert [(rating, kind) for _, rating, kind, _ in log][0] == (1, "scheduled")
    typed, predicted = (json.loads(detail) for *_, detail in log)
    assert typed == {"typed": "the forgt gate", "expected": "The forget gate.", "correct": False}
    assert predicted["params"] == {"curvature": curvature} and predicted["prediction"] == 0.5
    right = abs(0.5 - 2 / curvature) <= 0.05 * 2 / curvature
    assert predicted["right"] is right and log[1][1] == (3 if right else log[1][1])
    assert predicted["cached"] is False
    assert list((home.root / "cache" / "demo-results").glob("learning-rate-*.json"))


def test_a_right_typed_answer_proposes_good_and_a_digit_overrides(home, write_deck, cli) -> None:
    _setup(home, write_deck)
    result = cli("review", "--plain", "--deck", "Checks", home=home, input="THE forget-gate!\n4\n/q\n")
    assert result.returncode == 0, result.stderr
    assert "✓ right" in result.stdout and "(Enter: Good · " in result.stdout
    assert [(rating, kind) for _, rating, kind, _ in _log(home)] == [(4, "scheduled")]


def test_cram_over_a_pipe_logs_cram_and_keeps_the_schedule(home, write_deck, cli) -> None:
    path = write_deck("typed.md", DECK.split("\nQ: Gradient")[0].replace("deck: Checks", "deck: Typed"))
    db = home.open_db()
    assert sync_decks(db, [path]).ok
    db.dispose()
    before = query(home, "SELECT id, state, due, reps FROM cards ORDER BY id")
    result = cli("review", "--plain", "--cram", "--deck", "typ", home=home, input="the forget gate\n\n/q\n")
    assert result.returncode == 0, result.stderr
    assert "Cram: every card of the deck" in result.stdout and "(cram: schedule unchanged)" in result.stdout
    assert "1 Again 1m   2 Hard 10m   3 Good end   4 Easy end" in result.stdout
    assert [(rating, kind) for _, rating, kind, _ in _log(home)] == [(3, "cram")]
    after = query(home, "SELECT id, state, due, reps FROM cards ORDER BY id")
    assert after == before


def test_cram_needs_a_deck(home, cli) -> None:
    result = cli("review", "--plain", "--cram", home=home, input="")
    assert result.returncode == 2 and "--cram needs --deck" in result.stderr
