"""Export to Anki and CSV; export -> import gives the same cards; re-export keeps note ids."""

from __future__ import annotations

import csv
import re
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path

from studydl.decks.parser import parse_file
from studydl.engine.settings import save_setting
from studydl.home import Home
from studydl.interop.apkg_write import BASIC_MODEL_ID, BOTH_MODEL_ID, CLOZE_MODEL_ID, TERM_MODEL_ID
from studydl.interop.export_notes import rebuild_cloze
from tests.interop.studied_home import run as run_in
from tests.interop.studied_home import snapshot, studied_home

DECK = """\
---
deck: Recurrent networks
tags: [rnn]
---

# LSTM

Q: Which LSTM gate decides what to drop from the cell state?
A: The forget gate.

Q: What does this line compute?
```python
c = f * c + i * g
```
A: The new cell state:
keep part of the old one, add part of the *candidate*.

Vanishing gradient ::: gradients shrinking exponentially through many steps

## Training

BPTT :: backpropagation through time #training

The LSTM cell has a {{forget}} gate, an {{input::which?}} gate and an **{{output}}** gate.
"""


def _notes(apkg: Path, tmp: Path) -> list[tuple[str, int, str]]:
    with zipfile.ZipFile(apkg) as archive:
        (tmp / "c.anki2").write_bytes(archive.read("collection.anki2"))
    con = sqlite3.connect(tmp / "c.anki2")
    try:
        return sorted(con.execute("select guid, mid, flds from notes"))
    finally:
        con.close()


def test_export_then_import_gives_the_same_cards(tmp_path: Path, home: Home, run) -> None:
    source = home.decks_dir / "rnn.md"
    source.write_text(DECK, encoding="utf-8")
    assert run("sync", str(source)).exit_code == 0
    original = parse_file(source)
    assert original.errors == []

    result = run("export", "--apkg", str(tmp_path / "rnn.apkg"), "--csv", str(tmp_path / "rnn.csv"))
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'rnn.apkg'}: 5 notes, 8 Anki cards" in result.stdout

    notes = _notes(tmp_path / "rnn.apkg", tmp_path)
    assert {mid for _, mid, _ in notes} == {BASIC_MODEL_ID, BOTH_MODEL_ID, TERM_MODEL_ID, CLOZE_MODEL_ID}
    cloze = next(flds for _, mid, flds in notes if mid == CLOZE_MODEL_ID)
    assert "{{c1::forget}}" in cloze and "{{c2::input::which?}}" in cloze and "{{c3::output}}" in cloze

    back = run("import", str(tmp_path / "rnn.apkg"), "-o", str(tmp_path / "again.md"), "--no-sync")
    assert back.exit_code == 0, back.output
    again = parse_file(tmp_path / "again.md")
    assert again.errors == [] and again.name == "Recurrent networks"

    def content(deck):
        return sorted((str(c.kind), c.question, c.answer, c.section, c.ordinal) for c in deck.cards)

    assert content(again) == content(original)
    assert {c.question: set(c.tags) for c in again.cards} == {c.question: set(c.tags) for c in original.cards}

    rows = list(csv.DictReader((tmp_path / "rnn.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "deck", "section", "kind", "question", "answer", "tags", "demo"]
    assert len(rows) == 8 and {r["deck"] for r in rows} == {"Recurrent networks"}
    assert {r["tags"] for r in rows if r["question"] == "BPTT"} == {"rnn training"}


def test_reexport_keeps_note_ids_and_model_ids(tmp_path: Path, home: Home, run) -> None:
    (home.decks_dir / "rnn.md").write_text(DECK, encoding="utf-8")
    assert run("sync", str(home.decks_dir / "rnn.md")).exit_code == 0
    assert run("export", "--apkg", str(tmp_path / "one.apkg"), "--deck", "recurrent networks").exit_code == 0
    (home.decks_dir / "rnn.md").write_text(DECK.replace("The forget gate.", "The forget gate (f)."), encoding="utf-8")
    assert run("sync", str(home.decks_dir / "rnn.md")).exit_code == 0
    assert run("export", "--apkg", str(tmp_path / "two.apkg")).exit_code == 0
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, two = _notes(tmp_path / "one.apkg", tmp_path / "a"), _notes(tmp_path / "two.apkg", tmp_path / "b")
    assert [(g, m) for g, m, _ in one] == [(g, m) for g, m, _ in two]
    assert any("(f)" in flds for _, _, flds in two)


def test_export_refuses_unknown_deck_and_empty_store(tmp_path: Path, run) -> None:
    empty = run("export", "--csv", str(tmp_path / "x.csv"))
    assert empty.exit_code == 1 and "run `studydl sync` first" in empty.stderr
    unknown = run("export", "--csv", str(tmp_path / "x.csv"), "--deck", "nope")
    assert unknown.exit_code == 1 and "no cards in a deck named 'nope'" in unknown.stderr
    assert not (tmp_path / "x.csv").exists()


def test_rebuild_cloze_from_rendered_cards() -> None:
    cards = [("[...] and y", "**x** and y"), ("x and [hint]", "x and **y**")]
    assert rebuild_cloze(cards) == "{{c1::x}} and {{c2::y::hint}}"
    assert rebuild_cloze([("no gap", "no gap")]) is None


MATH_DECK = """\
Q: What is the sigmoid?
A: $\\sigma(x) = \\frac{1}{1+e^{-x}}$, with $a_i * b_i$ kept; it costs $5 or $10.

$$\\sum_i p_i = 1$$ :: softmax's outputs

Q: Which gate drops cell state?
A: The forget gate.
answer: typed
"""


def test_math_goes_to_anki_as_mathjax_typed_cards_as_type_in_and_cram_as_filtered_reviews(tmp_path: Path, home: Home, run) -> None:
    from studydl.interop.apkg_write import TYPED_MODEL_ID

    (home.decks_dir / "math.md").write_text(MATH_DECK, encoding="utf-8")
    assert run("sync", str(home.decks_dir / "math.md")).exit_code == 0
    from click.testing import CliRunner

    from studydl.cli import cli

    crammed = CliRunner().invoke(cli, ["--home", str(home.root), "review", "--plain", "--cram", "--deck", "math"], input="\n1\n\n3\n")
    assert crammed.exit_code == 0 and "(cram: schedule unchanged)" in crammed.stdout
    assert run("export", "--apkg", str(tmp_path / "m.apkg")).exit_code == 0
    notes = _notes(tmp_path / "m.apkg", tmp_path)
    fields = "\x1f".join(flds for _, _, flds in notes)
    assert r"\(\sigma(x) = \frac{1}{1+e^{-x}}\)" in fields and r"\(a_i * b_i\)" in fields
    assert "$5 or $10" in fields and r"\[\sum_i p_i = 1\]" in fields
    assert "<em>" not in fields  # Markdown never saw the math's * and _
    assert TYPED_MODEL_ID in {mid for _, mid, _ in notes}
    con = sqlite3.connect(tmp_path / "c.anki2")
    try:
        # cram answers go as Anki's filtered reviews that scheduled nothing (type 3, factor 0); the cards stay new
        assert con.execute("select ease, type, factor from revlog order by id").fetchall() == [(1, 3, 0), (3, 3, 0)]
        assert con.execute("select distinct type, queue from cards").fetchall() == [(0, 0)]
        template = con.execute("select models from col").fetchone()[0]
    finally:
        con.close()
    assert "{{type:Back}}" in template


def test_studydl_to_studydl_through_a_package_loses_nothing(tmp_path: Path) -> None:
    """Issue 21.7: every deck its own, typed cards typed, the scheduling state and the whole review log carried.

    The log's times come back to the millisecond (Anki's revlog ids are milliseconds) and a
    learning card's due to the second (Anki's learning due is epoch seconds); the rest exactly.
    """
    source = studied_home(tmp_path / "a")
    apkg = tmp_path / "out.apkg"
    done = run_in(source.home, "export", "--apkg", str(apkg))
    assert done.exit_code == 0, done.output
    assert f"{apkg}: 10 notes, 15 Anki cards, {source.reviews} past reviews" in done.stdout

    target = Home(tmp_path / "b").ensure()
    db = target.open_db()
    save_setting(db, "timezone", "America/New_York")
    db.dispose()
    back = run_in(target, "import", str(apkg))
    assert back.exit_code == 0, back.output
    assert sorted(p.name for p in target.decks_dir.iterdir()) == ["optimizers.md", "recurrent-networks.md"]
    assert sum(int(n) for n in re.findall(r"(\d+) past reviews? imported", back.stdout)) == source.reviews

    def same(card):  # what must survive exactly
        due = card.due.replace(microsecond=0) if card.due and card.state in (1, 3) else card.due
        return replace(card, due=due)

    before, after = snapshot(source.home), snapshot(target)
    assert set(after) == set(before)
    for key, card in before.items():
        assert same(after[key]) == same(card), key


def test_math_and_a_bare_number_come_back_as_written(tmp_path: Path, home: Home, run) -> None:
    """Anki's MathJax comes in as our `$...$`/`$$...$$`, and an answer "10." (an ordered list starting at 10) as "10."."""
    deck = MATH_DECK.replace("answer: typed\n", "answer: typed\n\nQ: With 1,000 examples and batches of 100, how many updates per epoch?\nA: 10.\n")
    (home.decks_dir / "math.md").write_text(deck, encoding="utf-8")
    assert run("sync", str(home.decks_dir / "math.md")).exit_code == 0
    assert run("export", "--apkg", str(tmp_path / "m.apkg")).exit_code == 0
    assert run("import", str(tmp_path / "m.apkg"), "-o", str(tmp_path / "back.md"), "--no-sync").exit_code == 0
    original, back = parse_file(home.decks_dir / "math.md"), parse_file(tmp_path / "back.md")
    assert back.errors == []
    assert [(c.question, c.answer, c.check.typed) for c in back.cards] == [(c.question, c.answer, c.check.typed) for c in original.cards]
