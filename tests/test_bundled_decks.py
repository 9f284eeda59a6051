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


# The rules of good cards that can be checked mechanically (one fact per card, no list
# answers, no answer given away). A card that breaks one on purpose would need a
# rewrite, not an exception here: a list becomes several cards or a cloze.

LIST_QUESTION = re.compile(
    r"^(name|list)\b|\b(which|what) (two|three|four|five|six)\b|\bwhat are the (two|three|four|five|six|\d+)\b", re.I
)
"""`Name three ...`, `Which two gates ...`, `What are the three sublayers ...`: a list to recite."""
DOUBLE_QUESTION = re.compile(r",? and (why|where|what|how|which|when|who)\b", re.I)
"""`What is X, and why ...?`: two questions, two facts."""
ANSWER_HEAD_END = re.compile(r"[:;(—]|\s–\s|, so\b|, because\b")
EXAMPLES = re.compile(r",?\s+(such as|e\.g\.|like|for example)\b.*$", re.I)
ITEM_SPLIT = re.compile(r",\s*|\s+and\s+|\s*→\s*")
MAX_LIST_ITEMS = 2
"""An answer that is more than this many short items (`A, B and C`) is a list card."""
MAX_ITEM_WORDS = 3
MAX_ANSWER_CHARS = 180
"""A longer answer holds more than one fact (the longest bundled answer is about 175)."""


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text.lower())


def _contains(haystack: str, needle: str) -> bool:
    """`needle` (as whole words, case and punctuation aside) appears in `haystack`."""
    wanted = " ".join(_words(needle))
    return bool(wanted) and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", " ".join(_words(haystack))) is not None


def is_list_answer(answer: str) -> bool:
    """`GANs, diffusion models and Transformers.`: more than two short items (examples after `such as` aside)."""
    if "`" in answer:
        return False
    head = EXAMPLES.sub("", ANSWER_HEAD_END.split(answer, maxsplit=1)[0]).strip().rstrip(".")
    items = [item for item in ITEM_SPLIT.split(head) if item.strip()]
    return len(items) > MAX_LIST_ITEMS and all(len(_words(item)) <= MAX_ITEM_WORDS for item in items)


def card_problems(card) -> list[str]:  # noqa: ANN001 - ParsedCard
    """The mechanical rules a card breaks."""
    question, answer = card.question, card.answer
    if card.kind == "cloze":
        hidden = re.findall(r"\*\*(.+?)\*\*", answer)
        return [f"the hidden {text!r} shows elsewhere in the paragraph" for text in hidden if _contains(question, text)]
    problems = []
    if LIST_QUESTION.search(question):
        problems.append("asks for a list (make several cards or a cloze)")
    if card.kind == "basic" and DOUBLE_QUESTION.search(question):
        problems.append("asks two questions")
    if is_list_answer(answer):
        problems.append("answers with a list (make several cards or a cloze)")
    if _contains(question, answer):
        problems.append("the answer is in the question")
    if " ".join(_words(answer)) in {"yes", "no"}:
        problems.append("a bare yes/no: say why")
    if len(answer) > MAX_ANSWER_CHARS:
        problems.append(f"an answer of {len(answer)} characters: more than one fact")
    return problems


def test_the_rules_catch_the_cards_they_are_for() -> None:
    """Each rule on a card that breaks it, and on its rewrite (so a rule that can never fire fails here)."""
    from studydl.domain.cards import CardKind, ParsedCard

    def basic(question: str, answer: str) -> ParsedCard:
        return ParsedCard(CardKind.BASIC, question, answer, 1)

    bad = {
        "Name two benefits of pooling.": "Less computation and robustness to shifts.",
        "Which two gates does a GRU have?": "An update gate and a reset gate.",
        "Which model families generate images?": "GANs, diffusion models and Transformers.",
        "What is He initialization, and why does it help?": "Variance 2/fan_in.",
        "Is ReLU bounded?": "No.",
        "Which gate decides what to drop, the forget gate or the input gate?": "The forget gate.",
    }
    for question, answer in bad.items():
        assert card_problems(basic(question, answer)), question
    assert card_problems(basic("Why?", "x" * (MAX_ANSWER_CHARS + 1)))
    good = {
        "Why does max pooling make a CNN robust to small shifts?": "A feature moved inside the window gives the same maximum.",
        "What does a single convolutional filter detect?": "One local pattern, such as an edge, a corner or a texture.",
        "Which loss is hit harder by outliers, MSE or MAE?": "MSE, because errors are squared.",
    }
    for question, answer in good.items():
        assert card_problems(basic(question, answer)) == [], question
    leak = ParsedCard(CardKind.CLOZE, "In the decoder's cross-attention the queries come from the [...].", "... **decoder**.", 1)
    assert card_problems(leak)
    fine = ParsedCard(CardKind.CLOZE, "A GRU has an [...] gate and a reset gate.", "A GRU has an **update** gate and a reset gate.", 1)
    assert card_problems(fine) == []


def test_bundled_cards_keep_the_mechanical_rules_of_good_cards() -> None:
    broken = [
        f"{name}:{card.line}: {problem}: {card.question[:60]!r}"
        for name, deck in _parse_all().items()
        for card in deck.cards
        for problem in card_problems(card)
    ]
    assert broken == []


MIN_CARDS_PER_DEMO = 3


def test_every_demo_is_launched_by_several_cards() -> None:
    launches: dict[str, int] = dict.fromkeys(known_ids(), 0)
    for deck in _parse_all().values():
        for card in deck.cards:
            if card.demo_id is not None:
                launches[card.demo_id] = launches.get(card.demo_id, 0) + 1
    few = {demo: n for demo, n in launches.items() if n < MIN_CARDS_PER_DEMO}
    assert few == {}, f"demos launched by fewer than {MIN_CARDS_PER_DEMO} cards: {few}"


def test_no_question_is_asked_twice_across_the_decks() -> None:
    seen: dict[str, str] = {}
    repeated = []
    for name, deck in _parse_all().items():
        for card in deck.cards:
            key = " ".join(_words(card.question))
            if key in seen:
                repeated.append(f"{name}:{card.line} repeats {seen[key]}")
            seen.setdefault(key, f"{name}:{card.line}")
    assert repeated == []
