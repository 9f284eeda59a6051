"""The bundled decks a learner reviews on day one: valid, big enough, and wired to every demo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from studydl.decks.parser import parse_file
from studydl.demos.catalogue import known_ids
from studydl.resources import bundled_decks_dir

REPO = Path(__file__).resolve().parent.parent
DECKS_DIR = bundled_decks_dir()
DECK_FILES = sorted(DECKS_DIR.glob("*.md"))

MIN_TOTAL_CARDS = 200
MIN_CARDS_PER_DECK = 10


def _parse_all(check_demos: bool = True):
    """Parse every bundled deck; with `check_demos`, an unknown demo id is an error (and dropped)."""
    demos = known_ids() if check_demos else None
    return {path.name: parse_file(path, demos) for path in DECK_FILES}


def test_there_are_bundled_decks_with_kebab_case_names() -> None:
    assert DECK_FILES, f"no *.md deck in {DECKS_DIR}"
    for path in DECK_FILES:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*\.md", path.name), path.name


def test_every_bundled_deck_parses_without_errors() -> None:
    problems = [str(p) for deck in _parse_all().values() for p in deck.errors]
    assert problems == []


def test_demo_ids_in_decks_and_catalogue_match() -> None:
    """Every demo a card names exists, and every demo in the catalogue is reachable from a card."""
    catalogue = known_ids()
    assert catalogue, "the demo catalogue is empty"
    named: dict[str, set[str]] = {}
    # Parsed without the catalogue, so the ids are kept exactly as the decks write them.
    for name, deck in _parse_all(check_demos=False).items():
        for card in deck.cards:
            if card.demo_id is not None:
                named.setdefault(card.demo_id, set()).add(name)
    unknown = {demo: sorted(decks) for demo, decks in named.items() if demo not in catalogue}
    assert unknown == {}, f"cards name demos that are not in the catalogue: {unknown}"
    unreachable = sorted(catalogue - named.keys())
    assert unreachable == [], f"catalogue demos no bundled card names: {unreachable}"


def test_card_counts() -> None:
    decks = _parse_all()
    counts = {name: len(deck.cards) for name, deck in decks.items()}
    small = {name: n for name, n in counts.items() if n < MIN_CARDS_PER_DECK}
    assert small == {}, f"decks with fewer than {MIN_CARDS_PER_DECK} cards: {small}"
    assert sum(counts.values()) >= MIN_TOTAL_CARDS, counts


@pytest.mark.slow
def test_studydl_check_on_bundled_decks_is_clean() -> None:
    """The real entry point, as a user runs it: exit 0 and nothing on stderr."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "studydl", "check", str(DECKS_DIR)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr or result.stdout
    assert result.stderr == ""
