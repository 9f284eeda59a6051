"""Property-based checks of the parser: written cards read back the same; any text parses or fails by line."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydl.decks.parser import parse_bytes, parse_text
from studydl.domain.cards import CardKind

P = Path("prop.md")

# Words that cannot be card syntax on their own: no braces, colons, backticks, markup starters.
word = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ"),
    st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789()+-*=,.?'"), max_size=7),
)
phrase = st.lists(word, min_size=1, max_size=6).map(" ".join)


def line_count(text: str) -> int:
    """Lines as the parser (and markdown-it) count them: \n, \r\n and \r end a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


@st.composite
def card_specs(draw: st.DrawFn) -> tuple[str, str, str]:
    kind = draw(st.sampled_from(["basic", "term", "pair", "cloze"]))
    return kind, draw(phrase), draw(phrase)


def render(kind: str, front: str, back: str) -> str:
    if kind == "basic":
        return f"Q: {front}\nA: {back}"
    if kind == "term":
        return f"{front} :: {back}"
    if kind == "pair":
        return f"{front} ::: {back}"
    return f"{front} {{{{{back}}}}} end"


def expected(kind: str, front: str, back: str) -> list[tuple[CardKind, str, str]]:
    if kind == "basic":
        return [(CardKind.BASIC, front, back)]
    if kind == "term":
        return [(CardKind.TERM, front, back)]
    if kind == "pair":
        return [(CardKind.TERM, front, back), (CardKind.REVERSE, back, front)]
    return [(CardKind.CLOZE, f"{front} [...] end", f"{front} **{back}** end")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(card_specs(), min_size=1, max_size=8, unique_by=lambda c: (c[1], c[2])), st.lists(phrase, max_size=3))
def test_written_cards_read_back_the_same(specs: list[tuple[str, str, str]], headings: list[str]) -> None:
    blocks = [f"# {h}" for h in headings] + [render(*spec) for spec in specs]
    deck = parse_text(P, "\n\n".join(blocks) + "\n")
    got = [(c.kind, c.question, c.answer) for c in deck.cards]
    want = [card for spec in specs for card in expected(*spec)]
    # The same text twice is a duplicate error; otherwise every card comes back as written.
    if deck.errors:
        assert all("duplicate card" in e.message for e in deck.errors)
    else:
        assert got == want
        lines = [c.line for c in deck.cards]
        assert lines == sorted(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_parses_or_reports_numbered_lines(text: str) -> None:
    deck = parse_text(P, text)
    total = line_count(text)
    for problem in deck.errors:
        assert 1 <= problem.line <= total
        assert str(problem).startswith(f"prop.md:{problem.line}: ")
    for card in deck.cards:
        assert card.question.strip() and card.answer.strip()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_report(data: bytes) -> None:
    deck = parse_bytes(P, data)  # never raises: bytes become cards or numbered problems
    total = line_count(data.decode("utf-8", errors="replace"))
    for problem in deck.errors:
        assert 1 <= problem.line <= total
    for card in deck.cards:
        assert card.question.strip() and card.answer.strip()
