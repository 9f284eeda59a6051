"""Text formats in: Obsidian SR notes, Quizlet/TSV/CSV lists, plain Markdown notes, the shared notes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from studydl.decks.parser import parse_file, parse_text
from studydl.home import Home
from studydl.interop.deck_writer import write_deck
from studydl.interop.importer import ImportOptions, read_source

# shared/ sits beside the clone (CI and the developers' machines alike).
NOTES = next(
    (p for p in (Path(__file__).resolve().parents[3] / "shared" / "notes", Path("/work/shared/notes")) if p.is_dir()),
    Path("/work/shared/notes"),
)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def cards_of(path: Path, options: ImportOptions | None = None) -> dict[tuple[str, str], str]:
    """Import, write the deck, parse it back (zero errors) -> {(kind, question): answer}."""
    result = read_source(path, options or ImportOptions())
    written = write_deck(result, path.with_suffix(".out.md"))
    assert written.parsed.errors == []
    assert parse_text(path, written.text).errors == []
    return {(str(c.kind), c.question): c.answer for c in written.parsed.cards}


OBSIDIAN = """
---
tags: [flashcards/deep-learning]
---
# Activations

ReLU::max(0, x) <!--SR:!2024-08-16,51,230-->
Sigmoid:::squashes into (0, 1)
<!--SR:!2024-08-10,5,250!2024-08-11,6,270-->

What does this line compute?
?
```python
c = f * c + i * g  # {{ not a gap }}
```

Vanishing gradient
??
gradients shrinking as they flow back

## Gates

The ==forget gate==^[which gate?] drops, the {{input gate}} adds, **bold** is prose.

<!--Commented::out card-->
"""


def test_obsidian_all_card_forms(tmp_path: Path) -> None:
    cards = cards_of(write(tmp_path / "lstm.md", OBSIDIAN))
    assert cards[("term", "ReLU")] == "max(0, x)"
    assert cards[("term", "Sigmoid")] == "squashes into (0, 1)"
    assert cards[("reverse", "squashes into (0, 1)")] == "Sigmoid"
    assert cards[("basic", "What does this line compute?")].startswith("```python\nc = f * c")
    # a two-way multi-line card whose sides fit on one line is written as `a ::: b`
    assert cards[("term", "Vanishing gradient")] == "gradients shrinking as they flow back"
    assert cards[("reverse", "gradients shrinking as they flow back")] == "Vanishing gradient"
    assert ("cloze", "The [which gate?] drops, the input gate adds, **bold** is prose.") in cards
    assert ("cloze", "The forget gate drops, the [...] adds, **bold** is prose.") in cards
    assert not any("SR:" in q or "SR:" in a or "Commented" in q for (_, q), a in cards.items())
    assert len(cards) == 8


def test_obsidian_scheduling_comments_become_state(tmp_path: Path) -> None:
    result = read_source(write(tmp_path / "lstm.md", OBSIDIAN))
    relu = next(c for c in result.cards if c.front == "ReLU")
    schedule = relu.history[0].schedule
    assert (schedule.state, schedule.due.date().isoformat(), schedule.stability) == (2, "2024-08-16", 51.0)
    sigmoid = next(c for c in result.cards if c.front == "Sigmoid")
    assert [sigmoid.history[n].schedule.stability for n in (0, 1)] == [5.0, 6.0]


def test_obsidian_bold_and_highlights_need_the_tag_or_the_flag(tmp_path: Path) -> None:
    note = write(tmp_path / "prose.md", "Term::definition\n\nA **bold** word and a ==highlight== in prose.\n")
    assert set(cards_of(note)) == {("term", "Term")}
    with_flag = cards_of(note, ImportOptions(format="obsidian", cloze_bold=True))
    assert ("cloze", "A [...] word and a highlight in prose.") in with_flag
    assert ("cloze", "A bold word and a [...] in prose.") in with_flag


def test_quizlet_alternating_lines(tmp_path: Path) -> None:
    assert read_source(write(tmp_path / "even.txt", "Epoch\none pass over the data\n\nBatch\nsamples\n")).format == "quizlet"
    path = write(tmp_path / "set.txt", "Epoch\none pass over the data\n\nBatch\nsamples per step\nOrphan term\n")
    result = read_source(path, ImportOptions(format="quizlet"))
    assert [(c.front, c.back) for c in result.cards] == [("Epoch", "one pass over the data"), ("Batch", "samples per step")]
    assert [str(s) for s in result.skipped] == [f"{path}:6: skipped: term 'Orphan term' has no definition line after it"]


def test_tab_and_custom_separators(tmp_path: Path) -> None:
    tsv = write(tmp_path / "set.tsv", "ReLU\tmax(0, x)\nno tab here\nQ: odd\tA: tricky #tag\n")
    cards = cards_of(tsv)
    assert cards[("term", "ReLU")] == "max(0, x)"
    assert any(q.replace("\\", "") == "Q: odd" for _, q in cards)
    assert any(a.replace("\\", "") == "A: tricky #tag" for a in cards.values())
    custom = write(tmp_path / "set.txt", "ReLU -- max(0, x)\nGELU -- x * Phi(x)\n")
    assert cards_of(custom, ImportOptions(sep=" -- ")) == {("term", "ReLU"): "max(0, x)", ("term", "GELU"): "x * Phi(x)"}


def test_csv_with_header_and_tags(tmp_path: Path) -> None:
    path = write(tmp_path / "cards.csv", 'Term,Definition,Tags\nAdam,"adaptive moments,\nwith bias correction",optim adam\nSGD,,optim\n')
    result = read_source(path)
    assert [(c.front, c.back, c.tags) for c in result.cards] == [("Adam", "adaptive moments,\nwith bias correction", ("optim", "adam"))]
    assert [str(s) for s in result.skipped] == [f"{path}:4: skipped: empty front or back"]
    written = write_deck(result, tmp_path / "cards.md")
    assert written.parsed.errors == [] and written.parsed.cards[0].tags == ("optim", "adam")


MARKDOWN = """
# Neural networks

**Perceptron**: a single linear unit with a step activation.

- Weights: how strongly one neuron drives the next
- Training loop with several steps that are all described here: not a term
- [x] Task: done

## Bias

An extra input that shifts the activation.

## Layers

Input, hidden and output layers.

More prose under the same heading.
"""


def test_markdown_notes_take_only_clear_definitions(tmp_path: Path) -> None:
    path = write(tmp_path / "nn.md", MARKDOWN)
    result = read_source(path)
    assert result.format == "markdown"
    assert [(c.front, c.back, c.section) for c in result.cards] == [
        ("Perceptron", "a single linear unit with a step activation.", "Neural networks"),
        ("Weights", "how strongly one neuron drives the next", "Neural networks"),
        ("Bias", "An extra input that shifts the activation.", "Neural networks"),
    ]
    reasons = [str(s) for s in result.skipped]
    assert any(r.startswith(f"{path}:6: skipped: not clearly a definition") for r in reasons)
    assert f"{path}:13: skipped: heading 'Layers' has 2 blocks under it (paragraph), not one definition" in reasons
    assert cards_of(path)[("term", "Bias")] == "An extra input that shifts the activation."


@pytest.mark.skipif(not NOTES.is_dir(), reason="shared notes not present")
def test_shared_notes_import_without_crashing(home: Home, run) -> None:
    files = sorted(NOTES.iterdir())
    result = run("import", *map(str, files))
    assert result.exit_code == 0, result.output
    alternating = next(f for f in files if read_source(f).format == "quizlet")
    deck = parse_file(home.decks_dir / f"{alternating.stem.replace('_', '-')}.md")
    assert deck.errors == [] and len(deck.cards) == 24 and {str(c.kind) for c in deck.cards} == {"term"}
    assert ("Long Short-Term Memory (LSTM)", "unlike RNN’s, this can handle long-term dependencies/memory by actively choosing what to remember") in {
        (c.question, c.answer) for c in deck.cards
    }
    for path in home.decks_dir.iterdir():
        assert parse_file(path).errors == []


def test_an_import_named_like_a_bundled_deck_does_not_replace_it(home: Home, run, tmp_path: Path) -> None:
    """`cnn.csv` would become `cnn.md` in the home: the learner's copy of the bundled CNN deck, replacing it."""
    source = write(tmp_path / "cnn.csv", "front,back\nStride,How far the kernel moves\nPadding,Zeros around the input\n")
    result = run("import", str(source))
    assert result.exit_code == 0, result.output
    assert not (home.decks_dir / "cnn.md").exists() and (home.decks_dir / "cnn-imported.md").is_file()
    assert run("sync", "--quiet").exit_code == 0
    listing = run("decks").output.splitlines()
    assert [line.split()[0] for line in listing if "Convolutional networks" in line] == ["bundled"]


def test_a_colon_inside_inline_code_never_splits_a_markdown_line(tmp_path: Path) -> None:
    """Issue 22.17: `answer: typed` in backticks became the term `answer` and the definition `typed` ...."""
    path = write(
        tmp_path / "notes.md",
        "- `answer: typed` makes the learner type the answer\n"
        "- Stride: how far the kernel moves, written `stride: 2`\n"
        "- `nn.ReLU`: the module form of max(0, x)\n",
    )
    result = read_source(path)
    assert [(c.front, c.back) for c in result.cards] == [
        ("Stride", "how far the kernel moves, written `stride: 2`"),
        ("`nn.ReLU`", "the module form of max(0, x)"),
    ]
    assert result.skipped == []
