"""`studydl check`: a file that is not a deck is an error; `--evidence` grades each predict card's answer on its demo's runs."""

from __future__ import annotations

import re
from pathlib import Path

from studydl.home import Home
from tests.conftest import run_studydl

WRONG = """\
---
deck: Wrong
---

Q: Gradient descent on the bowl with curvature k: above which learning rate does it diverge?
A: 1/k.
id: wrong-limit
demo: learning-rate
predict: limit_lr
tolerance: 5%
vary: curvature=2..10
expect: 1 / curvature

Q: Does a perceptron ever get all four XOR points right?
A: Yes.
id: wrong-choice
demo: perceptron
predict: best_acc_xor
choices: all four = 1, at most three = 0.6
expect: all four

Q: The sigmoid's largest slope, over the span shown?
A: 1/4.
id: idle-span
demo: activations
predict: max_grad_sigmoid
tolerance: 0.01
vary: span=2..10
expect: 0.25

Q: The tanh's largest slope?
A: 1.
id: no-expect
demo: activations
predict: max_grad_tanh
tolerance: 0.02
"""

RIGHT = WRONG.replace("A: 1/k.", "A: 2/k.").replace("expect: 1 / curvature", "expect: 2 / curvature").split("\nQ: Does")[0] + "\n"


def test_a_file_that_is_not_a_deck_is_an_error(home: Home, tmp_path: Path) -> None:
    other = tmp_path / "pyproject.toml"
    other.write_text("[project]\nname = 'x'\n")
    result = run_studydl("check", str(other), home=home)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"{other}:1: not a deck file: decks are Markdown files ending in .md"
    assert result.stdout.strip() == "0 deck files, 0 cards, 1 problem"


def test_evidence_reports_every_wrong_draw_and_an_idle_vary(home: Home, write_deck) -> None:
    deck = write_deck("wrong.md", WRONG)
    result = run_studydl("check", "--evidence", "--seeds", "2", "--jobs", "1", str(deck), home=home, timeout=600)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(deck))]
    by_card = {name: [line for line in lines if f": {name}: " in line] for name in ("wrong-limit", "wrong-choice", "idle-span", "no-expect")}
    # 1/k is wrong at each of the 5 curvatures (2, 4, 6, 8, 10) and both seeds
    assert len(by_card["wrong-limit"]) == 10 and all(line.startswith(f"{deck}:5: ") for line in by_card["wrong-limit"])
    assert "seed 1, curvature=6" in " ".join(by_card["wrong-limit"]) and "off by more than ±5%" in by_card["wrong-limit"][0]
    assert len(by_card["wrong-choice"]) == 2 and "nearest 'at most three'" in by_card["wrong-choice"][0]
    assert [line.split(": ", 2)[2] for line in by_card["idle-span"]] == [
        "vary span = 2..10 changes nothing: max_grad_sigmoid is 0.25 at every span; vary a parameter that moves the answer, or set it"
    ]
    assert len(by_card["no-expect"]) == 1 and "no `expect:` line" in by_card["no-expect"][0]
    assert len(lines) == 14 and "Traceback" not in result.stderr
    assert re.search(r"evidence: 4 predict cards, \d+ runs \(0 from the cache\), 14 findings", result.stdout)


def test_evidence_passes_a_right_card_and_reads_the_cache_the_second_time(home: Home, write_deck) -> None:
    deck = write_deck("right.md", RIGHT)
    first = run_studydl("check", "--evidence", "--seeds", "2", "--jobs", "2", str(deck), home=home, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "evidence: 1 predict card, 10 runs (0 from the cache), 0 findings" in first.stdout
    again = run_studydl("check", "--evidence", "--seeds", "2", str(deck), home=home, timeout=600)
    assert again.returncode == 0 and "10 runs (10 from the cache), 0 findings" in again.stdout
