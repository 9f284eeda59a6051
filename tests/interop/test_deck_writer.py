"""Imported text that looks like our syntax is escaped: every written deck parses with zero errors."""

from __future__ import annotations

from pathlib import Path

from studydl.interop.deck_writer import slug, write_deck
from studydl.interop.result import ImportedCard, ImportResult

NASTY = [
    ImportedCard("Plain", "answer with a stray {{ brace and }} more", one_line=True),
    ImportedCard("Q: looks like a question", "A: looks like an answer\ndemo: lstm-gates\nid: x1\ntags: a, b"),
    ImportedCard("Lists", "- one\n* two\n1. three\n# not a heading\n> not a quote\n---\n<div>html</div>"),
    ImportedCard("Ends with tags", "the answer #looks #like #tags"),
    ImportedCard("front :: with separator", "back", one_line=True),
    ImportedCard("Code in the middle", "before\n```python\nx = {{1}}\n```\nafter the code"),
    ImportedCard("Code at the end", "text\n\n```\nprint('hi')\n```"),
    ImportedCard("[ref]: http://example.com", "a link reference lookalike", one_line=True),
    ImportedCard("A {{gap}} in a :: one-line paragraph #tag", cloze=True),
    ImportedCard("- listy first line {{gap::hint}}\nQ: second line", cloze=True),
    ImportedCard("Plain", "answer with a stray {{ brace and }} more", one_line=True),  # a duplicate
    ImportedCard("", "empty front"),
]


def test_escaping_keeps_every_card_and_the_parser_happy(tmp_path: Path) -> None:
    result = ImportResult(tmp_path / "src.txt", "test", "Nasty: deck", cards=[*NASTY])
    for n, card in enumerate(result.cards, start=1):
        card.line = n
        card.section = "Top / Sub" if n > 5 else ""
    written = write_deck(result, tmp_path / "nasty.md")
    assert written.parsed.errors == []
    assert written.parsed.name == "Nasty: deck"
    skipped = {(s.line, s.reason) for s in written.skipped}
    assert (11, "duplicate card: same as the card earlier in this file") in skipped
    assert (12, "empty question after `Q:`") in skipped
    assert {link.card for link in written.links} == set(range(10))
    unescaped = {(str(c.kind), c.question.replace("\\", ""), c.answer.replace("\\", "")) for c in written.parsed.cards}
    assert ("term", "Plain", "answer with a stray {{ brace and }} more") in unescaped
    assert ("basic", "Q: looks like a question", "A: looks like an answer\ndemo: lstm-gates\nid: x1\ntags: a, b") in unescaped
    assert ("basic", "Lists", "- one\n* two\n1. three\n# not a heading\n> not a quote\n---\n<div>html</div>") in unescaped
    assert ("basic", "Ends with tags", "the answer #looks #like #tags") in unescaped
    assert ("basic", "front :: with separator", "back") in unescaped
    # a code block with text after it cannot stay a fence inside a card: its lines become code spans
    assert ("basic", "Code in the middle", "before\n`x = {{1}}`\nafter the code") in unescaped
    assert ("basic", "Code at the end", "text\n\n```\nprint('hi')\n```") in unescaped
    assert ("term", "[ref]: http://example.com", "a link reference lookalike") in unescaped
    assert ("cloze", "A [...] in a :: one-line paragraph #tag", "A **gap** in a :: one-line paragraph #tag") in unescaped
    assert ("cloze", "- listy first line [hint]\nQ: second line", "- listy first line **gap**\nQ: second line") in unescaped
    assert all(c.tags == () for c in written.parsed.cards)
    assert {c.section for c in written.parsed.cards if c.question.startswith("Code")} == {"Top / Sub"}


def test_slug() -> None:
    assert slug("Deep Learning: CNNs") == "deep-learning-cnns"
    assert slug("!!!") == "imported"
