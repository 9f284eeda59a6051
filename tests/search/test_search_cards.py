"""Searches run against a real collection, SQLite and PostgreSQL (the browser's and `studydl cards`' query language)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studydl.search.cards import search_cards
from studydl.store.db import Database
from tests.tui.tui_samples import NOW, sample_collection


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def collection(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One collection per database for the whole module: these tests only read."""
    root = tmp_path_factory.mktemp("browse-filter")
    db = Database(root / "studydl.db" if request.param == "sqlite" else request.getfixturevalue("pg_server").new_collection())
    sample_collection(db, root)
    yield db
    db.dispose()


def shown(db: Database, query: str) -> set[str]:
    with db.read() as s:
        return {card.question for card in search_cards(s, query, NOW).cards}


def test_empty_query_shows_every_live_card_in_deck_order(collection: Database) -> None:
    cards = shown(collection, "")
    assert len(cards) == 7  # 8 cards, one retired
    assert "the step size of gradient descent" not in cards
    with collection.read() as s:
        result = search_cards(s, "", NOW)
    assert [c.deck for c in result.cards] == ["Neural basics"] * 4 + ["Optimizers"] * 3
    assert result.total == 7


def test_text_search_matches_question_or_answer_any_case(collection: Database) -> None:
    assert shown(collection, "ADAM") == {"What does Adam adapt?"}
    assert shown(collection, "linearly separable") == {"Why does XOR need a hidden layer?"}
    assert shown(collection, '"chain rule"') == {"What is backpropagation?"}
    assert shown(collection, "50%") == set()  # LIKE wildcards are escaped


def test_deck_filter_by_name_stem_prefix_wildcard_and_quoted(collection: Database) -> None:
    assert len(shown(collection, "deck:optimizers")) == 3
    assert len(shown(collection, 'deck:"neural basics"')) == 4
    assert len(shown(collection, "deck:neural*")) == 4
    assert len(shown(collection, "deck:NEURAL")) == 4  # the start of a name
    assert len(shown(collection, "deck:basics")) == 4  # the file stem (basics.md is "Neural basics")
    assert len(shown(collection, "deck:basic*")) == 4
    assert shown(collection, "deck:basic") == set()  # neither a stem, a name nor the start of one
    assert shown(collection, "deck:nothing") == set()
    assert len(shown(collection, "-deck:nothing")) == 7


def test_or_and_groups(collection: Database) -> None:
    assert shown(collection, "is:new or is:flagged") == {"What does one neuron compute?", "Learning rate", "What is backpropagation?"}
    assert shown(collection, "deck:optimizers (is:new or adam)") == {"Learning rate", "What does Adam adapt?"}
    assert len(shown(collection, "-(deck:optimizers or tag:activation)")) == 3


def test_tag_and_section_filters(collection: Database) -> None:
    assert shown(collection, "tag:activation") == {"ReLU"}
    assert len(shown(collection, "tag:basics")) == 4
    assert shown(collection, "tag:basic") == set()
    assert len(shown(collection, "tag:bas*")) == 4
    assert shown(collection, "section:backprop") == {
        "What is backpropagation?",
        "Why does XOR need a hidden layer?",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("is:new", {"What does one neuron compute?", "Learning rate"}),
        ("is:learning", {"What is backpropagation?", "What does Adam adapt?"}),
        ("is:review", {"ReLU", "Why does XOR need a hidden layer?", "What is momentum?"}),
        ("is:due", {"ReLU", "What is backpropagation?", "What does Adam adapt?"}),
        ("is:suspended", {"Why does XOR need a hidden layer?"}),
        ("is:leech", {"Why does XOR need a hidden layer?"}),
        ("is:flagged", {"What is backpropagation?"}),
        ("is:retired", {"the step size of gradient descent"}),
        ("has:demo", {"What is backpropagation?", "Why does XOR need a hidden layer?"}),
        ("demo:perceptron", {"Why does XOR need a hidden layer?"}),
        ("demo:xor-mlp is:due", {"What is backpropagation?"}),
    ],
)
def test_is_has_and_demo_filters(collection: Database, query: str, expected: set[str]) -> None:
    assert shown(collection, query) == expected


def test_negation(collection: Database) -> None:
    assert "What does one neuron compute?" not in shown(collection, "-is:new")
    assert len(shown(collection, "-is:new")) == 5
    # Cards without any demo are kept by -demo:ID.
    assert len(shown(collection, "-demo:perceptron")) == 6
    assert len(shown(collection, "-has:demo")) == 5
    assert shown(collection, "deck:optimizers -adam -is:new") == {"What is momentum?"}
    # Naming is:retired either way turns the default off.
    assert len(shown(collection, "-is:retired")) == 7


def test_limit_and_total(collection: Database) -> None:
    with collection.read() as s:
        result = search_cards(s, "-is:suspended", NOW, limit=3)
    assert len(result.cards) == 3
    assert result.total == 6


def test_an_unknown_term_matches_nothing(collection: Database) -> None:
    assert shown(collection, "is:bogus") == set()
    assert shown(collection, "has:wings or tag:activation") == {"ReLU"}


def test_has_typed_predict_and_cram(tmp_path) -> None:  # noqa: ANN001
    from studydl.decks.sync import sync_decks
    from studydl.domain.review import Rating
    from studydl.engine.cram import CramSession

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "rnn-and-lstm.md").write_text(
        "---\ndeck: Recurrent nets\n---\n"
        "Q: Which gate drops cell state?\nA: The forget gate.\nanswer: typed\n\n"
        "Q: Above which learning rate does it diverge?\nA: 2/k.\ndemo: learning-rate\npredict: limit_lr\ntolerance: 5%\n\n"
        "BPTT :: backpropagation through time\n",
        encoding="utf-8",
    )
    db = Database(tmp_path / "studydl.db")
    try:
        assert sync_decks(db, [folder], known_demos={"learning-rate"}, clock=lambda: NOW).ok
        assert shown(db, "has:typed") == {"Which gate drops cell state?"}
        assert shown(db, "has:predict") == {"Above which learning rate does it diverge?"}
        assert shown(db, "deck:rnn") == shown(db, "deck:lstm") == shown(db, "") != set()  # a word of the file stem
        cram = CramSession(db, "Recurrent nets", clock=lambda: NOW, seed=1)
        due = cram.next_card()
        cram.answer(due.card.id, Rating.GOOD)
        assert shown(db, "has:cram") == {due.card.question}
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "query", ["", "is:due", "is:new or is:flagged", "deck:optimizers (is:new or adam)", "-deck:nothing", "is:retired", "tag:*", "-is:suspended"]
)
def test_the_command_lines_streamed_search_finds_what_the_browser_does_in_its_order(collection: Database, query: str) -> None:
    """`studydl cards` reads the same conditions on the driver's connection, deck by deck."""
    from studydl.domain.days import day_bounds
    from studydl.search.card_lines import card_lines
    from studydl.search.parser import parse_query

    day_end = day_bounds(NOW)[1]
    with collection.read() as s:
        browser = [(c.uid, c.deck, c.where, c.due and f"{c.due.astimezone():%Y-%m-%d}") for c in search_cards(s, query, NOW, day_end=day_end, limit=None).cards]
    with collection.raw_read() as con:
        lines = [(c.uid, c.deck, c.where, c.due_on) for c in card_lines(con, parse_query(query), day_end)]
    assert lines == browser
