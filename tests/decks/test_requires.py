"""`requires:` in a deck's front matter: syntax and own sections (parser), decks, sections and cycles (check)."""

from __future__ import annotations

import re
from pathlib import Path

from studydl.course.check import course_deck
from studydl.course.graph import build_graph
from studydl.decks.parser import parse_file, parse_text
from studydl.decks.roots import DeckRoots
from studydl.resources import bundled_decks_dir
from tests.conftest import run_studydl

TWO_SECTIONS = """\
---
deck: Mine
requires:
  Two: ["#One", cnn#Pooling layers]
---
# One
Q: a?
A: b

# Two
Q: c?
A: d
"""


def test_a_section_requires_its_own_deck_and_another() -> None:
    deck = parse_text(Path("mine.md"), TWO_SECTIONS)
    assert deck.ok, deck.errors
    assert [(r.section, str(r.needs), r.line) for r in deck.requires] == [("Two", "#One", 4), ("Two", "cnn#Pooling layers", 4)]


def test_syntax_and_unknown_own_sections_are_deck_problems_at_their_line() -> None:
    text = """\
---
requires:
  One: [no-hash-here]
  Nowhere: ["#One"]
---
# One
Q: a?
A: b
"""
    problems = [(p.line, p.message) for p in parse_text(Path("bad.md"), text).errors]
    assert any(line == 3 and "write `deck#Section`" in m for line, m in problems)
    assert any(line == 4 and "'Nowhere', which is not a section with cards in this deck" in m for line, m in problems)


def test_check_reports_unknown_decks_sections_and_cycles_with_file_and_line(write_deck) -> None:
    path = write_deck("mine.md", """\
        ---
        requires:
          One: ["#Two"]
          Two: ["#One"]
          Three: [nope#X, cnn#Nothing like it]
        ---
        # One
        Q: a?
        A: b

        # Two
        Q: c?
        A: d

        # Three
        Q: e?
        A: f
        """)
    result = run_studydl("check", str(path))
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert f"{path}:5: `requires:` names deck 'nope', which is not known" in out
    assert f"{path}:5: `requires:` names 'Nothing like it', which is not a section with cards in deck 'cnn'" in out
    assert re.search(rf"{re.escape(str(path))}:[34]: `requires:` makes a cycle \(each section before the next\): (One → Two → One|Two → One → Two)", out)


def test_a_deck_of_your_own_may_require_a_bundled_section(write_deck) -> None:
    path = write_deck("mine.md", TWO_SECTIONS)
    result = run_studydl("check", str(path))
    assert result.returncode == 0, result.stdout


def test_the_bundled_decks_declare_a_sparse_acyclic_course() -> None:
    found = DeckRoots().find([bundled_decks_dir()])
    graph = build_graph([course_deck(f, parse_file(f.path)) for f in found.files])
    assert graph.problems == []
    edges = {(e.before, e.after) for e in graph.edges}
    assert ("training-and-backprop#Backpropagation", "training-and-backprop#Vanishing and exploding gradients") in edges
    assert ("rnn-and-lstm#Recurrent neural networks / Limits of vanilla RNNs", "rnn-and-lstm#LSTM") in edges
    assert ("transformers#The Transformer / Attention", "transformers#The Transformer") in edges
    assert ("training-and-backprop#Vanishing and exploding gradients", "rnn-and-lstm#Recurrent neural networks / Limits of vanilla RNNs") in edges
    assert len(graph.edges) < len(graph.nodes)  # sparse: fewer edges than sections
