"""The search language parsed into a tree: terms, negation, `or`, groups and problems."""

from __future__ import annotations

from studydl.search.parser import NOTHING, And, Not, Or, Query, Term, parse_query


def test_parse_splits_filters_quotes_and_negation() -> None:
    parsed = parse_query('relu deck:"Neural basics" -is:new "a phrase" http://x tag:')
    assert parsed.node == And(
        (
            Term(None, "relu"),
            Term("deck", "Neural basics"),
            Not(Term("is", "new")),
            Term(None, "a phrase"),
            Term(None, "http://x"),
        )
    )
    assert parsed.problems == ("tag: needs a value",)


def test_unknown_is_value_is_a_problem_and_matches_nothing() -> None:
    parsed = parse_query("is:bogus relu")
    assert parsed.node == And((Term(NOTHING, "is:bogus"), Term(None, "relu")))
    assert "unknown is:bogus" in parsed.problems[0]
    assert len(parsed.problems[0]) < 80  # fits the browser's line at 80 columns


def test_is_values_accept_a_unique_prefix_while_typing() -> None:
    assert parse_query("is:sus").node == Term("is", "suspended")
    assert parse_query("is:le").problems  # learning or leech: not yet


def test_or_binds_looser_than_and_and_groups_nest() -> None:
    assert parse_query("a b or c").node == Or((And((Term(None, "a"), Term(None, "b"))), Term(None, "c")))
    assert parse_query("deck:cnn (is:new OR is:due)").node == And(
        (Term("deck", "cnn"), Or((Term("is", "new"), Term("is", "due"))))
    )
    assert parse_query("-(tag:x or tag:y)").node == Not(Or((Term("tag", "x"), Term("tag", "y"))))
    assert parse_query('"or" and').node == Term(None, "or")  # quoted, a word; `and` alone, nothing


def test_brackets_inside_words_and_unclosed_groups() -> None:
    assert parse_query("max(0, x)").node == And((Term(None, "max(0,"), Term(None, "x)")))
    parsed = parse_query("(is:new relu")
    assert parsed.node == And((Term("is", "new"), Term(None, "relu")))
    assert parsed.problems == ("`(` without a `)`",)


def test_empty_and_retired() -> None:
    assert parse_query("  ") == Query(None, ())
    assert not parse_query("relu").shows_retired
    assert parse_query("-is:retired").shows_retired
    assert [t.value for t in parse_query("a (b or -c)").terms()] == ["a", "b", "c"]
