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

MIN_TOTAL_CARDS = 500
MIN_CARDS_PER_DECK = 30


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


CLOZE_GAP = re.compile(r"\{\{(.+?)\}\}")
LIST_JOINER = re.compile(r",|\band\b|\bor\b")


def is_list_cloze(paragraph: str) -> bool:
    """`... {{A}}, {{B}} and {{C}}`: a cloze paragraph that hides more than two items of one list.

    Two gaps are items of one list when only a comma, `and` or `or` and a few words (a
    parenthesis aside) stand between them.
    """
    gaps = list(CLOZE_GAP.finditer(paragraph))
    run = 1
    for left, right in zip(gaps, gaps[1:], strict=False):
        between = paragraph[left.end() : right.start()]
        joined = LIST_JOINER.search(between) and len(_words(re.sub(r"\([^)]*\)", "", between))) <= MAX_ITEM_WORDS + 1
        run = run + 1 if joined else 1
        if run > MAX_LIST_ITEMS:
            return True
    return False


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Each paragraph outside code fences, with its first line number."""
    out: list[tuple[int, str]] = []
    lines: list[str] = []
    start = 0
    fenced = False
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.startswith("```"):
            fenced = not fenced
        if fenced or line.startswith("```"):
            continue
        if line.strip():
            start = start or number
            lines.append(line)
        elif lines:
            out.append((start, " ".join(lines)))
            lines, start = [], 0
    return out


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
    assert is_list_cloze("Four common regularization techniques: {{penalties}}, {{dropout}}, {{early stopping}} and data augmentation.")
    assert is_list_cloze("It fights vanishing gradients with {{ReLU}} activations, {{residual}} connections and careful {{init}}.")
    assert not is_list_cloze("A GRU has an {{update}} gate and a {{reset}} gate.")
    assert not is_list_cloze("A {{forward pass}} computes the loss, a {{backward pass}} computes the gradients, and the {{optimizer}} steps.")
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


def test_bundled_clozes_hide_no_more_than_two_items_of_a_list() -> None:
    """A list of three or more is several cards, each asking one thing (issue 20, item 28)."""
    lists = [
        f"{path.name}:{line}: {paragraph[:60]!r}"
        for path in DECK_FILES
        for line, paragraph in _paragraphs(path.read_text(encoding="utf-8"))
        if is_list_cloze(paragraph)
    ]
    assert lists == []


RETIRED_CLAIMS = {
    "share of the four points": "item 11: a share invites typing 4",
    "with 4 or more hidden units it does so reliably": "item 22: ReLU nets of 4-5 units can fail on XOR",
    "near chance = 0.33": "item 12: four classes, chance is 0.25",
    "never saw the shapes": "item 12: the shifted shapes overlap the training columns",
    "L2 only shrinks them": "item 13: under Adam, L2 also drives most weights toward zero",
    "by the same amount whatever its size": "item 18: true of SGD, not of the Adam the demo trains with",
    "How many input numbers does each bottleneck number stand for": "item 14: arithmetic, nothing about autoencoders",
    "about 2.5 here": "items 15 and 19: saturated tanh makes the step factor about 1.3",
    "scales a gradient down by at least 4": "item 17: only the activation's factor is at most 1/4",
    "so every layer scales the gradient down": "item 17: weights can offset the factor; saturation matters more",
    "never wins there": "item 20: arg-max one-vs-rest has a region for the middle class too",
    "A CNN's shared kernels recognize them anywhere": "item 21: shared kernels give equivariance; invariance needs pooling",
    "every input updates the state the same way": "item 23: the update depends on the input; the RNN lacks a gate",
    "there is one input neuron per feature": "item 24: a categorical feature is one-hot encoded into several inputs",
    "It learns no parameters": "item 25: non-parametric means the model grows with the data",
    "A: The generator minimizes the same objective": "item 26: true of the original minimax loss only",
    "Why doesn't an autoencoder simply learn the identity": "item 27: overcomplete autoencoders exist",
}
"""Claims the review of 2026-12-06 (issue 20) found wrong or misleading, as the decks put them."""


def test_claims_the_review_found_wrong_stay_out() -> None:
    text = " ".join(" ".join(path.read_text(encoding="utf-8").split()) for path in DECK_FILES).casefold()
    back = {claim: why for claim, why in RETIRED_CLAIMS.items() if " ".join(claim.split()).casefold() in text}
    assert back == {}


MIN_TYPED_CARDS = 20
MIN_DECKS_WITH_TYPED = 6
MAX_TYPED_WORDS = 4
"""A typed answer is a name to type (`Forget gate`, `GELU`), not an explanation."""


def _typed_answer(card) -> str:  # noqa: ANN001 - ParsedCard
    if card.kind == "cloze":
        return re.findall(r"\*\*(.+?)\*\*", card.answer)[0]
    return card.answer.replace("`", "")


def test_typed_cards_ask_for_a_short_exact_name_in_most_decks() -> None:
    """Issue 22, item 4: the bundled decks let a learner try typed answers."""
    typed = [(name, card) for name, deck in _parse_all().items() for card in deck.cards if card.check.typed]
    assert len(typed) >= MIN_TYPED_CARDS
    assert len({name for name, _ in typed}) >= MIN_DECKS_WITH_TYPED
    wordy = [
        f"{name}:{card.line}: {_typed_answer(card)!r}"
        for name, card in typed
        if len(_words(_typed_answer(card))) > MAX_TYPED_WORDS or re.search(r"[:;(]", _typed_answer(card))
    ]
    assert wordy == []


CONCEPTS = {
    "regularization.md": ["bias-variance", "underfitting", "validation set", "test set"],
    "classical-machine-learning.md": [
        "precision", "recall", "F1", "ROC", "AUC", "confusion matrix", "imbalance", "bagging", "boosting",
    ],
    "gradient-descent-and-optimizers.md": ["feature", "scaling", "schedule", "warm-up", "bias", "AdamW"],
    "training-and-backprop.md": ["Xavier", "He initialization"],
    "activations.md": ["GELU", "SiLU"],
    "cnn.md": ["ResNet", "receptive field", "1×1 convolution", "cross-correlation", "transfer learning", "fine-tuning"],
    "rnn-and-lstm.md": ["embedding", "bidirectional"],
    "transformers.md": ["greedy", "beam search", "tokenizer", "O(n²)", "pre-LN", "post-LN", "BERT", "GPT"],
    "gans-and-autoencoders.md": ["reparameterization", "KL", "non-saturating", "Wasserstein", "VAE"],
}
"""Issue 25's concepts, each in the deck where a learner would look for it."""


def test_every_course_concept_has_a_card_in_its_deck() -> None:
    decks = _parse_all()
    missing = {
        name: [c for c in concepts if not any(c.casefold() in f"{k.question} {k.answer}".casefold() for k in decks[name].cards)]
        for name, concepts in CONCEPTS.items()
    }
    assert {name: c for name, c in missing.items() if c} == {}


FAST_DEMOS = {"activations", "perceptron", "xor-mlp", "logistic-regression", "gradient-accumulation", "learning-rate", "conv-arithmetic", "gradients-through-time"}
FAST_DEMOS |= {"bias-variance", "precision-recall", "initialization", "receptive-field", "attention-cost"}
"""Predict cards whose demo answers in about a second: checked at every corner of their range."""
OTHER_SEEDS = (1, 2)


def _fast_predict_cards() -> list:
    """The bundled predict cards whose demo is fast, as `check --evidence` takes them."""
    from studydl.demos.card_evidence import PredictCard
    from studydl.demos.spec_index import SpecIndex

    return [
        PredictCard(path, card.line, card.explicit_id, card.demo_id, card.check.predict)
        for path in DECK_FILES
        for card in parse_file(path, SpecIndex()).cards
        if card.check.predict is not None and card.demo_id in FAST_DEMOS
    ]


@pytest.mark.slow
@pytest.mark.parametrize("card", _fast_predict_cards(), ids=lambda c: c.name)
def test_predict_card_holds_at_the_ends_of_its_range_and_at_other_seeds(card) -> None:  # noqa: ANN001
    """Issue 20, items 11 and 16: the taught answer (`expect:`) is right wherever the card draws,
    and every varied parameter changes what is measured (else it varies nothing): what
    `studydl check --evidence` reports, for the cards whose demo answers in about a second."""
    from studydl.demos.card_evidence import check_evidence

    report = check_evidence([card], seeds=(0, *OTHER_SEEDS), jobs=1)
    assert [str(finding) for finding in report.findings] == []


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
